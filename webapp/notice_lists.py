"""Publishing a round's list (拟入库名单, Art. 6 (三)) as one notice: the city reads the text and the list,
then publishes; every listed case then runs its own notice period and hears only the objections that
name its unit. The text comes from the template its cases' package names (documents/texts.py)."""

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import func

from . import engine, labels
from .documents import texts
from .engine import clock
from .engine.services.notices import iso_duration
from .extensions import db
from .models import Notice, NoticeEntry, ProcessInstance

WORKING_DAYS = re.compile(r"^(\d{1,3})WD$")  # "7WD": seven working days (the package's calendar)


@dataclass
class Draft:
    """The notice as it would be published now: its parts, its period and the units it names."""

    title: str
    parts: dict
    starts_at: datetime
    ends_at: datetime
    entries: list


def waiting(round_id):
    """The units listed by the city and not yet published, in the order they were listed."""
    return (NoticeEntry.query.join(ProcessInstance, NoticeEntry.instance_id == ProcessInstance.id)
            .filter(NoticeEntry.round_id == round_id, NoticeEntry.notice_id.is_(None),
                    ProcessInstance.status == "running").order_by(NoticeEntry.id).all())


def waiting_counts():
    """{round id: units waiting to be published} for the rounds page."""
    rows = (db.session.query(NoticeEntry.round_id, func.count(NoticeEntry.id))
            .join(ProcessInstance, NoticeEntry.instance_id == ProcessInstance.id)
            .filter(NoticeEntry.notice_id.is_(None), ProcessInstance.status == "running")
            .group_by(NoticeEntry.round_id))
    return dict(rows.all())


def period_end(entry, starts):
    """The end (23:59:59 China time) of the period the entry's diagram asks for, counted from the day after
    publication: calendar days ("P7D") or working days ("7WD", the case's own calendar)."""
    found = WORKING_DAYS.match(entry.period or "")
    if found:
        return engine.workdays.of_definition(entry.instance.definition).add(starts, int(found.group(1)))
    days = iso_duration(entry.period).days
    return datetime.combine(clock.local(starts).date() + timedelta(days=days), time(23, 59, 59), clock.ZONE)


def unit_rows(entries, locale="zh"):
    """The list as the notice prints it: 序号, name, credit code, categories, district."""
    return [{"no": n, "name": e.name, "credit_code": e.credit_code,
             "categories": "、".join(labels.label("provider_categories", c, locale) for c in e.categories),
             "district": labels.label("districts", e.district, locale)} for n, e in enumerate(entries, 1)]


def draft(round_, entries, now=None):
    """The notice for `entries` as the template of the latest-listed case's package renders it."""
    starts = now or clock.now()
    ends = max(period_end(e, starts) for e in entries)
    template = engine.package.library(entries[-1].instance.definition).entries(entries[-1].template)
    context = {"round": {"title": round_.title, "year": round_.year}, "count": len(entries),
               "units": unit_rows(entries), "start_date": texts.cn_date(starts), "end_date": texts.cn_date(ends),
               "date": texts.cn_date(starts)}
    parts = texts.render(template, context)
    return Draft(title=parts.get("title") or round_.title, parts=parts, starts_at=starts, ends_at=ends,
                 entries=entries)


def publish(round_, user):
    """Publish the round's waiting units as one notice and tell each case; Conflict when none waits."""
    entries = waiting(round_.id)
    if not entries:
        raise engine.Conflict("本批次没有待发布的拟入库名单")
    found = draft(round_, entries)
    names = "、".join(e.name for e in entries)
    notice = Notice(kind="selection_notice", title=found.title[:200], round_id=round_.id,
                    subject=names if len(names) <= 200 else f"{entries[0].name}等{len(entries)}家单位",
                    body=found.parts.get("body"), details=found.parts, published_by=user.username,
                    starts_at=found.starts_at, ends_at=found.ends_at)
    db.session.add(notice)
    db.session.flush()
    for entry in entries:
        entry.notice_id = notice.id
        engine.deliver_message(entry.instance_id, entry.message,
                               {"id": notice.id, "entry_id": entry.id, "starts_at": notice.starts_at.isoformat(),
                                "ends_at": notice.ends_at.isoformat()}, actor=user.username)
    return notice
