"""Time limits the scheduler watches: a day before an open task's limit its holders are reminded; once
it has passed they are told it is overdue and the city is told too (督办). Each task is reminded and
escalated once — the row is marked in the same statement that takes it, so two schedulers never both
send — and one failing task never stops the sweep."""

from datetime import timedelta

from flask import current_app
from sqlalchemy import select, update

from ..extensions import db
from ..models import HumanTask, User
from . import clock, notifications

_tasks = HumanTask.__table__
REMIND_BEFORE = timedelta(days=1)


def _take(task_id, column, now):
    taken = db.session.execute(update(_tasks).where(_tasks.c.id == task_id, _tasks.c.state == "open",
                                                    _tasks.c[column].is_(None)).values({column: now}))
    return taken.rowcount == 1


def _city():
    return list(db.session.scalars(select(User.username).where(User.role == "city", User.active.is_(True))))


def _tell(task_id, column, now):
    if not _take(task_id, column, now):
        return False
    task = db.session.get(HumanTask, task_id)
    holders = [task.claimed_by] if task.claimed_by else notifications.task_holders(task)
    if column == "reminded_at":
        notifications.notify(holders, "deadline", task.instance, task)
    else:
        notifications.notify(holders, "overdue", task.instance, task)
        if task.role != "city":
            notifications.notify([n for n in _city() if n not in holders], "escalated", task.instance, task,
                                 holder="、".join(holders))
    return True


def sweep(as_of=None):
    """Remind and escalate what is due (as of `as_of`, default now); how many tasks were told."""
    now = as_of or clock.now()
    soon = select(_tasks.c.id).where(_tasks.c.state == "open", _tasks.c.reminded_at.is_(None),
                                     _tasks.c.due_at > now, _tasks.c.due_at <= now + REMIND_BEFORE)
    late = select(_tasks.c.id).where(_tasks.c.state == "open", _tasks.c.escalated_at.is_(None),
                                     _tasks.c.due_at <= now)
    told = 0
    for column, query in (("reminded_at", soon), ("escalated_at", late)):
        for task_id in db.session.scalars(query.order_by(_tasks.c.due_at).limit(500)).all():
            try:
                told += _tell(task_id, column, now)
                db.session.commit()
            except Exception:  # noqa: BLE001 - one task's failure is logged; the others are still told
                db.session.rollback()
                current_app.logger.exception("deadline notice for task %s failed", task_id)
    return told
