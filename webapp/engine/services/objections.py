"""Objections filed against a case's public notice: on a round's list, those naming the case's unit."""

from sqlalchemy import func

from ...extensions import db
from ...models import Objection
from .. import clock


def _case_objections(ctx):
    return Objection.query.filter(Objection.instance_id == ctx.instance.id)


def pending_objections(ctx):
    return (db.session.query(func.count(Objection.id))
            .filter(Objection.instance_id == ctx.instance.id, Objection.decision.is_(None)).scalar())


def record_objection(ctx, objection_id, decision, opinion):
    objection = _case_objections(ctx).filter(Objection.id == objection_id).one()
    objection.decision, objection.opinion, objection.decided_at = decision, opinion, clock.now()
    return {"id": objection.id, "decision": decision}


OPERATIONS = {"objections.pending": pending_objections, "objections.record": record_objection}
