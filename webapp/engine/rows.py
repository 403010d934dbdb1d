"""The rows a step writes beside its workflow — the case row, inbox tasks, timers — as plain statements.

A completion's time went mostly to the ORM: loading inbox and timer rows as objects, tracking them
and flushing them. These statements are built once (building one costs as much as running it) and
run at once on the session's connection, inside the step's transaction: what is open is read from
the database, and a failed step still rolls back whole.
"""

from datetime import UTC, datetime

from sqlalchemy import and_, bindparam, delete, exists, insert, literal_column, or_, select, union_all, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from ..extensions import db
from ..models import HumanTask, Notice, NoticeEntry, ProcessInstance, Timer

_tasks, _timers, _cases, _notices = HumanTask.__table__, Timer.__table__, ProcessInstance.__table__, Notice.__table__

# An UPDATE without .values() sets the columns named in the parameters it is run with.
_WRITE_CASE = update(_cases).where(_cases.c.id == bindparam("case_id"), _cases.c.revision == bindparam("seen"))
_CANCEL_TASKS = update(_tasks).where(_tasks.c.id.in_(bindparam("ids", expanding=True))).values(state="cancelled")
_ADD_TASKS = insert(_tasks).returning(_tasks.c.id, sort_by_parameter_order=True)
# A task changes hands or closes only while it is open and not held by someone else: the condition is
# checked by the UPDATE itself, so of two claims (or a claim and a completion) racing, exactly one wins.
_HOLD = and_(_tasks.c.id == bindparam("task_id"), _tasks.c.state == "open",
             or_(_tasks.c.claimed_by.is_(None), _tasks.c.claimed_by == bindparam("holder")))
_CLAIM_TASK = update(_tasks).where(_HOLD).values(claimed_by=bindparam("claimed_by"))
_COMPLETE_TASK = update(_tasks).where(_HOLD)
_HAND_TASK = update(_tasks).where(_HOLD).values(assignee=bindparam("to"), claimed_by=bindparam("to"),
                                               delegated_by=bindparam("delegated_by"))
_REOPEN_TASK = (update(_tasks).where(_tasks.c.id == bindparam("task_id"), _tasks.c.state == "completed")
                .values(state="open", assignee=bindparam("holder"), claimed_by=bindparam("holder"), completed_by=None,
                        completed_at=None, data=None, opened_at=None))
_SIGN_TASK = update(_tasks).where(_tasks.c.id == bindparam("task_id"), _tasks.c.state == "open")
# The case's open inbox rows and unfired timers, in one round trip.
_OPEN_ROWS = union_all(
    select(literal_column("'task'").label("kind"), _tasks.c.task_guid, _tasks.c.id)
    .where(_tasks.c.instance_id == bindparam("case_id"), _tasks.c.state == "open"),
    select(literal_column("'timer'"), _timers.c.task_guid, _timers.c.id)
    .where(_timers.c.instance_id == bindparam("case_id"), _timers.c.fired_at.is_(None)))
_DROP_TIMERS = delete(_timers).where(_timers.c.id.in_(bindparam("ids", expanding=True)))
_ADD_TIMERS = insert(_timers)
_WRITE_TIMER = update(_timers).where(_timers.c.id == bindparam("timer_id"))
# A sweep's next due timer after the one it looked at last, in (due_at, id) order, skipping any another
# scheduler holds locked.
_NEXT_DUE = (select(_timers.c.id, _timers.c.instance_id, _timers.c.task_guid, _timers.c.element_id, _timers.c.due_at)
             .where(_timers.c.fired_at.is_(None), _timers.c.due_at <= bindparam("as_of"),
                    or_(_timers.c.due_at > bindparam("after_due"),
                        and_(_timers.c.due_at == bindparam("after_due"), _timers.c.id > bindparam("after_id"))))
             .order_by(_timers.c.due_at, _timers.c.id).limit(1).with_for_update(skip_locked=True))
_SWEEP_START = (datetime(1970, 1, 1, tzinfo=UTC), 0)
_CLOSE_NOTICES = (update(_notices).where(_notices.c.instance_id == bindparam("case_id"), _notices.c.closed_at.is_(None))
                  .values(closed_at=bindparam("at")))
