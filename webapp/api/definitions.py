"""Deployed process definitions: list, versions, XML, deploy."""

from flask import Response, g, jsonify, request
from sqlalchemy import func

from .. import engine
from ..engine import PolicyChangeRequired, structured
from ..extensions import db
from ..ids import parse_id
from ..models import ProcessDefinition, RuleChange
from . import BadRequest, bp, error, login_required


def definition_json(d):
    return {"key": d.key, "version": d.version, "name": d.name, "deployed_at": d.deployed_at.isoformat(),
            "deployed_by": d.deployed_by, "note": d.note, "needs_round": d.needs_round}


@bp.get("/process-definitions")
@login_required()
def list_definitions():
    latest = (db.session.query(ProcessDefinition.key, func.max(ProcessDefinition.version).label("v"))
              .group_by(ProcessDefinition.key).subquery())
    rows = (ProcessDefinition.query.join(latest, (ProcessDefinition.key == latest.c.key)
                                         & (ProcessDefinition.version == latest.c.v))
            .order_by(ProcessDefinition.key))
    return jsonify([definition_json(d) for d in rows])


@bp.get("/process-definitions/<key>/versions")
@login_required("owner", "city")
def versions(key):
    rows = ProcessDefinition.query.filter_by(key=key).order_by(ProcessDefinition.version).all()
    if not rows:
        return error(404, "流程不存在")
    return jsonify([definition_json(d) for d in rows])


@bp.get("/process-definitions/<key>/xml")
@login_required()
def xml(key):
    version = request.args.get("version")
    if version is None:
        definition = engine.latest_definition(key)
    elif parse_id(version):
        definition = ProcessDefinition.query.filter_by(key=key, version=parse_id(version)).first()
    else:
        raise BadRequest("version 必须是整数")
    if definition is None:
        return error(404, "流程版本不存在")
    return Response(definition.bpmn_xml, mimetype="application/xml")


def _named(part, suffix):
    """{key: content} of the uploaded files of one multipart part, each named <key><suffix>."""
    found = {}
    for upload in request.files.getlist(part):
        name = (upload.filename or "").rsplit("/", 1)[-1]
        if not name.endswith(suffix) or not name[:-len(suffix)]:
            raise BadRequest(f"{part} 文件须命名为 <名称>{suffix}：{name}")
        found[name[:-len(suffix)]] = upload.read()
    return found


@bp.post("/process-definitions")
@login_required("owner")
def deploy():
    """Deploy a rule package: the parts uploaded over the latest version of the process (the rest carries over)."""
    files = request.files.getlist("bpmn")
    if len(files) != 1:
        raise BadRequest("需要且只需要一个 bpmn 文件")
    dmns = [(f.filename or "table.dmn", f.read()) for f in request.files.getlist("dmn")]
    single = {part: request.files[part].read() if part in request.files else None
              for part in ("scenarios", "parameters")}
    forms, lists = _named("form", ".yaml"), _named("list", ".yaml")
    try:
        package = engine.assemble((files[0].filename or "process.bpmn", files[0].read()), dmns=dmns or None,
                                  forms=forms, lists=lists, **single)
        result, created = engine.changes.submit(package, g.user, note=request.form.get("note"),
                                                confirm_policy_change=request.form.get("confirm_policy_change") in (
                                                    "true", "1", "on", "yes"),
                                                reason=request.form.get("reason"))
    except engine.DefinitionError as err:
        # errors: the findings as text (as always); findings: the same with file, line, element_id, severity.
        db.session.rollback()
        return jsonify({"error": str(err), "errors": err.errors, "findings": structured(err),
                        "policy_change": isinstance(err, PolicyChangeRequired)}), 422
    db.session.commit()
    return submitted(result, created)


def submitted(result, created):
    """201 {key, version} for a new version, 200 for the unchanged latest, 202 for a change waiting for approval."""
    if isinstance(result, RuleChange):
        return jsonify({"change_id": result.id, "instance_id": result.instance_id, "status": "pending",
                        "key": result.key}), 202
    return jsonify({"key": result.key, "version": result.version, "created": created}), 201 if created else 200


def _version(key, number=None):
    query = ProcessDefinition.query.filter_by(key=key)
    found = (query.filter_by(version=number) if number is not None
             else query.order_by(ProcessDefinition.version.desc())).first()
    if found is None:
        raise engine.NotFound("流程版本不存在")
    return found


@bp.get("/process-definitions/<key>/package")
@login_required("owner", "city")
def package(key):
    """One version's whole rule package (the latest without ?version=)."""
    version = request.args.get("version")
    if version is not None and not parse_id(version):
        raise BadRequest("version 必须是整数")
    d = _version(key, parse_id(version) if version is not None else None)
    whole = engine.of_version(d)
    return jsonify({"key": d.key, "version": d.version, "bpmn": whole.bpmn[1], "dmn": dict(whole.dmns),
                    "forms": whole.forms, "lists": whole.lists, "parameters": whole.parameters,
                    "scenarios": whole.scenarios, "note": d.note, "deployed_by": d.deployed_by,
                    "deployed_at": d.deployed_at.isoformat(), "approved_by": d.approved_by})


@bp.post("/process-definitions/<key>/versions/<int:number>/restore")
@login_required("owner")
def restore(key, number):
    """A new version with version `number`'s package (approved like any change)."""
    body = request.get_json(silent=True) or {}
    note = body.get("note") if isinstance(body, dict) and isinstance(body.get("note"), str) else None
    try:
        result, created = engine.changes.restore(key, number, g.user, note)
    except engine.DefinitionError as err:
        db.session.rollback()
        return jsonify({"error": str(err), "errors": err.errors, "findings": structured(err)}), 422
    db.session.commit()
    return submitted(result, created)
