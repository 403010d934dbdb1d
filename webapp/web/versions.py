"""The process owner's versions workspace (Art. 16): versions with their running cases, any two versions
compared as diagrams side by side, and moving running cases to the newest version. The city may look;
only the owner moves cases."""

import re
from types import SimpleNamespace

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import func
from sqlalchemy.orm import load_only, undefer

from .. import labels
from ..engine import Conflict, EngineError, NotFound, Package, compare_versions, latest_definition, migration
from ..extensions import db
from ..ids import parse_id
from ..models import ProcessDefinition, ProcessInstance, RuleChange
from .definitions import has_diagram

bp = Blueprint("versions", __name__, url_prefix="/versions")

READERS = {"owner", "city"}
KEY = re.compile(r"[A-Za-z_][\w.\-]{0,79}")
MAX_VERSION = 2**31 - 1
LISTED = (ProcessDefinition.id, ProcessDefinition.key, ProcessDefinition.version, ProcessDefinition.name,
          ProcessDefinition.note, ProcessDefinition.deployed_by, ProcessDefinition.deployed_at)  # not the XML
LISTED_CASES = 200  # each check loads and trial-migrates the case (≈10 ms); the CLI handles any number


# The words for what changed on an element; anything else keeps the engine's (Chinese) label.
FIELD_LABELS = {
    "name": _l("名称"), "type": _l("类型"), "lane": _l("泳道"), "sourceRef": _l("起点"), "targetRef": _l("终点"),
    "conditionExpression": _l("条件"), "script": _l("脚本"), "timeDuration": _l("定时（时长）"),
    "timeDate": _l("定时（时间）"), "timeCycle": _l("定时（周期）"), "documentation": _l("说明"),
    "property:formKey": _l("表单"), "property:dueIn": _l("办理时限"), "calledDecisionId": _l("调用的决策表"),
}


# The words for what changed on a form's field.
FORM_FIELD_LABELS = {
    "type": _l("类型"), "label": _l("标签"), "label_en": _l("英文标签"), "required": _l("必填"),
    "required_if": _l("条件必填"), "choices": _l("选项"),
}


@bp.app_template_global()
def form_field_label(key):
    """A changed property of a form's field, in the page's language."""
    return FORM_FIELD_LABELS.get(key) or key


@bp.app_template_global()
def field_label(change):
    """A changed field of an element, in the page's language."""
    return FIELD_LABELS.get(change["field"]) or change["label"]


@bp.app_template_global()
def process_name(key, name):
    """The process's name from the processes list (English on English pages), else the diagram's."""
    listed = labels.label("processes", key, str(get_locale()))
    return listed if listed and listed != key else name


def _allowed(write=False):
    if current_user.role not in ({"owner"} if write else READERS):
        abort(403)


def _versions(key):
    if not KEY.fullmatch(key):
        abort(404)
    versions = (ProcessDefinition.query.options(load_only(*LISTED)).filter_by(key=key)
                .order_by(ProcessDefinition.version.desc()).all())
    if not versions:
        abort(404)
    return versions


def _running_counts():
    rows = (db.session.query(ProcessInstance.definition_id, func.count())
            .filter(ProcessInstance.status == "running").group_by(ProcessInstance.definition_id))
    return dict(rows.all())


@bp.get("/")
@login_required
def index():
    _allowed()
    processes = {}
    for definition in (ProcessDefinition.query.options(load_only(*LISTED))
                       .order_by(ProcessDefinition.key, ProcessDefinition.version.desc())):
        processes.setdefault(definition.key, []).append(definition)
    return render_template("versions/index.html", processes=processes, running=_running_counts())


@bp.get("/<key>/")
@login_required
def process(key):
    """One process: its versions with running cases, and each running case's move check."""
    _allowed()
    versions = _versions(key)
    latest = versions[0]
    running_cases = (ProcessInstance.query.join(ProcessDefinition).options(undefer(ProcessInstance.state))
                     .filter(ProcessInstance.process_key == key, ProcessInstance.status == "running"))
    total = running_cases.count()
    cases = running_cases.order_by(ProcessDefinition.version, ProcessInstance.id).limit(LISTED_CASES).all()
    checks = [(case, migration.check(case, latest)) for case in cases]
    reverts = {case.id for case, _ in checks if migration.last_move(case)}
    previews = _previews([case for case, check in checks if check["can_move"]], latest)
    return render_template("versions/process.html", key=key, versions=versions, latest=latest,
                           running=_running_counts(), checks=checks, reverts=reverts, previews=previews,
                           movable=sum(1 for _, c in checks if c["can_move"]), total=total)


def _previews(cases, latest):
    """{case id: what moving it to `latest` changes for it}; one comparison per version moved from."""
    diffs, found = {}, {}
    for case in cases:
        if case.definition_id not in diffs:
            diffs[case.definition_id] = compare_versions(case.definition, latest)
        found[case.id] = migration.preview(case, latest, diffs[case.definition_id])
    return found


def _version(versions, value, default):
    number = parse_id(value) if value is not None else default
    if not number or number > MAX_VERSION:
        abort(404)
    found = next((v for v in versions if v.version == number), None)
    if found is None:
        abort(404)
    return found


def _side(definition):
    """A version as one side of a comparison."""
    return SimpleNamespace(
        label=f"v{definition.version}", version=definition.version, name=definition.name,
        bpmn_xml=definition.bpmn_xml, dmn_xml=definition.dmn_xml, forms=definition.forms,
        lists=definition.lists, parameters=definition.parameters, scenarios=definition.scenarios,
        deployed_at=definition.deployed_at, deployed_by=definition.deployed_by,
        xml_url=url_for("definitions.xml", key=definition.key, version=definition.version))


