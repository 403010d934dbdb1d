"""The process owner's workspace (Art. 16): the draft of each process's next rule package — its diagram in
the BPMN modeler, its decision tables in the DMN editor, its forms and choice lists as YAML with a live
preview, its rule parameters and its scenarios — checked as a whole and deployed as one new version.

Every edit goes into the draft (drafts.py), never into the rules in force. Only process owners reach
these pages; the JSON posts carry the page's CSRF token in the X-CSRFToken header.
"""

import re

from flask import Blueprint, abort, current_app, jsonify, make_response, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user, login_required

from .. import drafts, engine
from ..engine import PolicyChangeRequired, structured
from ..engine.package import FORM_PROPERTIES, form_keys
from ..extensions import db
from ..formkit import FormDefinitionError, FormNotFound
from ..formkit.definition import NAME
from ..formkit.library import read_yaml
from ..models import RuleChange
from ..security.headers import allow_inline_styles

bp = Blueprint("workspace", __name__, url_prefix="/workspace")

KEY = re.compile(r"[A-Za-z_][\w.\-]{0,79}")
MAX_SOURCE = 5 * 1024 * 1024  # one diagram, table or YAML file, as text
NEW_FORM = "key: {key}\ntitle: \nfields:\n  - name: opinion\n    type: textarea\n    label: 意见\n"
NEW_LIST = "- {value: example, label: 示例, label_en: Example}\n"


@bp.before_request
@login_required
def owners_only():
    if current_user.role != "owner":
        abort(403)


def _key(key):
    if not isinstance(key, str) or not KEY.fullmatch(key):
        abort(404)
    return key


def _draft(key):
    """(package, draft row or None) of a process the workspace knows; 404 otherwise."""
    try:
        return drafts.draft(_key(key))
    except engine.NotFound:
        abort(404)


def _text(value, what):
    if not isinstance(value, str) or not value.strip():
        abort(400, description=f"{what} 不能为空")
    if len(value) > MAX_SOURCE:
        abort(413)
    return value


def _body():
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400, description="请求体必须是 JSON 对象")
    return body


def _edited(body):
    """The package a JSON body means: {key, bpmn, dmn, edit, scenarios} over the draft of `key` (else the
    latest version); a body with only a bpmn names its process by the diagram."""
    bpmn = body.get("bpmn")
    key = body.get("key") if isinstance(body.get("key"), str) else None
    if bpmn is not None:
        bpmn = _text(bpmn, "bpmn")
        key = key or engine.package.process_key(bpmn)
    if key is None:
        if bpmn is None:
            abort(400, description="需要 bpmn 或 key")
        return engine.assemble((body.get("filename") or "process.bpmn", bpmn))  # linted: no executable process
    try:
        base, _row = drafts.draft(_key(key))
    except engine.NotFound:
        return engine.assemble((body.get("filename") or f"{key}.bpmn", bpmn or ""))  # a process new to the system
    dmns = list(base.dmns)
    if isinstance(body.get("dmn"), list):
        dmns = [(str(item.get("name") or f"table-{i + 1}.dmn"), _text(item.get("xml"), "dmn"))
                if isinstance(item, dict) else (f"table-{i + 1}.dmn", _text(item, "dmn"))
                for i, item in enumerate(body["dmn"])]
    edited = body.get("edit")
    if isinstance(edited, dict):  # one table replaced (the DMN editor), the others as they are
        names = [n for n, _ in dmns]
        if edited.get("file") not in names:
            abort(400, description="决策表文件不存在")
        dmns[names.index(edited["file"])] = (edited["file"], _text(edited.get("xml"), "dmn"))
    package = base.changed(bpmn=(base.bpmn[0], bpmn) if bpmn else base.bpmn, dmns=tuple(dmns))
    if isinstance(body.get("scenarios"), str):
        package = package.changed(scenarios=body["scenarios"])
    return _with_named_forms(package)


def _with_named_forms(package):
    """The package with a form for every one its diagram names (from the other processes' packages when it
    has none yet), as a deployment would take them."""
    missing = [k for k in form_keys(package.bpmn[1]) if k not in package.forms]
    if not missing:
        return package
    library = engine.package.current("forms")
    return package.changed(forms={**package.forms, **{k: library[k] for k in missing if k in library}})


