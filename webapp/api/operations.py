"""The task operations (转办 委派 抄送 催办 撤回 暂存) and notifications, as API.md names them."""

from flask import g, jsonify, request

from .. import engine
from ..extensions import db
from . import bp, json_body, login_required
from .instances import instance_json
from .tasks import task_json

ops = engine.operations


@bp.post("/tasks/<int:task_id>/transfer")
@login_required()
def transfer(task_id):
    body = json_body()
    task = ops.transfer(task_id, g.user, body.get("to"), body.get("comment"))
    db.session.commit()
    return jsonify(task_json(task))


@bp.post("/tasks/<int:task_id>/delegate")
@login_required()
def delegate(task_id):
    body = json_body()
    task = ops.delegate(task_id, g.user, body.get("to"), body.get("comment"))
    db.session.commit()
    return jsonify(task_json(task))


@bp.post("/tasks/<int:task_id>/cc")
@login_required()
def cc(task_id):
    body = json_body()
    task = ops.cc(task_id, g.user, body.get("to"), body.get("comment"))
    db.session.commit()
    return jsonify(task_json(task))


@bp.post("/tasks/<int:task_id>/urge")
@login_required()
def urge(task_id):
    task = ops.urge(task_id, g.user, json_body().get("message"))
    db.session.commit()
    return jsonify(task_json(task))


@bp.put("/tasks/<int:task_id>/draft")
@login_required()
def save_draft(task_id):
    """暂存: {data: {...}}; keeps what is valid of it, for the caller alone."""
    draft = ops.keep_draft(task_id, g.user, json_body().get("data"))
    db.session.commit()
    return jsonify({"data": draft.data, "saved_at": draft.saved_at.isoformat()})


@bp.post("/tasks/<int:task_id>/replace-expert")
@login_required()
def replace_expert(task_id):
    """换人: {to, comment} gives an open expert review to another eligible expert (the city)."""
    body = json_body()
    task = ops.replace_expert(task_id, g.user, body.get("to"), body.get("comment"))
    db.session.commit()
    return jsonify(task_json(task))


@bp.post("/tasks/<int:task_id>/take-back")
@login_required()
def take_back(task_id):
    """拿回: {reason}; the caller's completed step opens again while its next steps are untouched."""
    task = ops.take_back_step(task_id, g.user, json_body().get("reason"))
    db.session.commit()
    return jsonify(task_json(task))


@bp.post("/tasks/<int:task_id>/draw")
@login_required()
def draw_experts(task_id):
    """随机抽取: the drawn experts become the caller's draft of the assignment (then completed as usual)."""
    drawn, seed = ops.draw_experts(task_id, g.user)
    db.session.commit()
    return jsonify({"experts": drawn, "seed": seed})


@bp.post("/process-instances/<int:instance_id>/withdraw")
@login_required()
def withdraw(instance_id):
    instance = ops.withdraw(instance_id, g.user, json_body().get("reason"))
    body = instance_json(instance, g.user)
    db.session.commit()
    return jsonify(body)


def notification_json(n):
    return {"id": n.id, "at": n.at.isoformat(), "kind": n.kind, "title": n.title, "body": n.body,
            "instance_id": n.instance_id, "task_id": n.task_id, "read": n.read_at is not None}


@bp.get("/notifications")
@login_required()
def notifications():
    unread = request.args.get("unread") in ("true", "1")
    items = engine.notifications.of_user(g.user.username, unread).limit(200)
    return jsonify([notification_json(n) for n in items])


@bp.post("/notifications/<int:notification_id>/read")
@login_required()
def read_notification(notification_id):
    if not engine.notifications.mark_read(g.user.username, notification_id):
        exists = engine.notifications.of_user(g.user.username).filter_by(id=notification_id).first()
        if exists is None:
            raise engine.NotFound("通知不存在")
    db.session.commit()
    return "", 204
