"""The process owner's workspace (Art. 16): edit a diagram in the BPMN modeler, a decision table in the
DMN editor and a form's YAML with a live preview; lint before anything deploys, the regulation's
guardrails included (a policy change deploys only when confirmed with a reason).

Only process owners reach it. The JSON posts carry the page's CSRF token in the X-CSRFToken header.
"""

import os
import re
import tempfile
from pathlib import Path

import yaml
from flask import Blueprint, abort, current_app, jsonify, render_template, request, send_file, url_for
from flask_babel import get_locale
from flask_login import current_user, login_required
from sqlalchemy.orm import load_only

from .. import engine
from ..engine import audit
from ..engine.definitions import (
    DELISTING_GROUNDS,
    NS,
    PolicyChangeRequired,
    latest_definition,
    process_properties,
    structured,
)
from ..engine.xml import parse_xml
from ..extensions import db
from ..formkit import FormDefinitionError, forms_dir
from ..formkit.definition import NAME, parse_form
from ..models import ProcessDefinition

bp = Blueprint("workspace", __name__, url_prefix="/workspace")

KEY = re.compile(r"[A-Za-z_][\w.\-]{0,79}")
MAX_SOURCE = 5 * 1024 * 1024  # one diagram or table, as text


@bp.before_request
@login_required
def owners_only():
    if current_user.role != "owner":
        abort(403)


def _latest(key):
    if not KEY.fullmatch(key):
        abort(404)
    definition = latest_definition(key, required=False)
    if definition is None:
        abort(404)
    return definition


def dmn_names(definition):
    """The file names a version's decision tables are edited under: <key>.dmn, <key>-2.dmn, …"""
    return [f"{definition.key}.dmn" if i == 0 else f"{definition.key}-{i + 1}.dmn"
            for i in range(len(definition.dmn_xml or []))]


def _text(value, what):
    if not isinstance(value, str) or not value.strip():
        abort(400, description=f"{what} 不能为空")
    if len(value) > MAX_SOURCE:
        abort(413)
    return value


def _process_key(bpmn_text):
    """The executable process id of a BPMN text, or None."""
    try:
        root = parse_xml(bpmn_text.encode("utf-8"), "diagram.bpmn")
    except engine.DefinitionError:
        return None
    found = root.xpath("//bpmn:process[@isExecutable='true']/@id", namespaces=NS)
    return str(found[0]) if found else None


def _sources(body):
    """(bpmn, dmns) from a JSON body: {bpmn, dmn, key}. A missing bpmn is the latest version's (with key);
    a missing dmn list is the latest version's tables of the same process."""
    if not isinstance(body, dict):
        abort(400, description="请求体必须是 JSON 对象")
    key = body.get("key")
    bpmn = body.get("bpmn")
    if bpmn is None:
        if not isinstance(key, str):
            abort(400, description="需要 bpmn 或 key")
        bpmn = _latest(key).bpmn_xml
    bpmn = _text(bpmn, "bpmn")
    dmn = body.get("dmn")
    if dmn is None:
        process_key = key if isinstance(key, str) and KEY.fullmatch(key) else _process_key(bpmn)
        latest = latest_definition(process_key, required=False) if process_key else None
        dmns = list(zip(dmn_names(latest), latest.dmn_xml or [], strict=True)) if latest else []
    elif isinstance(dmn, list):
        dmns = []
        for i, item in enumerate(dmn):
            if isinstance(item, dict):
                dmns.append((str(item.get("name") or f"table-{i + 1}.dmn"), _text(item.get("xml"), "dmn")))
            else:
                dmns.append((f"table-{i + 1}.dmn", _text(item, "dmn")))
    else:
        abort(400, description="dmn 必须是列表")
    edited = body.get("edit")
    if isinstance(edited, dict):  # one table replaced (the DMN editor), the others as they are
        names = [n for n, _ in dmns]
        if edited.get("file") not in names:
            abort(400, description="决策表文件不存在")
        dmns[names.index(edited["file"])] = (edited["file"], _text(edited.get("xml"), "dmn"))
    name = body.get("filename") if isinstance(body.get("filename"), str) else None
    return ((name or f"{_process_key(bpmn) or 'process'}.bpmn"), bpmn), dmns