def yaml_entries(text):
    """The entries of a list's YAML text ([] when there is none or it does not read)."""
    try:
        entries = read_yaml(text or "", "lists")
    except FormDefinitionError:
        return []
    return [e for e in entries or [] if isinstance(e, dict) and "value" in e and "label" in e]


def _findings_response(err, status=422):
    findings = structured(err)
    return jsonify({"ok": False, "error": str(err), "errors": err.errors, "findings": findings,
                    "policy_change": isinstance(err, PolicyChangeRequired)
                    or any(f["severity"] == "policy" for f in findings)}), status


@bp.get("/")
def index():
    latest = {d.key: d for d in engine.package.latest_versions()}
    pending = {row.key: row for row in drafts.all_drafts()}
    return render_template("workspace/index.html", latest=sorted(latest.values(), key=lambda d: d.key),
                           drafts=pending, dmn_names=lambda d: engine.package.dmn_names(d.key, len(d.dmn_xml or [])))


@bp.get("/<key>")
def modeler(key):
    package, row = _draft(key)
    definition = engine.latest_definition(key)
    roles = [{"value": r["value"], "label": r["label"], "lanes": r.get("lanes", [])}
             for r in yaml_entries(package.lists.get("roles"))]
    return render_template("workspace/modeler.html", definition=definition, draft=row,
                           dmn_names=[name for name, _ in package.dmns], forms=sorted(package.forms), roles=roles)


@bp.get("/<key>/source.bpmn")
def source(key):
    package, _row = _draft(key)
    return current_app.response_class(package.bpmn[1], mimetype="application/xml")


@bp.post("/lint")
def lint():
    """Lint the draft with the body's edits, without keeping them: {ok, findings, policy_change}."""
    try:
        package = _edited(_body())
        latest = engine.latest_definition(engine.package.process_key(package.bpmn[1]), required=False)
        parsed = engine.parse_package(package, confirm_policy_change=True, reason="lint",
                                      previous=engine.of_version(latest) if latest else None)
    except engine.DefinitionError as err:
        return _findings_response(err, 200)
    policy = [f.to_dict() for f in parsed.policy]
    return jsonify({"ok": not policy, "error": None, "errors": [str(f) for f in parsed.policy],
                    "findings": policy, "policy_change": bool(policy), "key": parsed.key})


@bp.post("/deploy")
def deploy():
    """Keep the body's edits in the draft, then deploy the draft as a new version: 201 {key, version}; 422
    with the findings (the draft keeps the edits, so nothing typed is lost)."""
    body = _body()
    note = body.get("note") if isinstance(body.get("note"), str) else None
    reason = body.get("reason") if isinstance(body.get("reason"), str) else None
    try:
        package = _edited(body)
        key = engine.package.process_key(package.bpmn[1], package.bpmn[0])
        if key is None:
            raise engine.DefinitionError("没有可执行的流程（isExecutable=\"true\"），无法部署运行")
        drafts.save(key, package, current_user)
        db.session.commit()
        result, created = engine.changes.submit(package, current_user, note=(note or "").strip() or None,
                                                confirm_policy_change=body.get("confirm_policy_change") is True,
                                                reason=reason)
    except (engine.DefinitionError, engine.Conflict) as err:
        db.session.rollback()
        return _findings_response(err) if isinstance(err, engine.DefinitionError) else (
            jsonify({"ok": False, "error": str(err)}), 409)
    if isinstance(result, RuleChange):  # waits for a city official; the draft stays until it is approved
        db.session.commit()
        return jsonify({"ok": True, "pending": True, "change_id": result.id, "key": key,
                        "url": url_for("cases.case", instance_id=result.instance_id)}), 202
    drafts.discard(result.key)
    db.session.commit()
    return jsonify({"ok": True, "key": result.key, "version": result.version, "created": created,
                    "note": result.note,
                    "url": url_for("definitions.show", key=result.key, version=result.version)}), (
        201 if created else 200)


