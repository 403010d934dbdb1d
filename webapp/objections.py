"""Filing an objection to a public notice: the one path both the API and the public page use."""

from datetime import timedelta

from flask import current_app

from . import engine
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


def form(notice):
    """The objection form the notice's case's own version names (its process's objectionForm)."""
    definition = notice.instance.definition
    return engine.package.library(definition).form(engine.process_properties(definition).get("objectionForm"))


def file(notice_id, clean, source_ip):
    """Store the objection and hand it to the case waiting on the notice, in one transaction."""
    notice = open_notice(notice_id)
    if not notice.is_open():
        raise engine.Conflict("公示期已结束，不再受理异议")
    recent = Objection.query.filter(Objection.source_ip == source_ip,
                                    Objection.created_at > utcnow() - timedelta(hours=1)).count()
    if recent >= current_app.config["OBJECTIONS_PER_HOUR"]:
        raise TooMany("提交过于频繁，请稍后再试")
    objection = Objection(notice_id=notice.id, source_ip=source_ip, **clean)
    db.session.add(objection)
    db.session.flush()
    engine.deliver_message(notice.instance_id, "objection",
                           {"id": objection.id, "content": clean["content"], "notice_id": notice.id,
                            "received_at": objection.created_at.isoformat()}, actor="public")
    return objection
