"""Validate, lint and deploy diagrams as numbered versions.

Deployment is all-or-nothing: XML hardening, the BPMN XSD, SpiffWorkflow's own parse, then a lint
of everything the engine will later evaluate (each expression compiles under the restricted engine,
each user task's lane names a role and its form exists, each service operation exists). Identical
content yields the existing version, so `processes deploy` is idempotent.
"""

import hashlib

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser import VALIDATOR, SpiffBpmnParser

from ..extensions import db
from ..formkit import FormDefinitionError, FormNotFound, load_form
from ..models import ProcessDefinition
from . import audit, roles, serializer, services
from .errors import DefinitionError, NotFound
from .restricted import RefusedExpression, compile_expression, compile_script
from .xml import parse_xml

NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "spiff": "http://spiffworkflow.org/bpmn/schema/1.0/core",
}
# What the engine evaluates as an expression, and as a script.
EXPRESSION_XPATHS = (
    "//bpmn:conditionExpression", "//bpmn:timeDate", "//bpmn:timeDuration", "//bpmn:timeCycle",
    "//bpmn:completionCondition", "//bpmn:loopCardinality",
    "//spiff:property/@value", "//spiff:parameter/@value",
)
SCRIPT_XPATHS = ("//bpmn:scriptTask/bpmn:script", "//spiff:preScript", "//spiff:postScript")


def _line(node):
    return node.getparent().sourceline if isinstance(node, etree._ElementUnicodeResult) else node.sourceline


def _text(node):
    return str(node) if isinstance(node, etree._ElementUnicodeResult) else (node.text or "")


def lint_expressions(root, filename):
    findings = []
    for paths, compiler in ((EXPRESSION_XPATHS, compile_expression), (SCRIPT_XPATHS, compile_script)):
        for path in paths:
            for node in root.xpath(path, namespaces=NS):
                source = _text(node)
                if not source.strip():
                    continue
                try:
                    compiler(source)
                except RefusedExpression as err:
                    findings.append(f"{filename} 第 {_line(node)} 行：表达式被拒绝：{err}")
    return findings


DMN_NS = {"dmn": "https://www.omg.org/spec/DMN/20191111/MODEL/"}


def lint_dmn(root, filename):
    """Every cell of a decision table is Python for the restricted engine ("-" or empty means any).

    SpiffWorkflow glues a cell without "?" straight onto the input expression (no space), so
    "in (…)" or "is None" would break at run time: such cells must be written with "?".
    """
    findings = []
    namespace = root.nsmap.get(None) or DMN_NS["dmn"]
    for node in root.xpath("//d:inputExpression/d:text | //d:inputEntry/d:text | //d:outputEntry/d:text",
                           namespaces={"d": namespace}):
        source = (node.text or "").strip()
        if not source or source == "-":
            continue
        where = f"{filename} 第 {node.sourceline} 行"
        if source.split()[0] in ("in", "not", "is"):
            findings.append(f"{where}：单元格 {source!r} 请写成以 ? 开头的形式，例如 ? {source}")
            continue
        probe = f"x {source}" if source.startswith(("<", ">", "=", "!")) else (
            f"x{source}" if source.startswith(".") else source)
        try:
            compile_expression(probe.replace("?", "x"))
        except RefusedExpression as err:
            findings.append(f"{where}：决策表单元格被拒绝：{err}")
    return findings


def lint_tasks(root, filename):
    findings = []
    lanes = {ref.text.strip(): lane.get("name") or lane.get("id")
             for lane in root.xpath("//bpmn:lane", namespaces=NS)
             for ref in lane.xpath("bpmn:flowNodeRef", namespaces=NS)}
    for task in root.xpath("//bpmn:userTask", namespaces=NS):
        task_id, line = task.get("id"), task.sourceline
        lane = lanes.get(task_id)
        if lane is None or roles.resolve(lane) is None:
            findings.append(f"{filename} 第 {line} 行：用户任务 {task_id} 所在泳道 {lane!r} 不对应任何角色")
        form = task.xpath("bpmn:extensionElements//spiff:property[@name='formKey']/@value", namespaces=NS)
        if not form:
            findings.append(f"{filename} 第 {line} 行：用户任务 {task_id} 没有 formKey")
            continue
        try:
            load_form(form[0])
        except (FormNotFound, FormDefinitionError):
            findings.append(f"{filename} 第 {line} 行：用户任务 {task_id} 的表单 {form[0]} 不存在")
    for operator in root.xpath("//spiff:serviceTaskOperator", namespaces=NS):
        if operator.get("id") not in services.OPERATIONS:
            findings.append(f"{filename} 第 {operator.sourceline} 行：未知服务 {operator.get('id')}")
    return findings