@bp.post("/<key>/draft/discard")
def discard(key):
    drafts.discard(_key(key))
    db.session.commit()
    return jsonify({"ok": True})


def _table(key, file):
    package, row = _draft(key)
    names = [name for name, _ in package.dmns]
    if file not in names:
        abort(404)
    return package, row, names


@bp.get("/<key>/dmn/<file>")
def dmn_editor(key, file):
    _package, row, names = _table(key, file)
    return allow_inline_styles(make_response(render_template(
        "workspace/dmn.html", definition=engine.latest_definition(key), file=file, names=names, draft=row)))


@bp.get("/<key>/dmn/<file>/source.dmn")
def dmn_source(key, file):
    package, _row, names = _table(key, file)
    return current_app.response_class(package.dmns[names.index(file)][1], mimetype="application/xml")


# The draft's YAML parts: forms (forms/<key>.yaml), choice lists (lists/<name>.yaml), parameters, scenarios.

NAME_LENGTH = 80  # the longest key the database holds (String(80))


def _name(value):
    if not isinstance(value, str) or not NAME.match(value) or len(value) > NAME_LENGTH:
        abort(404)
    return value


def _yaml(body):
    text = body.get("yaml")
    if not isinstance(text, str):
        raise FormDefinitionError("yaml 不能为空")
    if len(text) > MAX_SOURCE:
        abort(413)
    return text


def _form(package, form_key, text):
    """The FormDefinition of `text` among the draft's lists; FormDefinitionError naming what is wrong."""
    definition = package.library(forms={form_key: text}).form(form_key)
    definition.wtform_class(str(get_locale()))  # the HTML form must build too
    return definition


def _referenced(package):
    """Which forms of the package its diagram names, and where (task id or process property)."""
    return set(form_keys(package.bpmn[1]))


@bp.get("/<key>/forms/")
def forms(key):
    package, row = _draft(key)
    return render_template("workspace/forms.html", definition=engine.latest_definition(key), draft=row,
                           forms=sorted(package.forms), used=_referenced(package),
                           lists=sorted(package.lists), properties=FORM_PROPERTIES)


@bp.get("/<key>/forms/new")
def form_new(key):
    """The editor of a form the package does not have yet, by the key the owner chose."""
    _draft(key)
    return redirect(url_for("workspace.form_editor", key=key, form_key=_name(request.args.get("form_key"))))


@bp.get("/<key>/forms/<form_key>")
def form_editor(key, form_key):
    package, row = _draft(key)
    form_key = _name(form_key)
    text = package.forms.get(form_key) or NEW_FORM.format(key=form_key)
    return render_template("workspace/form.html", definition=engine.latest_definition(key), key=form_key,
                           text=text, exists=form_key in package.forms, draft=row)


@bp.post("/<key>/forms/preview")
def form_preview(key):
    """The form rendered from the posted YAML (an HTML fragment), or its definition error (422)."""
    package, _row = _draft(key)
    body = request.get_json(silent=True) or {}
    form_key = _name(body.get("key"))
    try:
        definition = _form(package, form_key, _yaml(body))
        form = definition.wtform_class(str(get_locale()))(formdata=None, meta={"csrf": False})
    except (FormDefinitionError, ValueError, TypeError) as err:
        return render_template("workspace/form_error.html", message=str(err)), 422
    return render_template("workspace/form_preview.html", definition=definition, form=form)


@bp.post("/<key>/forms/<form_key>")
def form_save(key, form_key):
    """Keep the form in the draft, only when it reads: 200 {ok}, or 422 {error} with nothing kept."""
    package, _row = _draft(key)
    form_key = _name(form_key)
    body = _body()
    try:
        text = _yaml(body)
        _form(package, form_key, text)
    except (FormDefinitionError, ValueError, TypeError) as err:
        return jsonify({"ok": False, "error": str(err)}), 422
    drafts.save(key, package.changed(forms={**package.forms, form_key: text}), current_user)
    db.session.commit()
    return jsonify({"ok": True, "key": form_key})


