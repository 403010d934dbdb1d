"""When the city moves a round's closing, the round's running cases follow it.

A case keeps what its round said when it started (`round_info`), and its diagram reads the closing from
there: a 申报 task is due then (`dueAt`), a grading's 报告逾期 timer fires then. Moved here, a task
created later (the 申报 again after a return) is due at the new closing and no timer fires at the old
one. Only what was set for the old closing moves; a case's other times stay as they are.
"""

import time

from SpiffWorkflow.util.task import TaskState

from ..extensions import db
from ..models import HumanTask, ProcessInstance, Timer
from .audit import SYSTEM
from .runtime import load_workflow, lock_instance, save_workflow, timer_definition


def follow(round_id, old, new):
    """Move the round's running cases from closing `old` to `new` (aware datetimes), in the caller's
    transaction; how many cases moved."""
    old_text, new_text = old.isoformat(), new.isoformat()
    ids = [i for (i,) in db.session.query(ProcessInstance.id).filter(
        ProcessInstance.round_id == round_id, ProcessInstance.status == "running").order_by(ProcessInstance.id)]
    for instance_id in ids:
        instance = lock_instance(instance_id)
        since = time.time()
        workflow = load_workflow(instance, SYSTEM)
        for task in workflow.get_tasks(state=TaskState.NOT_FINISHED_MASK):
            info = task.data.get("round_info")
            if isinstance(info, dict) and info.get("closes_at") == old_text:
                task.data["round_info"] = {**info, "closes_at": new_text}
            if timer_definition(task) and task._get_internal_data("event_value") == old_text:
                task._set_internal_data(event_value=new_text)  # a timer set for the closing is set anew
        save_workflow(instance, workflow, since)
    cases = db.session.query(ProcessInstance.id).filter(ProcessInstance.round_id == round_id)
    db.session.query(Timer).filter(Timer.instance_id.in_(cases), Timer.fired_at.is_(None), Timer.due_at == old) \
        .update({Timer.due_at: new}, synchronize_session=False)
    db.session.query(HumanTask).filter(HumanTask.state == "open", HumanTask.instance_id.in_(cases),
                                       HumanTask.due_at == old) \
        .update({HumanTask.due_at: new, HumanTask.reminded_at: None, HumanTask.escalated_at: None},
                synchronize_session=False)
    return len(ids)
