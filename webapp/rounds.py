"""The annual call (申报批次 and its 申报通知): opening, editing, extending and closing one early, the rules
the API and the city's pages both apply. Every change is audited (who, when, what before and after), and
the round's own history is read back from the audit trail."""

from datetime import datetime

from flask import current_app
from sqlalchemy import text

from .engine import (
    Conflict,
    ValidationFailed,
    audit,
    latest_definition,
    process_properties,
    round_close,
    start_round_cases,
)
from .extensions import db
from .models import ROUND_EVENTS, Attachment, AuditEvent, Round, utcnow

BODY_MAX = 20000
MAX_ATTACHMENTS = 20


def _subject(round_):
    """How the audit trail names a round (its entries are found by it: models.ROUND_EVENTS)."""
    return f"round:{round_.id}"


def _check_times(errors, opens_at, closes_at, opened):
    """opens_at/closes_at aware datetimes, closes after it opens, in the future, within the regulation's life."""
    valid_until = datetime.fromisoformat(current_app.config["PROGRAMME_VALID_UNTIL"])
    if not isinstance(opens_at, datetime) or opens_at.tzinfo is None:
        errors["opens_at"] = ["开始时间须为带时区的时间（ISO 8601）"]
    if not isinstance(closes_at, datetime) or closes_at.tzinfo is None or closes_at <= utcnow():
        errors["closes_at"] = ["截止时间须为带时区的未来时间（ISO 8601）"]
    elif closes_at > valid_until:
        errors["closes_at"] = [f"规范有效期至 {valid_until.date()}（第十七条），批次不能晚于此截止"]
    elif "opens_at" not in errors and closes_at <= opens_at:
        errors["closes_at"] = ["截止时间须晚于开始时间"]
    if not opened and "opens_at" not in errors and opens_at < utcnow().replace(second=0, microsecond=0):
        errors["opens_at"] = ["开始时间不能早于现在"]


def _check_text(errors, title, body):
    if not isinstance(title, str) or not title.strip() or len(title) > 200:
        errors["title"] = ["请填写标题（不超过200字）"]
    if body is not None and (not isinstance(body, str) or len(body) > BODY_MAX):
        errors["body"] = [f"通知正文不超过{BODY_MAX}字"]


def _check_attachments(errors, ids, actor_id, round_=None):
    """Templates to download: files the city official uploaded, or the round's own already."""
    if ids is None:
        return []
    if not isinstance(ids, list) or len(ids) > MAX_ATTACHMENTS or not all(
            isinstance(i, int) and not isinstance(i, bool) for i in ids):
        errors["attachments"] = [f"附件应为已上传文件的编号列表（至多{MAX_ATTACHMENTS}个）"]
        return []
    own = set(round_.attachment_ids or ()) if round_ else set()
    found = {a.id: a for a in Attachment.query.filter(Attachment.id.in_(ids))}
    if any(i not in own and (i not in found or found[i].uploaded_by != actor_id or found[i].instance_id)
           for i in ids):
        errors["attachments"] = ["只能附上本人上传的文件"]
    return list(dict.fromkeys(ids))


def open_round(kind, year, title, closes_at, actor, opens_at=None, body=None, attachments=None):
    """Create a round, or raise ValidationFailed naming every problem. `actor` is the user opening it."""
    errors = {}
    definition = latest_definition(kind, required=False) if isinstance(kind, str) else None
    if definition is None or not definition.needs_round:
        errors["kind"] = ["必须是需要申报批次的已部署流程"]
    if not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= 2100:
        errors["year"] = ["年份无效"]
    _check_text(errors, title, body)
    opens_at = opens_at or utcnow()
    _check_times(errors, opens_at, closes_at, opened=False)
    if definition is not None and "opens_at" not in errors and opens_at > utcnow() \
            and process_properties(definition).get("startsFor"):
        errors["opens_at"] = ["此流程在批次开启时即为各单位发起案件，开始时间须为现在"]
    ids = _check_attachments(errors, attachments, actor.id)
    if errors:
        raise ValidationFailed("批次信息有误", errors)
    round_ = Round(kind=kind, year=year, title=title.strip(), opens_at=opens_at, closes_at=closes_at,
                   body=(body or "").strip() or None, attachment_ids=ids, created_by=actor.username)
    db.session.add(round_)
    db.session.flush()
    audit.record("round_open", actor.username, element_id=_subject(round_), name=round_.title,
                 data={"round_id": round_.id, "kind": kind, "year": year, "opens_at": opens_at.isoformat(),
                       "closes_at": closes_at.isoformat(), "attachments": ids})
    start_round_cases(round_, actor.username)
    return round_