def _findings_response(err, status=422):
    findings = structured(err)
    return jsonify({"ok": False, "error": str(err), "errors": err.errors, "findings": findings,
                    "policy_change": isinstance(err, PolicyChangeRequired)
                    or any(f["severity"] == "policy" for f in findings)}), status


@bp.get("/")
def index():
    versions = (ProcessDefinition.query
                .options(load_only(ProcessDefinition.key, ProcessDefinition.version, ProcessDefinition.name,
                                   ProcessDefinition.dmn_xml))
                .order_by(ProcessDefinition.key, ProcessDefinition.version.desc()).all())
    latest = {}
    for definition in versions:
        latest.setdefault(definition.key, definition)
    forms = sorted(p.stem for p in _forms_dir().glob("*.yaml") if NAME.match(p.stem))
    return render_template("workspace/index.html", latest=list(latest.values()), dmn_names=dmn_names, forms=forms)


@bp.get("/<key>")
def modeler(key):
    definition = _latest(key)
    return render_template("workspace/modeler.html", definition=definition, dmn_names=dmn_names(definition))


@bp.get("/<key>/source.bpmn")
def source(key):
    definition = _latest(key)
    return current_app.response_class(definition.bpmn_xml, mimetype="application/xml")


@bp.post("/lint")
def lint():
    """Lint without deploying: {ok, findings: [{file, line, element_id, message, severity}], policy_change}."""
    bpmn, dmns = _sources(request.get_json(silent=True))
    try:
        parsed = engine.parse_files(bpmn, dmns, confirm_policy_change=True, reason="lint")
    except engine.DefinitionError as err:
        return _findings_response(err, 200)
    policy = [f.to_dict() for f in parsed.policy]
    return jsonify({"ok": not policy, "error": None, "errors": [str(f) for f in parsed.policy],
                    "findings": policy, "policy_change": bool(policy), "key": parsed.key})


@bp.post("/deploy")
def deploy():
    """Deploy the edited diagram (and tables) as a new version: 201 {key, version}, or 422 with the findings."""
    body = request.get_json(silent=True)
    bpmn, dmns = _sources(body)
    note = body.get("note") if isinstance(body.get("note"), str) else None
    reason = body.get("reason") if isinstance(body.get("reason"), str) else None
    scenarios = body.get("scenarios") if isinstance(body.get("scenarios"), str) else None
    try:
        definition, created = engine.deploy(bpmn, dmns, actor=current_user.username, note=(note or "").strip() or None,
                                            confirm_policy_change=body.get("confirm_policy_change") is True,
                                            reason=reason, scenarios=scenarios)
    except engine.DefinitionError as err:
        db.session.rollback()
        return _findings_response(err)
    db.session.commit()
    return jsonify({"ok": True, "key": definition.key, "version": definition.version, "created": created,
                    "note": definition.note,
                    "url": url_for("definitions.show", key=definition.key, version=definition.version)}), (
        201 if created else 200)


def _dmn(key, file):
    """The latest version of `key`, its table names, and the position of `file` among them (404 if absent)."""
    definition = _latest(key)
    names = dmn_names(definition)
    if file not in names:
        abort(404)
    return definition, names, names.index(file)


@bp.get("/<key>/dmn/<file>")
def dmn_editor(key, file):
    definition, names, _index = _dmn(key, file)
    return render_template("workspace/dmn.html", definition=definition, file=file, names=names)


@bp.get("/<key>/dmn/<file>/source.dmn")
def dmn_source(key, file):
    definition, _names, index = _dmn(key, file)
    return current_app.response_class(definition.dmn_xml[index], mimetype="application/xml")


# Forms: forms/<key>.yaml in the app's FORMS_DIR.

def _forms_dir():
    return forms_dir()


def _form_key(key):
    if not isinstance(key, str) or not NAME.match(key) or len(key) > 80:
        abort(404)
    return key


def _parse_yaml(key, text):
    """The FormDefinition of a YAML text, or FormDefinitionError naming what is wrong."""
    if not isinstance(text, str):
        raise FormDefinitionError("yaml 不能为空")
    if len(text) > MAX_SOURCE:
        abort(413)
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise FormDefinitionError(f"{key}.yaml: not valid YAML: {exc}") from None
    lists = _forms_dir() / "lists"

    def read_list(name):
        path = lists / f"{name}.yaml"
        if not NAME.match(name) or not path.is_file():
            return None
        return yaml.safe_load(path.read_text(encoding="utf-8"))

    definition = parse_form(raw, f"{key}.yaml", key, read_list)
    definition.wtform_class(str(get_locale()))  # the HTML form must build too
    return definition


