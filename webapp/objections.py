"""Filing an objection to a public notice: the one path both the API and the public page use.

On a round's list the objector names the unit (its credit code): only that unit's case hears it and
waits for its verification. Every objection gets a 受理编号 to follow it by (receipt)."""

from datetime import timedelta

from flask import current_app

from . import engine
from .engine import receipts
from .engine.errors import EngineError
from .extensions import db
from .models import Notice, Objection, utcnow


class TooMany(EngineError):
    status = 429


def open_notice(notice_id):
    notice = db.session.get(Notice, notice_id)
    if notice is None or notice.kind != "selection_notice":
        raise engine.NotFound("公示不存在")
    return notice


def _definition(notice):
    """The version whose objection form applies: the notice's own case's, or a listed unit's."""
    instance = notice.instance if notice.instance_id else notice.entries[-1].instance
    return instance.definition


def form(notice):
    """The objection form the notice's case's own version names (its process's objectionForm)."""
    definition = _definition(notice)
    return engine.package.library(definition).form(engine.process_properties(definition).get("objectionForm"))


def concerned_case(notice, unit):
    """The case an objection to `notice` concerns: the listed unit whose credit code is `unit`."""
    if not notice.entries:
        return notice.instance_id
    if len(notice.entries) == 1 and not unit:
        return notice.entries[0].instance_id
    entry = next((e for e in notice.entries if unit and e.credit_code == unit), None)
    if entry is None:
        raise engine.ValidationFailed("请选择异议针对的单位", {"unit": ["请选择公示名单中的一家单位"]})
    return entry.instance_id


def file(notice_id, clean, source_ip, unit=None):
    """Store the objection and hand it to the case it concerns, in one transaction."""
    notice = open_notice(notice_id)
    if not notice.is_open():
        raise engine.Conflict("公示期已结束，不再受理异议")
    instance_id = concerned_case(notice, unit)
    recent = Objection.query.filter(Objection.source_ip == source_ip,
                                    Objection.created_at > utcnow() - timedelta(hours=1)).count()
    if recent >= current_app.config["OBJECTIONS_PER_HOUR"]:
        raise TooMany("提交过于频繁，请稍后再试")
    objection = Objection(notice_id=notice.id, instance_id=instance_id, source_ip=source_ip, receipt=receipts.new("YY"),
                          **clean)
    db.session.add(objection)
    db.session.flush()
    engine.deliver_message(instance_id, "objection",
                           {"id": objection.id, "receipt": objection.receipt, "name": clean["name"],
                            "contact": clean["contact"], "content": clean["content"],
                            "notice_id": notice.id, "received_at": objection.created_at.isoformat()},
                           actor="public")
    return objection


def by_receipt(receipt):
    """The objection a 受理编号 names, or NotFound."""
    found = receipts.find(Objection, receipt)
    if found is None:
        raise engine.NotFound("没有该受理编号的异议")
    return found


def status(objection):
    """What the objector may learn: received, under verification, or the finding with its opinion."""
    return receipts.status(objection, objection.decision or "pending", objection.opinion,
                           notice_id=objection.notice_id,
                           notice_title=objection.notice.title if objection.notice else None)
