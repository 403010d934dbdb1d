"""The process owner's view of deployed definitions (Art. 16): every version, who deployed it, which
running cases still use it, and its diagram."""

import re
from io import BytesIO

from flask import Blueprint, Response, abort, render_template, send_file
from flask_login import current_user, login_required
from sqlalchemy import func
from sqlalchemy.orm import load_only

from .. import scope
from ..engine import DefinitionError
from ..engine.xml import parse_xml
from ..models import ProcessDefinition, ProcessInstance

bp = Blueprint("definitions", __name__, url_prefix="/definitions")

ROLES = {"owner", "city"}
KEY = re.compile(r"[A-Za-z_][\w.\-]{0,79}")  # a BPMN process id: anything else cannot be deployed
MAX_VERSION = 2**31 - 1  # an integer column's range on PostgreSQL
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
LISTED = (ProcessDefinition.id, ProcessDefinition.key, ProcessDefinition.version, ProcessDefinition.name,
          ProcessDefinition.note, ProcessDefinition.deployed_by, ProcessDefinition.deployed_at,
          ProcessDefinition.needs_round)


def _allowed():
    if current_user.role not in ROLES:
        abort(403)


def _case_counts(status=None):
    """{definition_id: number of cases}, among the cases the user may see."""
    query = scope.instances_query(current_user)
    if status:
        query = query.filter(ProcessInstance.status == status)
    rows = query.with_entities(ProcessInstance.definition_id, func.count()).group_by(ProcessInstance.definition_id)
    return dict(rows.all())


def _definition(key, version):
    if version > MAX_VERSION or not KEY.fullmatch(key):
        abort(404)
    definition = ProcessDefinition.query.filter_by(key=key, version=version).first()
    if definition is None:
        abort(404)
    return definition


def has_diagram(bpmn_xml):
    """Whether the diagram carries interchange (BPMN DI) shapes that a viewer can draw."""
    try:
        root = parse_xml((bpmn_xml or "").encode("utf-8"), "definition")
    except DefinitionError:
        return False
    return next(root.iter(f"{{{BPMNDI}}}BPMNShape"), None) is not None


@bp.get("/")
@login_required
def index():
    _allowed()
    versions = (ProcessDefinition.query.options(load_only(*LISTED))
                .order_by(ProcessDefinition.key, ProcessDefinition.version.desc()).all())
    processes = {}
    for definition in versions:
        processes.setdefault(definition.key, []).append(definition)
    running = _case_counts("running")
    running_by_key = {key: sum(running.get(d.id, 0) for d in rows) for key, rows in processes.items()}
    return render_template("definitions/index.html", processes=processes, running=running,
                           running_by_key=running_by_key, total=_case_counts())


@bp.get("/<key>/<int:version>")
@login_required
def show(key, version):
    _allowed()
    definition = _definition(key, version)
    versions = (ProcessDefinition.query.options(load_only(ProcessDefinition.id, ProcessDefinition.version))
                .filter_by(key=key).order_by(ProcessDefinition.version.desc()).all())
    return render_template("definitions/show.html", definition=definition, versions=versions,
                           drawable=has_diagram(definition.bpmn_xml),
                           running=_case_counts("running").get(definition.id, 0),
                           total=_case_counts().get(definition.id, 0))


@bp.get("/<key>/<int:version>.xml")
@login_required
def xml(key, version):
    _allowed()
    return Response(_definition(key, version).bpmn_xml, mimetype="application/xml")


@bp.get("/<key>/<int:version>.bpmn")
@login_required
def download(key, version):
    _allowed()
    definition = _definition(key, version)
    return send_file(BytesIO(definition.bpmn_xml.encode("utf-8")), mimetype="application/xml", as_attachment=True,
                     download_name=f"{definition.key}-v{definition.version}.bpmn")