def _shown(value):
    return value.isoformat() if isinstance(value, datetime) else value


def change_round(round_, actor, **given):
    """Edit the call's title, text and templates, move its opening (before it opens) or its closing
    (extend it, or end it sooner); ValidationFailed naming every problem, Conflict once closed early.
    The round's running cases follow a new closing (engine.round_close: open tasks and timers due then,
    and what later steps read of the round)."""
    if round_.closed_early_at is not None:
        raise Conflict("该批次已提前截止，不能再修改")
    errors = {}
    title, body = given.get("title", round_.title), given.get("body", round_.body)
    _check_text(errors, title, body)
    opened = round_.opens_at <= utcnow()
    opens_at, closes_at = given.get("opens_at") or round_.opens_at, given.get("closes_at") or round_.closes_at
    if opened and opens_at != round_.opens_at:
        errors["opens_at"] = ["批次已开始，不能修改开始时间"]
    _check_times(errors, opens_at, closes_at, opened=opened)
    ids = _check_attachments(errors, given.get("attachments"), actor.id, round_)
    if errors:
        raise ValidationFailed("批次信息有误", errors)
    after = {"title": title.strip(), "body": (body or "").strip() or None, "opens_at": opens_at,
             "closes_at": closes_at, "attachment_ids": ids if "attachments" in given else round_.attachment_ids}
    changes = {name: [_shown(getattr(round_, name)), _shown(value)] for name, value in after.items()
               if getattr(round_, name) != value}
    if not changes:
        return round_
    if "closes_at" in changes:
        round_close.follow(round_.id, round_.closes_at, closes_at)
    for name, value in after.items():
        setattr(round_, name, value)
    audit.record("round_change", actor.username, element_id=_subject(round_), name=round_.title,
                 data={"round_id": round_.id, "changes": changes})
    return round_


def close_round(round_, actor, reason):
    """Close the round before its closing time: no one can apply any more; the reason is audited."""
    if round_.closed_early_at is not None or round_.closes_at <= utcnow():
        raise Conflict("该批次已截止")
    if not isinstance(reason, str) or not reason.strip() or len(reason) > 2000:
        raise ValidationFailed("请填写提前截止的原因", {"reason": ["请填写提前截止的原因（不超过2000字）"]})
    round_.closed_early_at = utcnow()
    audit.record("round_close", actor.username, element_id=_subject(round_), name=round_.title,
                 data={"round_id": round_.id, "reason": reason.strip(), "closes_at": round_.closes_at.isoformat()})
    return round_


def history(round_):
    """The round's audit entries, oldest first: opened, each change with before and after, closed early."""
    return (AuditEvent.query.filter(text(ROUND_EVENTS), AuditEvent.element_id == _subject(round_))
            .order_by(AuditEvent.id).all())


def attachments(round_):
    """The call's templates as (id, filename), in the order the city gave them."""
    ids = list(round_.attachment_ids or ())
    names = dict(db.session.query(Attachment.id, Attachment.filename).filter(Attachment.id.in_(ids))) if ids else {}
    return [(i, names[i]) for i in ids if i in names]


def public_rounds():
    """The calls the public home page shows: open now, or opening later (not closed), soonest closing first."""
    now = utcnow()
    return (Round.query.filter(Round.closed_early_at.is_(None), Round.closes_at > now)
            .order_by(Round.opens_at > now, Round.closes_at).all())
