"""Operations a diagram's service tasks may call (spiffworkflow:serviceTaskOperator id=...).

They write the programme's public records — notices, objections, the resource pool — in the
same transaction as the case, so a case and its records commit or roll back together. Every
number (the notice period, the categories) arrives as a parameter from the diagram.
"""

import json

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from ..extensions import db
from ..models import Notice, Objection, Organization, PoolEntry
from . import audit, clock
from .errors import Conflict


def iso_duration(value):
    """An ISO 8601 duration such as "P7D" as a timedelta."""
    parsed = TimerEventDefinition.parse_iso_duration(value)
    start = clock.now()
    return TimerEventDefinition.get_timedelta_from_start(parsed, start)


def publish_notice(ctx, kind, period, title):
    starts = clock.now()
    notice = Notice(kind=kind, title=title, subject=ctx.instance.subject, instance_id=ctx.instance.id,
                    starts_at=starts, ends_at=starts + iso_duration(period))
    db.session.add(notice)
    db.session.flush()
    return {"id": notice.id, "starts_at": notice.starts_at.isoformat(), "ends_at": notice.ends_at.isoformat()}


def _case_objections(ctx):
    return Objection.query.join(Notice).filter(Notice.instance_id == ctx.instance.id)


def pending_objections(ctx):
    return _case_objections(ctx).filter(Objection.decision.is_(None)).count()


def record_objection(ctx, objection_id, decision, opinion):
    objection = _case_objections(ctx).filter(Objection.id == objection_id).one()
    objection.decision, objection.opinion, objection.decided_at = decision, opinion, clock.now()
    return {"id": objection.id, "decision": decision}


def admit_to_pool(ctx, categories):
    org = db.session.get(Organization, ctx.instance.organization_id)
    if PoolEntry.query.filter_by(organization_id=org.id, removed_at=None).first():
        raise Conflict(f"{org.name} 已在资源池中")
    entry = PoolEntry(organization_id=org.id, instance_id=ctx.instance.id, name=org.name,
                      credit_code=org.credit_code, categories=list(categories), district=org.district)
    db.session.add(entry)
    db.session.flush()
    for notice in Notice.query.filter_by(instance_id=ctx.instance.id, closed_at=None):
        notice.closed_at = clock.now()
    return {"id": entry.id, "admitted_at": entry.admitted_at.isoformat()}


OPERATIONS = {
    "notice.publish": publish_notice,
    "objections.pending": pending_objections,
    "objections.record": record_objection,
    "pool.admit": admit_to_pool,
}


class Services:
    """The operations bound to one case and the person whose action triggered them."""

    def __init__(self, instance, actor):
        self.instance, self.actor = instance, actor

    def call(self, name, params):
        operation = OPERATIONS.get(name)
        if operation is None:
            raise KeyError(f"未知服务 {name}")
        result = operation(self, **params)
        audit.record("service", self.actor, self.instance.id, name=name, data={"params": params, "result": result})
        return json.dumps(result, ensure_ascii=False)