def _change(key, change_id):
    change = db.session.get(RuleChange, change_id) if change_id and change_id <= MAX_VERSION else None
    if change is None or change.key != key:
        abort(404)
    return change


def _change_side(change):
    """A rule change waiting for approval as the newer side of a comparison."""
    package = Package.from_content(change.content)
    return SimpleNamespace(
        label=_("待审批变更 #%(id)s", id=change.id), version=f"#{change.id}", name=key_name(change.key),
        bpmn_xml=package.bpmn[1], dmn_xml=[text for _name, text in package.dmns], forms=package.forms,
        lists=package.lists, parameters=package.parameters, scenarios=package.scenarios,
        deployed_at=change.created_at, deployed_by=change.author,
        xml_url=url_for("versions.change_xml", key=change.key, change_id=change.id))


def key_name(key):
    return labels.label("processes", key, str(get_locale()))


@bp.get("/<key>/changes/<int:change_id>.bpmn")
@login_required
def change_xml(key, change_id):
    _allowed()
    return Response(Package.from_content(_change(key, change_id).content).bpmn[1], mimetype="application/xml")


@bp.get("/<key>/changes/<int:change_id>/scenarios")
@login_required
def change_scenarios(key, change_id):
    """The scenarios of a change waiting for approval, run now against it (for its reviewer)."""
    from ..engine import scenarios as runner

    _allowed()
    change = _change(key, change_id)
    results, error = [], None
    try:
        results = runner.run(Package.from_content(change.content))
    except (runner.ScenarioFileError, EngineError) as err:
        error = str(err)
    return render_template("versions/change_scenarios.html", key=key, change=change, results=results, error=error,
                           passed=sum(r["passed"] for r in results))


@bp.get("/<key>/compare")
@login_required
def compare(key):
    """Two versions side by side (?a=&b=), or the version in force and a change waiting for approval (?change=)."""
    _allowed()
    versions = _versions(key)
    if request.args.get("change") is not None:
        change = _change(key, parse_id(request.args.get("change")))
        b = _change_side(change)
        a = _side(_version(versions, request.args.get("a"), change.base_version or versions[0].version))
    else:
        newer = _version(versions, request.args.get("b"), versions[0].version)
        b = _side(newer)
        a = _side(_version(versions, request.args.get("a"), max(newer.version - 1, 1)))
    diff = compare_versions(a, b)
    ids = {kind: [e["id"] for e in diff[kind] if e["type"] != "process"] for kind in ("added", "removed", "changed")}
    marks = {"a": {"removed": ids["removed"], "changed": ids["changed"]},
             "b": {"added": ids["added"], "changed": ids["changed"]}}
    return render_template("versions/compare.html", key=key, versions=versions, a=a, b=b, diff=diff, marks=marks,
                           drawable={"a": has_diagram(a.bpmn_xml), "b": has_diagram(b.bpmn_xml)},
                           english=str(get_locale()) == "en")


def _case(key, instance_id):
    instance = db.session.get(ProcessInstance, instance_id)
    if instance is None or instance.process_key != key:
        abort(404)
    return instance


def _act(key, instance_id, step, done, refused):
    """Move or undo one case in its own transaction; a refusal is a message, never an error page."""
    _allowed(write=True)
    instance = _case(key, instance_id)
    try:
        step(instance, current_user.username)
        db.session.commit()
        flash(done % {"id": instance_id, "version": instance.definition.version}, "success")
    except (Conflict, NotFound) as err:
        db.session.rollback()
        flash(refused % {"id": instance_id, "reason": str(err)}, "warning")
    return redirect(url_for("versions.process", key=key))


@bp.post("/<key>/cases/<int:instance_id>/move")
@login_required
def move(key, instance_id):
    return _act(key, instance_id, migration.move, _("案件 %(id)s 已迁移到 v%(version)s"),
                _("案件 %(id)s 未迁移：%(reason)s"))


@bp.post("/<key>/cases/<int:instance_id>/revert")
@login_required
def revert(key, instance_id):
    return _act(key, instance_id, migration.revert, _("案件 %(id)s 已恢复到 v%(version)s"),
                _("案件 %(id)s 未能撤销迁移：%(reason)s"))


@bp.get("/<key>/move-all")
@login_required
def confirm_move_all(key):
    """Before moving all: every case that can move, each with what moving changes for it, and one button
    that moves exactly these."""
    _allowed(write=True)
    _versions(key)
    latest = latest_definition(key)
    eligible = [case for case, check in migration.check_all(key) if check["can_move"]][:LISTED_CASES]
    return render_template("versions/move_all.html", key=key, latest=latest, cases=eligible,
                           previews=_previews(eligible, latest))


@bp.post("/<key>/move-all")
@login_required
def move_all(key):
    """The cases confirmed on the confirmation page that can still move, each in its own transaction: one
    that fails does not hold back the others. Without a confirmed list, back to the confirmation."""
    _allowed(write=True)
    _versions(key)
    confirmed = {parse_id(value) for value in request.form.getlist("case")} - {None}
    if not confirmed:
        return redirect(url_for("versions.confirm_move_all", key=key))
    eligible = [case.id for case, check in migration.check_all(key) if check["can_move"] and case.id in confirmed]
    moved = 0
    for instance_id in eligible:
        try:
            migration.move(db.session.get(ProcessInstance, instance_id), current_user.username)
            db.session.commit()
            moved += 1
        except EngineError:
            db.session.rollback()
    flash(_("已迁移 %(moved)s 件案件；%(refused)s 件未迁移", moved=moved, refused=len(confirmed) - moved),
          "success" if moved else "info")
    return redirect(url_for("versions.process", key=key))
