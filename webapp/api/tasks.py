"""The inbox: open and done tasks, one task with its form and case context, claim and complete."""

from flask import g, jsonify, request
from sqlalchemy.orm import joinedload

from .. import engine, scope
from ..extensions import db
from ..models import HumanTask
from . import bp, json_body, login_required
from .instances import instance_json


def task_json(t):
    return {"id": t.id, "instance_id": t.instance_id, "process": t.instance.process_key,
            "subject": t.instance.subject, "district": t.instance.district, "element_id": t.element_id,
            "name": t.name, "lane": t.lane, "role": t.role, "state": t.state,
            "due_at": t.due_at.isoformat() if t.due_at else None, "claimed_by": t.claimed_by,
            "assignee": t.assignee, "completed_by": t.completed_by,
            "completed_at": t.completed_at.isoformat() if t.completed_at else None}


@bp.get("/tasks")
@login_required()
def list_tasks():
    if request.args.get("state") == "done":
        query = HumanTask.query.filter_by(completed_by=g.user.username).order_by(HumanTask.completed_at.desc())
    else:
        query = scope.candidate_tasks(g.user).filter(
            (HumanTask.claimed_by.is_(None)) | (HumanTask.claimed_by == g.user.username)
        ).order_by(HumanTask.due_at.asc().nulls_last(), HumanTask.id)
    return jsonify([task_json(t) for t in query.options(joinedload(HumanTask.instance)).limit(500)])


@bp.get("/tasks/<int:task_id>")
@login_required()
def get_task(task_id):
    task = engine.visible_task(task_id, g.user)
    body = task_json(task)
    body["form"] = engine.form_for(task).to_json() if task.form_key else None
    body["context"] = engine.task_context(task)
    body["data"] = task.data
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
    body = {"instance": instance_json(engine.complete(task_id, g.user, data))}  # before commit expires it
    db.session.commit()
    return jsonify(body)
