"""What the scheduler removes on its rounds: the 暂存 drafts of tasks no longer open (a completion leaves
them, to spare the hot path a statement), uploads never linked to a case (nor held by a complaint, a
district's stamped summary, a round's call or a saved draft) after ORPHAN_UPLOAD_HOURS,
audit entries past AUDIT_RETENTION_DAYS, sessions and login counters long over."""

import time
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, or_, select

from ..engine.attachments import ids_in
from ..extensions import db
from ..models import Attachment, AuditEvent, Complaint, HumanTask, Round, RoundDocument, TaskDraft, utcnow
from .models import LoginThrottle, UserSession

EVERY_SECONDS = 3600
_last = [0.0]


def sweep():
    """One round; returns {what: rows removed}."""
    config, now = current_app.config, utcnow()
    removed = {"drafts": db.session.execute(delete(TaskDraft).where(
        TaskDraft.task_id.in_(select(HumanTask.id).where(HumanTask.state != "open")))).rowcount}
    referenced = {i for column in (Complaint.attachment_ids, Round.attachment_ids)
                  for ids in db.session.scalars(select(column)) for i in ids or ()}
    for data in db.session.scalars(select(TaskDraft.data)):  # 暂存: a draft's files are not yet a case's
        referenced |= ids_in(data)
    orphans = (select(Attachment.id).where(
        Attachment.instance_id.is_(None),
        Attachment.created_at < now - timedelta(hours=config["ORPHAN_UPLOAD_HOURS"]),
        ~Attachment.id.in_(select(RoundDocument.attachment_id))))
    orphan_ids = [i for i in db.session.scalars(orphans) if i not in referenced]
    removed["uploads"] = len(orphan_ids)
    if orphan_ids:
        db.session.execute(delete(Attachment).where(Attachment.id.in_(orphan_ids)))
    retention = max(config["AUDIT_RETENTION_DAYS"], 180)
    removed["audit"] = db.session.execute(delete(AuditEvent).where(
        AuditEvent.at < now - timedelta(days=retention))).rowcount
    longest = max(config["SESSION_MAX_HOURS"] * 3600, config["TOKEN_MAX_AGE"])
    removed["sessions"] = db.session.execute(delete(UserSession).where(or_(
        UserSession.created_at < now - timedelta(seconds=longest) - timedelta(days=1),
        UserSession.revoked_at < now - timedelta(days=1)))).rowcount
    removed["throttle"] = db.session.execute(delete(LoginThrottle).where(
        LoginThrottle.window_start < now - timedelta(days=1))).rowcount
    db.session.commit()
    return removed


def maybe_sweep():
    """The scheduler calls this on every pass; it sweeps once an hour."""
    if time.monotonic() - _last[0] >= EVERY_SECONDS:
        _last[0] = time.monotonic()
        return sweep()
    return None
