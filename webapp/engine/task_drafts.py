"""暂存: what the holder of an open task has typed so far — theirs alone, one per task and person,
replaced by the next save, and what the form opens with when they come back."""

from ..extensions import db
from ..models import TaskDraft
from . import clock


def save(task, username, values):
    draft = TaskDraft.query.filter_by(task_id=task.id, username=username).first()
    if draft is None:
        draft = TaskDraft(task_id=task.id, username=username, data={})
        db.session.add(draft)
    draft.data, draft.saved_at = values, clock.now()
    db.session.flush()
    return draft


def of(task, username):
    """The person's draft of the task (None when they have none)."""
    return TaskDraft.query.filter_by(task_id=task.id, username=username).first()