class Parsed:
    """The result of a successful validation: what a deployment stores."""

    def __init__(self, key, name, needs_round, spec_dict, bpmn_text, dmn_texts):
        self.key, self.name, self.needs_round = key, name, needs_round
        self.spec_dict, self.bpmn_text, self.dmn_texts = spec_dict, bpmn_text, dmn_texts

    @property
    def content_hash(self):
        digest = hashlib.sha256(self.bpmn_text.encode())
        for text in sorted(self.dmn_texts):
            digest.update(b"\0" + text.encode())
        return digest.hexdigest()


def _decode(content: bytes, filename):
    try:
        return content.decode("utf-8") if isinstance(content, bytes) else content
    except UnicodeDecodeError:
        # Some modelers write ISO-8859-1 with an XML declaration; lxml reads the bytes correctly.
        return None


def parse_files(bpmn: tuple[str, bytes], dmns=()):
    """Validate one BPMN file (and its DMN tables); raise DefinitionError listing every finding."""
    filename, content = bpmn
    content = content.encode() if isinstance(content, str) else content
    root = parse_xml(content, filename)
    dmn_roots = [(name, parse_xml(data if isinstance(data, bytes) else data.encode(), name))
                 for name, data in dmns]
    executable = root.xpath("//bpmn:process[@isExecutable='true']", namespaces=NS)
    if not executable:
        raise DefinitionError(f"{filename}: 没有可执行的流程（isExecutable=\"true\"），无法部署运行")
    if len(executable) > 1:
        raise DefinitionError(f"{filename}: 一个文件只能包含一个可执行流程")
    process = executable[0]
    key = process.get("id")
    parser = SpiffBpmnParser(validator=VALIDATOR)
    try:
        parser.add_bpmn_xml(root, filename)
        for name, dmn_root in dmn_roots:
            parser.add_dmn_xml(dmn_root, name)
    except ValidationException as err:
        raise DefinitionError(f"{filename} 第 {err.line_number or '?'} 行：不符合 BPMN 规范：{err}") from None
    findings = lint_expressions(root, filename) + lint_tasks(root, filename)
    for name, dmn_root in dmn_roots:
        findings += lint_dmn(dmn_root, name)
    if findings:
        raise DefinitionError(f"{filename}: {len(findings)} 处问题", findings)
    try:
        spec = parser.get_spec(key)
        subprocess_specs = parser.get_subprocess_specs(key)
    except (ValidationException, SpiffWorkflowException) as err:
        line = getattr(err, "line_number", "") or "?"
        raise DefinitionError(f"{filename} 第 {line} 行：{err}") from None
    needs_round = bool(process.xpath(
        "bpmn:extensionElements//spiff:property[@name='requiresRound' and @value='true']", namespaces=NS))
    text = _decode(content, filename) or etree.tostring(root, encoding="unicode")
    dmn_texts = [etree.tostring(r, encoding="unicode") for _, r in dmn_roots]
    return Parsed(key, process.get("name") or key, needs_round,
                  serializer.spec_to_dict(spec, subprocess_specs), text, dmn_texts)


def deploy(bpmn, dmns=(), actor=None, note=None):
    """Store a new version, or return the existing one when the content is unchanged."""
    parsed = parse_files(bpmn, dmns)
    existing = ProcessDefinition.query.filter_by(key=parsed.key, content_hash=parsed.content_hash).first()
    if existing:
        return existing, False
    latest = latest_definition(parsed.key, required=False)
    definition = ProcessDefinition(
        key=parsed.key, version=(latest.version + 1) if latest else 1, name=parsed.name,
        bpmn_xml=parsed.bpmn_text, dmn_xml=parsed.dmn_texts, content_hash=parsed.content_hash,
        spec=parsed.spec_dict, needs_round=parsed.needs_round, note=note, deployed_by=actor)
    db.session.add(definition)
    db.session.flush()
    audit.record("deploy", actor, name=f"{parsed.key} v{definition.version}",
                 data={"key": parsed.key, "version": definition.version, "hash": parsed.content_hash})
    return definition, True


def latest_definition(key, required=True):
    definition = (ProcessDefinition.query.filter_by(key=key)
                  .order_by(ProcessDefinition.version.desc()).first())
    if definition is None and required:
        raise NotFound(f"流程 {key} 未部署")
    return definition


_specs = {}
_properties = {}


def process_properties(definition):
    """The process-level spiffworkflow:properties (requiresRound, startableBy, startsFor…) of a version."""
    if definition.content_hash not in _properties:
        root = parse_xml(definition.bpmn_xml.encode(), definition.key)
        nodes = root.xpath(f"//bpmn:process[@id='{definition.key}']/bpmn:extensionElements//spiff:property",
                           namespaces=NS)
        _properties[definition.content_hash] = {n.get("name"): n.get("value") for n in nodes}
    return _properties[definition.content_hash]


def spec_objects(definition):
    """Parsed spec objects of a version, restored once per process (keyed by content) and reused."""
    if definition.content_hash not in _specs:
        _specs[definition.content_hash] = serializer.spec_from_dict(definition.spec)
    return _specs[definition.content_hash]
