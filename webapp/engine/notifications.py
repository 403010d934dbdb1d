"""Who is told what: a 站内信 for each addressee and, by their chosen channels, an e-mail or SMS in the
outbox — all written in the step's own transaction, so a rolled-back step tells nobody and a committed
one is never forgotten (the scheduler sends the outbox: webapp/outbox.py).

The texts are notifications.yaml beside this file, in the addressee's language.
"""

from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace

import yaml
from flask import current_app
from sqlalchemy import insert, select

from ..extensions import db
from ..formkit.library import read_yaml
from ..models import HumanTask, Notification, OutboxMessage, User
from . import clock

TEMPLATES = Path(__file__).with_name("notifications.yaml")
_NOTIFY = insert(Notification.__table__)
_OUTBOX = insert(OutboxMessage.__table__)


@lru_cache(maxsize=1)
def templates():
    return yaml.safe_load(TEMPLATES.read_text(encoding="utf-8"))


class _Blank(dict):
    def __missing__(self, key):
        return ""


def render(kind, language, values):
    """(title, body) of a kind in a language (Chinese when the language has no text)."""
    texts = templates()[kind]
    text = texts.get(language) or texts["zh"]
    return text["title"].format_map(_Blank(values)), text["body"].format_map(_Blank(values)).strip()


_PEOPLE = (User.username, User.email, User.mobile, User.channels, User.language)


def _holders(task):
    """The people a task is for: its assignee, else everyone of its role in its scope (district, organisation)."""
    query = select(*_PEOPLE).where(User.active.is_(True))
    if task.assignee:
        return query.where(User.username == task.assignee)
    query = query.where(User.role == task.role)
    if task.role == "district":
        query = query.where(User.district == task.district)
    elif task.role == "applicant":
        query = query.where(User.organization_id == task.organization_id)
    return query


def task_holders(task):
    """The user names a task is for (see _holders)."""
    return [person.username for person in db.session.execute(_holders(task))]


def case_parties(instance):
    """Who a case is about: the organisation's accounts, else the person who started it."""
    condition = (User.organization_id == instance.organization_id if instance.organization_id
                 else User.username == instance.started_by)
    return list(db.session.scalars(select(User.username).where(condition, User.active.is_(True))))


def notify(usernames, kind, instance=None, task=None, **values):
    """Tell each of `usernames` (duplicates and unknown names dropped) about `kind`."""
    names = sorted(set(usernames))
    if names:
        _write(db.session.execute(select(*_PEOPLE).where(User.username.in_(names))).all(), kind, instance, task,
               values)


def _write(people, kind, instance, task, values):
    """The 站内信 and the outbox rows for `people` (rows of _PEOPLE), in the step's transaction."""
    if not people:
        return
    values = {"case": instance.id if instance else "", "subject": instance.subject if instance else "",
              "task": task.name if task else "", **values}
    now, mail = clock.now(), current_app.config.get("MAIL_SERVER")
    inbox, outbox = [], []
    for username, email, mobile, channels, language in people:
        title, body = render(kind, language, {**values, "due": _due(task, language)})
        inbox.append({"username": username, "at": now, "kind": kind, "title": title, "body": body,
                      "instance_id": instance.id if instance else None, "task_id": task.id if task else None})
        for channel, address in (("email", email if mail else None), ("sms", mobile)):
            if address and channel in (channels or ()):
                outbox.append({"channel": channel, "recipient": address, "subject": title, "body": body,
                               "created_at": now, "next_attempt_at": now, "attempts": 0})
    connection = db.session.connection()
    connection.execute(_NOTIFY, inbox)
    if outbox:
        connection.execute(_OUTBOX, outbox)


def _due(task, language):
    if task is None or task.due_at is None:
        return ""
    when = clock.local(task.due_at).strftime("%Y-%m-%d %H:%M")
    return f"Due by {when}." if language == "en" else f"请于 {when} 前办理。"


def tasks_arrived(instance, new_rows, completed_before, actor):
    """Tell the holders of a step's new inbox tasks (`new_rows`: their columns as inserted), not the person
    whose step it was (they are looking at it); an applicant's step done before is a return (退回补正)."""
    for row in new_rows:
        task = SimpleNamespace(**row)
        kind = "returned" if task.role == "applicant" and task.element_id in completed_before else "task"
        _write([p for p in db.session.execute(_holders(task)) if p.username != actor], kind, instance, task, {})


def case_decided(instance, outcome_label):
    """The case's own organisation hears how it ended, and so does any other organisation that did a step
    of it (a provider that answered a complaint), its notice pointing at that task (it does not follow
    the case itself)."""
    notify(case_parties(instance), "decision", instance, outcome=outcome_label or "")
    asked = db.session.scalars(select(HumanTask).where(
        HumanTask.instance_id == instance.id, HumanTask.role == "applicant", HumanTask.state == "completed",
        HumanTask.organization_id.is_distinct_from(instance.organization_id)).order_by(HumanTask.id)).all()
    for org_id, task in {t.organization_id: t for t in asked}.items():  # each organisation's latest task
        people = db.session.execute(select(*_PEOPLE).where(User.organization_id == org_id, User.active.is_(True)))
        _write(people.all(), "decision", instance, task, {"outcome": outcome_label or ""})


def unread_count(username):
    return Notification.query.filter(Notification.username == username, Notification.read_at.is_(None)).count()


def of_user(username, unread=False):
    query = Notification.query.filter(Notification.username == username)
    if unread:
        query = query.filter(Notification.read_at.is_(None))
    return query.order_by(Notification.id.desc())


def mark_read(username, notification_id=None):
    """Mark one notification (or, with none named, all) of the user read; how many changed."""
    query = Notification.query.filter(Notification.username == username, Notification.read_at.is_(None))
    if notification_id is not None:
        query = query.filter(Notification.id == notification_id)
    return query.update({Notification.read_at: clock.now()}, synchronize_session=False)


def outcome_label(definition, outcome, language="zh"):
    """The label of an outcome code in the case's own version's list (the code when it has none)."""
    try:
        entries = read_yaml((definition.lists or {}).get("outcomes") or "", "outcomes") or []
    except ValueError:
        entries = []
    found = next((e for e in entries if isinstance(e, dict) and e.get("value") == outcome), None)
    if found is None:
        return outcome
    return found.get("label_en") if language == "en" and found.get("label_en") else found.get("label")

