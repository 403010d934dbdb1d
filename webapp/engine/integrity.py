"""The invariants every case keeps, checked on any database (`flask check`).

A step writes the workflow state, the inbox rows, the timers and the history in one transaction, so
after any crash each case must still agree with itself. A case that does not is named with what is
wrong; nothing here changes anything.
"""

from collections import Counter, defaultdict

from sqlalchemy import func
from sqlalchemy.orm import joinedload, undefer

from ..extensions import db
from ..models import AuditEvent, HumanTask, ProcessInstance, Timer
from . import runtime

STATUSES = {"running", "completed", "terminated", "error"}


def _open_tasks():
    found = defaultdict(set)
    for instance_id, guid in HumanTask.query.filter_by(state="open").with_entities(HumanTask.instance_id,
                                                                                   HumanTask.task_guid):
        found[instance_id].add(guid)
    return found


def _pending_timers():
    found = defaultdict(set)
    for instance_id, guid in Timer.query.filter(Timer.fired_at.is_(None)).with_entities(Timer.instance_id,
                                                                                       Timer.task_guid):
        found[instance_id].add(guid)
    return found


def problems_of(instance, tasks, timers, history, completed):
    """What is wrong with one case (empty when nothing is). `tasks`/`timers`: guids of its open inbox
    rows and unfired timers; `history`: Counter of (action, element) in its audit entries; `completed`:
    Counter of element ids of its completed inbox rows."""
    found = []
    if instance.status not in STATUSES:
        found.append(f"未知状态 {instance.status!r}")
    if not any(action == "start" for action, _ in history):
        found.append("没有发起记录（start）")
    for element, n in completed.items():
        logged = history[("complete", element)]
        if logged < n:
            found.append(f"{element}：{n} 个已办任务只有 {logged} 条办理记录")
    if instance.status in ("running", "error"):  # a case in error keeps its last good state and rows
        found += _running_problems(instance, tasks, timers)
    else:
        if tasks:
            found.append(f"案件已{instance.status}，仍有 {len(tasks)} 个待办任务")
        if timers:
            found.append(f"案件已{instance.status}，仍有 {len(timers)} 个未触发的定时")
    if instance.status == "completed":
        if instance.ended_at is None:
            found.append("已办结但没有办结时间")
        if not any(action == "end" for action, _ in history):
            found.append("已办结但没有办结记录（end）")
    if instance.status == "error" and not instance.error:
        found.append("标记为出错但没有原因")
    return found


def _running_problems(instance, tasks, timers):
    if not instance.state:
        return ["办理中但没有流程状态"]
    try:
        ready, waiting_timers, waiting = runtime.open_work(instance)
    except Exception as err:  # noqa: BLE001 - a state that does not load is what this check reports
        return [f"流程状态无法读取：{type(err).__name__}: {err}"]
    found = []
    if ready != tasks:
        found.append(f"待办任务与流程不一致：流程 {len(ready)} 个，待办表 {len(tasks)} 个"
                     f"（缺 {len(ready - tasks)}，多 {len(tasks - ready)}）")
    if waiting_timers != timers:
        found.append(f"定时与流程不一致：流程 {len(waiting_timers)} 个，定时表 {len(timers)} 个")
    if not ready and not waiting:
        found.append("办理中却没有任何待办、定时或等待的事件（卡住）")
    return found


def check(batch=500):
    """([(case, [problems])] of every broken case, oldest first; [ids of cases that do not exist but have
    open inbox rows or timers]). Cases in error are not broken: they are marked with their reason for
    the city and listed by `errors()`."""
    tasks, timers = _open_tasks(), _pending_timers()
    broken = []
    ids = [i for (i,) in db.session.query(ProcessInstance.id).order_by(ProcessInstance.id)]
    for start in range(0, len(ids), batch):
        chunk = ids[start:start + batch]
        history = defaultdict(Counter)
        for instance_id, action, element, n in (
                db.session.query(AuditEvent.instance_id, AuditEvent.action, AuditEvent.element_id, func.count())
                .filter(AuditEvent.instance_id.in_(chunk))
                .group_by(AuditEvent.instance_id, AuditEvent.action, AuditEvent.element_id)):
            history[instance_id][(action, element)] = n
        completed = defaultdict(Counter)
        for instance_id, element, n in (
                db.session.query(HumanTask.instance_id, HumanTask.element_id, func.count())
                .filter(HumanTask.instance_id.in_(chunk), HumanTask.state == "completed")
                .group_by(HumanTask.instance_id, HumanTask.element_id)):
            completed[instance_id][element] = n
        cases = (ProcessInstance.query.filter(ProcessInstance.id.in_(chunk)).order_by(ProcessInstance.id)
                 .options(undefer(ProcessInstance.state), joinedload(ProcessInstance.definition)))
        for instance in cases:
            found = problems_of(instance, tasks.pop(instance.id, set()), timers.pop(instance.id, set()),
                                history[instance.id], completed[instance.id])
            if found:
                broken.append((instance, found))
        db.session.expunge_all()
    return broken, sorted(set(tasks) | set(timers))


def errors():
    """Cases marked error, with their reasons."""
    return ProcessInstance.query.filter_by(status="error").order_by(ProcessInstance.id).all()
