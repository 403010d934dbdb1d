"""The inbox: open and done tasks, one task with its form and case context, claim and complete."""

from flask import g, jsonify, request
from sqlalchemy.orm import joinedload

from .. import engine, paging, scope
from ..extensions import db
from ..models import HumanTask
from . import bp, json_body, login_required, paged_json
from .instances import instance_json


def task_json(t):
    return {"id": t.id, "instance_id": t.instance_id, "process": t.instance.process_key,
            "subject": t.instance.subject, "district": t.instance.district, "element_id": t.element_id,
            "name": t.name, "lane": t.lane, "role": t.role, "state": t.state,
            "due_at": t.due_at.isoformat() if t.due_at else None, "claimed_by": t.claimed_by,
            "assignee": t.assignee, "delegated_by": t.delegated_by, "completed_by": t.completed_by,
            "completed_at": t.completed_at.isoformat() if t.completed_at else None}


@bp.get("/tasks")
@login_required()
def list_tasks():
    """A page of the caller's tasks (?page=, ?per_page= up to 500); Link and X-Total-Count say what else there is."""
    if request.args.get("state") == "cc":
        return _copies()
    if request.args.get("state") == "done":
        query = HumanTask.query.filter_by(completed_by=g.user.username).order_by(HumanTask.completed_at.desc(),
                                                                                 HumanTask.id.desc())
    else:
        query = scope.candidate_tasks(g.user).filter(
            (HumanTask.claimed_by.is_(None)) | (HumanTask.claimed_by == g.user.username)
        ).order_by(HumanTask.due_at.asc().nulls_last(), HumanTask.id)
    number, size = paging.request_page(request.args)
    page = paging.page_of(query, number, size, options=[joinedload(HumanTask.instance)])
    return paged_json([task_json(t) for t in page.items], page)


def _copies():
    """抄送我的: the copies sent to the caller, newest first, each with its task and whether it was read."""
    number, size = paging.request_page(request.args)
    page = paging.page_of(engine.operations.copies_of(g.user), number, size)
    return paged_json([{**task_json(c.task), "cc_id": c.id, "sent_by": c.sent_by, "comment": c.comment,
                        "sent_at": c.at.isoformat(), "read": c.read_at is not None} for c in page.items], page)


@bp.get("/tasks/<int:task_id>")
@login_required()
def get_task(task_id):
    task = engine.visible_task(task_id, g.user)
    engine.operations.mark_opened(task, g.user)
    db.session.commit()
    reader = engine.reader(g.user, task.instance)
    body = task_json(task)
    values = engine.opening_values(task, g.user) if task.form_key and task.state == "open" else None
    body["form"] = engine.form_for(task).to_json(values=values) if task.form_key else None
    body["context"] = reader.data(engine.task_context(task))
    body["data"] = reader.submission(task) if task.state == "completed" else None
    return jsonify(body)


@bp.post("/tasks/<int:task_id>/claim")
@login_required()
def claim(task_id):
    task = engine.claim(task_id, g.user)
    db.session.commit()
    return jsonify(task_json(task))


@bp.post("/tasks/<int:task_id>/unclaim")
@login_required()
def unclaim(task_id):
    task = engine.claim(task_id, g.user, release=True)
    db.session.commit()
    return jsonify(task_json(task))


@bp.post("/tasks/<int:task_id>/complete")
@login_required()
def complete(task_id):
    body = json_body()
    data = body.get("data", {})
    if not isinstance(data, dict):
        return jsonify({"error": "data 必须是 JSON 对象"}), 400
    body = {"instance": instance_json(engine.complete(task_id, g.user, data), g.user)}  # before commit expires it
    db.session.commit()
    return jsonify(body)