def _delisting_policy(definition):
    """Art. 8: the delisting start form offers all eight grounds; a message when it no longer does."""
    delisting = latest_definition("provider_delisting", required=False)
    if delisting is None or process_properties(delisting).get("startForm") != definition.key:
        return None
    field = next((f for f in definition.fields if f.name == "ground"), None)
    offered = {c.value for c in (field.choices or ())} if field else set()
    missing = [ground for ground in DELISTING_GROUNDS if ground not in offered]
    return f"出库流程的发起表单缺少第八条的出库情形 {'、'.join(missing)}" if missing else None


@bp.get("/forms/")
def forms():
    return render_template("workspace/forms.html",
                           forms=sorted(p.stem for p in _forms_dir().glob("*.yaml") if NAME.match(p.stem)))


@bp.get("/forms/<key>")
def form_editor(key):
    key = _form_key(key)
    path = _forms_dir() / f"{key}.yaml"
    text = path.read_text(encoding="utf-8") if path.is_file() else f"key: {key}\ntitle: \nfields: []\n"
    return render_template("workspace/form.html", key=key, text=text, exists=path.is_file())


@bp.get("/forms/<key>.yaml")
def form_download(key):
    key = _form_key(key)
    path = _forms_dir() / f"{key}.yaml"
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype="text/yaml", as_attachment=True, download_name=f"{key}.yaml")


@bp.post("/forms/preview")
def form_preview():
    """The form rendered from the posted YAML (an HTML fragment), or its definition error (422)."""
    body = request.get_json(silent=True) or {}
    key = _form_key(body.get("key"))
    try:
        definition = _parse_yaml(key, body.get("yaml"))
        form = definition.wtform_class(str(get_locale()))(formdata=None, meta={"csrf": False})
    except (FormDefinitionError, ValueError, TypeError) as err:
        return render_template("workspace/form_error.html", message=str(err)), 422
    return render_template("workspace/form_preview.html", definition=definition, form=form)


@bp.post("/forms/<key>")
def form_save(key):
    """Write forms/<key>.yaml, only when it parses: 200 {ok}, or 422 {error} with nothing written."""
    key = _form_key(key)
    body = request.get_json(silent=True) or {}
    text = body.get("yaml")
    try:
        definition = _parse_yaml(key, text)
    except (FormDefinitionError, ValueError, TypeError) as err:
        return jsonify({"ok": False, "error": str(err)}), 422
    policy = _delisting_policy(definition)
    reason = body.get("reason").strip() if isinstance(body.get("reason"), str) else ""
    if policy and not (body.get("confirm_policy_change") is True and reason):
        return jsonify({"ok": False, "policy_change": True,
                        "error": policy + "（政策变更，需明确确认并说明理由）"}), 422
    directory = _forms_dir()
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=f".{key}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, directory / f"{key}.yaml")
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    audit.record("form_edit", current_user.username, name=f"forms/{key}.yaml",
                 data={"key": key, **({"policy_change": policy, "reason": reason} if policy else {})})
    db.session.commit()
    return jsonify({"ok": True, "key": key})



@bp.get("/<key>/scenarios")
def scenarios(key):
    """运行场景测试: the diagram's scenarios (processes/<key>.scenarios.yaml) against its latest version,
    in a throw-away database; pass or fail per scenario."""
    from ..engine import scenarios as runner

    definition = _latest(key)
    path = runner.scenario_file(definition.key)
    results, error = [], None
    if path is not None:
        dmns = list(zip(dmn_names(definition), definition.dmn_xml or [], strict=True))
        try:
            results = runner.run((f"{definition.key}.bpmn", definition.bpmn_xml.encode()),
                                 [(name, text.encode()) for name, text in dmns],
                                 path.read_text(encoding="utf-8"))
        except (runner.ScenarioFileError, engine.DefinitionError) as err:
            error = str(err)
    return render_template("workspace/scenarios.html", definition=definition, results=results, error=error,
                           file=path.name if path else None, passed=sum(r["passed"] for r in results))
