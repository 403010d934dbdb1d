"""Public notices (公示) and announcements (公告)."""

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from ...extensions import db
from ...models import Notice
from .. import clock


def iso_duration(value):
    """An ISO 8601 duration such as "P7D" as a timedelta."""
    parsed = TimerEventDefinition.parse_iso_duration(value)
    return TimerEventDefinition.get_timedelta_from_start(parsed, clock.now())


def publish_notice(ctx, kind, period, title, body=None, template=None):
    """A case's own notice; `template` names the package's list whose parts (issuer, office, phones) it
    carries for its 落款 and contacts (documents/texts.py)."""
    from ...documents import texts

    starts = clock.now()
    details = None
    if template:
        details = {**texts.render(ctx.entries(template), {"title": title, "date": texts.cn_date(starts)}),
                   "body": body or ""}
    notice = Notice(kind=kind, title=title, subject=ctx.instance.subject, instance_id=ctx.instance.id, body=body,
                    details=details, starts_at=starts, ends_at=starts + iso_duration(period) if period else None)
    db.session.add(notice)
    db.session.flush()
    return {"id": notice.id, "starts_at": notice.starts_at.isoformat(),
            "ends_at": notice.ends_at.isoformat() if notice.ends_at else None}


OPERATIONS = {"notice.publish": publish_notice}
