"""Cases: start, list, detail (with completed/active element ids), history."""

import json

from flask import g, jsonify, request

from .. import engine, scope
from ..extensions import db
from ..models import Organization, ProcessInstance
from . import BadRequest, bp, json_body, login_required


def instance_json(i, user):
    """A case as `user` may read it: its data passes the case's declared disclosure (engine.reader)."""
    return {
        "id": i.id, "process": i.process_key, "version": i.definition.version, "status": i.status,
        "subject": i.subject, "district": i.district, "round_id": i.round_id,
        "started_at": i.started_at.isoformat(), "ended_at": i.ended_at.isoformat() if i.ended_at else None,
        "outcome": i.outcome, "outcome_reason": i.outcome_reason,
        "error": i.error if user.role in ("city", "owner") else None,
        "completed": i.completed_ids, "active": i.active_ids if i.status == "running" else [],
        "data": engine.reader(user, i).data(i.data),
    }


def visible_instance(instance_id):
    instance = scope.instances_query(g.user).filter(ProcessInstance.id == instance_id).first()
    if instance is None:
        raise engine.NotFound("案件不存在")
    return instance


@bp.post("/process-instances")
@login_required()
def start_instance():
    body = json_body()
    process, round_id, data = body.get("process"), body.get("round_id"), body.get("data")
    if not isinstance(process, str):
        raise BadRequest("缺少 process")
    if round_id is not None and (not isinstance(round_id, int) or isinstance(round_id, bool)
                                 or not 0 < round_id < 2**31):
        raise BadRequest("round_id 必须是整数")
    if data is not None and not (isinstance(data, dict) and all(
            isinstance(k, str) and k.isidentifier() and not k.startswith("_") for k in data)):
        raise BadRequest("data 必须是 JSON 对象，键为不以下划线开头的标识符")
    if data is not None and len(json.dumps(data)) > 64 * 1024:
        raise BadRequest("data 过大")
    organization = None
    if body.get("organization") is not None:  # an official starting a case about an organisation
        organization = Organization.query.filter_by(credit_code=str(body["organization"]).upper()).first()
        if organization is None or g.user.role == "applicant":
            raise engine.ValidationFailed("单位不存在", {"organization": ["未找到该统一社会信用代码的单位"]})
    instance = engine.start(process, g.user, round_id, data, organization)
    db.session.commit()
    return jsonify(instance_json(instance, g.user)), 201


@bp.get("/process-instances")
@login_required()
def list_instances():
    query = scope.instances_query(g.user).order_by(ProcessInstance.id.desc())
    if request.args.get("process"):
        query = query.filter(ProcessInstance.process_key == request.args["process"])
    if request.args.get("status"):
        query = query.filter(ProcessInstance.status == request.args["status"])
    return jsonify([instance_json(i, g.user) for i in query.limit(500)])


@bp.get("/process-instances/<int:instance_id>")
@login_required()
def get_instance(instance_id):
    return jsonify(instance_json(visible_instance(instance_id), g.user))


@bp.get("/process-instances/<int:instance_id>/history")
@login_required()
def history(instance_id):
    reader = engine.reader(g.user, visible_instance(instance_id))
    return jsonify([dict(e, at=e["at"].isoformat()) for e in reader.history()])