# A round's list closes when the last of its units' cases ends: no one is left to object to.
_entries = NoticeEntry.__table__
_CLOSE_LISTS = (update(_notices).where(
    _notices.c.closed_at.is_(None),
    _notices.c.id.in_(select(_entries.c.notice_id).where(_entries.c.instance_id == bindparam("case_id"))),
    ~exists().where(_entries.c.notice_id == _notices.c.id, _entries.c.instance_id != bindparam("case_id"),
                    _entries.c.instance_id == _cases.c.id, _cases.c.status == "running"))
    .values(closed_at=bindparam("at")))


def _execute(statement, parameters):
    return db.session.connection().execute(statement, parameters)


def write_case(instance, values):
    """One UPDATE of the case row, only if no other step wrote it since it was read (else StaleDataError,
    answered as a conflict). The object then holds the written values as loaded, not as changes to flush."""
    values = {**values, "revision": instance.revision + 1}
    if _execute(_WRITE_CASE, {"case_id": instance.id, "seen": instance.revision, **values}).rowcount != 1:
        raise StaleDataError(f"process_instance {instance.id} changed by another step")
    for key, value in values.items():
        set_committed_value(instance, key, value)


def open_rows(instance_id):
    """({task guid: row id} of the case's open inbox rows, the same of its unfired timers)."""
    found = {"task": {}, "timer": {}}
    for kind, guid, row_id in _execute(_OPEN_ROWS, {"case_id": instance_id}):
        found[kind][guid] = row_id
    return found["task"], found["timer"]


def cancel_tasks(ids):
    if ids:
        _execute(_CANCEL_TASKS, {"ids": ids})


def add_tasks(rows):
    """Insert the inbox rows; each gets its new id under "id" (one statement, ids returned in order)."""
    if rows:
        for row, (row_id,) in zip(rows, _execute(_ADD_TASKS, rows), strict=True):
            row["id"] = row_id


def claim_task(task_id, username, release=False):
    """Claim (or release) an open task not held by another; whether it happened."""
    parameters = {"task_id": task_id, "holder": username, "claimed_by": None if release else username}
    return _execute(_CLAIM_TASK, parameters).rowcount == 1


def hand_task(task_id, holder, to, delegated_by=None):
    """Give an open task not held by another to `to` (转办, 委派 and its return); whether it happened."""
    parameters = {"task_id": task_id, "holder": holder, "to": to, "delegated_by": delegated_by}
    return _execute(_HAND_TASK, parameters).rowcount == 1


def reopen_task(task_id, holder):
    """A completed task open again, held by `holder` (拿回)."""
    _execute(_REOPEN_TASK, {"task_id": task_id, "holder": holder})


def sign_task(task_id, data):
    """Keep the signatures of a 会签 task on its open row."""
    _execute(_SIGN_TASK, {"task_id": task_id, "data": data})


def complete_task(task_id, username, **values):
    """Close an open task not held by another, as completed by `username`; whether it happened."""
    parameters = {"task_id": task_id, "holder": username, "state": "completed", "completed_by": username, **values}
    return _execute(_COMPLETE_TASK, parameters).rowcount == 1


def drop_timers(ids):
    if ids:
        _execute(_DROP_TIMERS, {"ids": ids})


def add_timers(rows):
    if rows:
        _execute(_ADD_TIMERS, rows)


def write_timer(timer_id, **values):
    _execute(_WRITE_TIMER, {"timer_id": timer_id, **values})


def next_due_timer(as_of, after=None):
    """The next unfired timer due at `as_of` after `after` ((due_at, id) of the last one looked at), locked."""
    after_due, after_id = after or _SWEEP_START
    return _execute(_NEXT_DUE, {"as_of": as_of, "after_due": after_due, "after_id": after_id}).first()


def close_notices(instance_id, at):
    """A finished case's notices still open close when it ends."""
    _execute(_CLOSE_NOTICES, {"case_id": instance_id, "at": at})
    _execute(_CLOSE_LISTS, {"case_id": instance_id, "at": at})