@bp.get("/<key>/lists/<name>")
def list_editor(key, name):
    package, row = _draft(key)
    name = _name(name)
    return render_template("workspace/list.html", definition=engine.latest_definition(key), name=name, draft=row,
                           text=package.lists.get(name) or NEW_LIST, exists=name in package.lists,
                           users=sorted(k for k in package.forms if f"choices: {name}" in package.forms[k]))


def _entries(text, name):
    entries = read_yaml(text, f"lists/{name}.yaml")
    if not isinstance(entries, list) or not entries or not all(
            isinstance(e, dict) and isinstance(e.get("value"), str) and isinstance(e.get("label"), str)
            for e in entries):
        raise FormDefinitionError(f"lists/{name}.yaml: 须为 {{value, label, label_en}} 条目的列表")
    if len({e["value"] for e in entries}) != len(entries):
        raise FormDefinitionError(f"lists/{name}.yaml: 选项的 value 不能重复")
    return entries


@bp.post("/<key>/lists/<name>")
def list_save(key, name):
    """Keep the list in the draft when it reads and every form of the package still reads with it."""
    package, _row = _draft(key)
    name = _name(name)
    body = _body()
    try:
        text = _yaml(body)
        _entries(text, name)
        if name == engine.workdays.LIST:
            engine.workdays.parse(text)
        library = package.library(lists={name: text})
        for form_key in package.forms:
            library.form(form_key)
    except (FormDefinitionError, FormNotFound, ValueError) as err:
        return jsonify({"ok": False, "error": str(err)}), 422
    drafts.save(key, package.changed(lists={**package.lists, name: text}), current_user)
    db.session.commit()
    return jsonify({"ok": True, "name": name})


@bp.get("/<key>/parameters")
def parameters(key):
    """The rule parameters as a table in Chinese (value, unit, allowed range, article), and as YAML for
    adding or describing one."""
    package, row = _draft(key)
    try:
        listed = engine.parameters.read(package.parameters)
    except engine.DefinitionError as err:
        listed, row_error = {}, "；".join(err.errors)
    else:
        row_error = None
    return render_template("workspace/parameters.html", definition=engine.latest_definition(key), draft=row,
                           text=package.parameters or "", parameters=listed.values(), error=row_error)


@bp.post("/<key>/parameters")
def parameters_save(key):
    """Keep the parameters in the draft: {yaml} as a whole, or {values: {name: value}} from the table (each
    within its range; the rest of the file as it is)."""
    package, _row = _draft(key)
    body = _body()
    try:
        if isinstance(body.get("values"), dict):
            text = engine.parameters.with_values(package.parameters, body["values"])
        else:
            text = _yaml(body)
        engine.parameters.read(text)
    except FormDefinitionError as err:
        return jsonify({"ok": False, "error": str(err)}), 422
    except engine.DefinitionError as err:
        return jsonify({"ok": False, "error": "；".join(err.errors)}), 422
    drafts.save(key, package.changed(parameters=text), current_user)
    db.session.commit()
    return jsonify({"ok": True})


@bp.get("/<key>/scenarios")
def scenarios(key):
    """运行场景测试: the draft's scenarios against the draft, in a throw-away database; pass or fail each."""
    from ..engine import scenarios as runner

    package, row = _draft(key)
    results, error = [], None
    if request.args.get("run") != "0":
        try:
            results = runner.run(_with_named_forms(package))
        except (runner.ScenarioFileError, engine.DefinitionError) as err:
            error = str(err)
    return render_template("workspace/scenarios.html", definition=engine.latest_definition(key), draft=row,
                           results=results, error=error, text=package.scenarios or "",
                           has_scenarios=bool((package.scenarios or "").strip()),
                           passed=sum(r["passed"] for r in results))


@bp.post("/<key>/scenarios")
def scenarios_save(key):
    from ..engine import scenarios as runner

    package, _row = _draft(key)
    body = _body()
    try:
        text = _yaml(body)
        runner.load(text)
    except (FormDefinitionError, runner.ScenarioFileError) as err:
        return jsonify({"ok": False, "error": str(err)}), 422
    drafts.save(key, package.changed(scenarios=text), current_user)
    db.session.commit()
    return jsonify({"ok": True})
