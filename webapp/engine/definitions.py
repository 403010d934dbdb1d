"""Validate, lint and deploy diagrams as numbered versions.

Deployment is all-or-nothing: XML hardening, the BPMN XSD, SpiffWorkflow's own parse, then a lint
of everything the engine will later evaluate (each expression compiles under the restricted engine,
each user task's lane names a role and its form exists, each service operation exists). Identical
content yields the existing version, so `processes deploy` is idempotent.
"""

import ast
import threading

from flask import current_app
from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser import VALIDATOR, SpiffBpmnParser

from ..extensions import db
from ..formkit import FormDefinitionError, FormNotFound
from ..models import ProcessDefinition
from . import audit, countersign, guardrails, parameters, roles, serializer, services
from .errors import DefinitionError, NotFound
from .package import of_version
from .package import process_key as package_key
from .restricted import RefusedExpression, compile_expression, compile_script, restricted_globals
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


class Finding(str):
    """One lint finding: still the string "<file> 第 <line> 行：<message>" the API has always listed, plus
    its parts (file, line, the id of the nearest enclosing element with one, severity) for the workspace.

    Severity "error" refuses the deployment; "policy" (a change to what the regulation fixes) deploys
    only with the owner's explicit confirmation and a reason.
    """

    def __new__(cls, filename, node, message, severity="error"):
        line = _line(node) if node is not None else None
        element_id = _element_id(node)
        where = f" 第 {line} 行" if line else ""
        if element_id and element_id not in message:  # every message names its element
            where += f"（{element_id}）"
        finding = super().__new__(cls, f"{filename}{where}：{message}")
        finding.file, finding.line, finding.message, finding.severity = filename, line, message, severity
        finding.element_id = element_id
        return finding

    def to_dict(self):
        return {"file": self.file, "line": self.line, "element_id": self.element_id,
                "message": self.message, "severity": self.severity}


def _element_id(node):
    if isinstance(node, etree._ElementUnicodeResult):
        node = node.getparent()
    while node is not None:
        if isinstance(node.tag, str) and node.get("id") and not node.tag.startswith(f"{{{NS['spiff']}}}"):
            return node.get("id")
        node = node.getparent()
    return None


def structured(err):
    """The findings of a DefinitionError as dicts (file, line, element_id, message, severity)."""
    found = getattr(err, "findings", None)
    if found is not None:
        return found
    return [{"file": None, "line": None, "element_id": getattr(err, "element_id", None), "message": text,
             "severity": "error"} for text in err.errors]


def _refuse(message, findings, element_id=None, file=None, line=None):
    err = DefinitionError(message, list(findings) if findings else None)
    if findings:
        err.findings = [f.to_dict() if isinstance(f, Finding) else
                        {"file": None, "line": None, "element_id": None, "message": str(f), "severity": "error"}
                        for f in findings]
    else:
        err.findings = [{"file": file, "line": line if isinstance(line, int) else None,
                         "element_id": element_id or None, "message": message, "severity": "error"}]
    return err


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
                    findings.append(Finding(filename, node, f"表达式被拒绝：{err}"))
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
        if source.split()[0] in ("in", "not", "is"):
            findings.append(Finding(filename, node, f"单元格 {source!r} 请写成以 ? 开头的形式，例如 ? {source}"))
            continue
        probe = f"x {source}" if source.startswith(("<", ">", "=", "!")) else (
            f"x{source}" if source.startswith(".") else source)
        try:
            compile_expression(probe.replace("?", "x"))
        except RefusedExpression as err:
            findings.append(Finding(filename, node, f"决策表单元格被拒绝：{err}"))
    return findings


def _lint_countersign(task, filename):
    """会签 (countersign.py): a literal number of signers of at least 1, and a rule it knows."""
    findings = []
    for node in task.xpath("bpmn:extensionElements//spiff:property[@name='countersign']", namespaces=NS):
        try:
            count = ast.literal_eval((node.get("value") or "").strip())
        except (ValueError, SyntaxError):
            continue  # an expression (params["signers"]): compiled by lint_expressions, checked when it runs
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            findings.append(Finding(filename, node, f"会签人数 {node.get('value')} 须为不小于 1 的整数"))
    for node in task.xpath("bpmn:extensionElements//spiff:property[@name='countersignRule']", namespaces=NS):
        if (node.get("value") or "").strip().strip('"') not in countersign.RULES:
            rules = "、".join(countersign.RULES)
            findings.append(Finding(filename, node, f"会签规则 {node.get('value')} 须为 {rules} 之一"
                                                    "（全部同意、任一同意、过半数同意）"))
    return findings


def lint_tasks(root, filename, library):
    findings = []
    lanes = {ref.text.strip(): lane.get("name") or lane.get("id")
             for lane in root.xpath("//bpmn:lane", namespaces=NS)
             for ref in lane.xpath("bpmn:flowNodeRef", namespaces=NS)}
    for task in root.xpath("//bpmn:userTask", namespaces=NS):
        task_id = task.get("id")
        lane = lanes.get(task_id)
        if lane is None or roles.resolve(lane) is None:
            findings.append(Finding(filename, task, f"用户任务 {task_id} 所在泳道 {lane!r} 不对应任何角色"))
        findings += _lint_countersign(task, filename)
        form = task.xpath("bpmn:extensionElements//spiff:property[@name='formKey']/@value", namespaces=NS)
        if not form:
            findings.append(Finding(filename, task, f"用户任务 {task_id} 没有 formKey"))
            continue
        try:
            library.form(form[0])
        except FormNotFound:
            findings.append(Finding(filename, task, f"用户任务 {task_id} 的表单 {form[0]} 不存在"))
        except FormDefinitionError as err:
            findings.append(Finding(filename, task, f"用户任务 {task_id} 的表单 {form[0]} 有误：{err}"))
    for operator in root.xpath("//spiff:serviceTaskOperator", namespaces=NS):
        if operator.get("id") not in services.OPERATIONS:
            findings.append(Finding(filename, operator, f"未知服务 {operator.get('id')}"))
    return findings


BPMN = NS["bpmn"]
CONTAINERS = ("process", "subProcess", "transaction")
# What sits in a container but is not a step on a path.
NOT_STEPS = {"sequenceFlow", "dataObject", "dataObjectReference", "dataStoreReference", "textAnnotation",
             "association", "group", "laneSet", "extensionElements", "documentation", "ioSpecification",
             "property", "dataInputAssociation", "dataOutputAssociation", "multiInstanceLoopCharacteristics",
             "standardLoopCharacteristics", "incoming", "outgoing", "category", "auditing", "monitoring"}


def _local(node):
    return etree.QName(node).localname if isinstance(node.tag, str) else None


def lint_paths(root, filename):
    """Every step is reachable from a start, and from every step some end can be reached (no dead loop).

    Per container (process, sub-process): starts are its start events, event sub-processes, link catch
    events and compensation handlers; a boundary event follows the activity it is attached to; a step
    without outgoing flow ends its path (BPMN's implicit end).
    """
    findings = []
    for container in root.iter(*(f"{{{BPMN}}}{name}" for name in CONTAINERS)):
        steps = {child.get("id"): child for child in container
                 if _local(child) and _local(child) not in NOT_STEPS and child.get("id")}
        if not steps or container.get("triggeredByEvent") == "true" and not any(
                _local(c) == "startEvent" for c in steps.values()):
            continue
        following = {step: set() for step in steps}
        for flow in container.iterchildren(f"{{{BPMN}}}sequenceFlow"):
            if flow.get("sourceRef") in steps and flow.get("targetRef") in steps:
                following[flow.get("sourceRef")].add(flow.get("targetRef"))
        starts = set()
        for step, node in steps.items():
            kind = _local(node)
            if kind == "boundaryEvent" and node.get("attachedToRef") in steps:
                following[node.get("attachedToRef")].add(step)
            elif (kind == "startEvent" or node.get("triggeredByEvent") == "true"
                  or node.get("isForCompensation") == "true"
                  or (kind == "intermediateCatchEvent" and node.find(f"{{{BPMN}}}linkEventDefinition") is not None)
                  or (kind == "boundaryEvent")):
                starts.add(step)
        if not any(_local(steps[s]) == "startEvent" for s in starts):
            continue  # nothing to start from: the parser's own checks apply
        reached, todo = set(starts), list(starts)
        while todo:
            for nxt in following[todo.pop()]:
                if nxt not in reached:
                    reached.add(nxt)
                    todo.append(nxt)
        for step, node in steps.items():
            if step not in reached:
                findings.append(Finding(filename, node,
                                        f"{node.get('name') or step}（{step}）从任何开始事件都无法到达"))
        preceding = {step: set() for step in steps}
        for step, nexts in following.items():
            for nxt in nexts:
                preceding[nxt].add(step)
        ending = {step for step, nexts in following.items() if not nexts}
        todo = list(ending)
        while todo:
            for before in preceding[todo.pop()]:
                if before not in ending:
                    ending.add(before)
                    todo.append(before)
        for step in sorted(reached - ending, key=lambda s: steps[s].sourceline or 0):
            node = steps[step]
            findings.append(Finding(filename, node, f"{node.get('name') or step}（{step}）之后的路径无法到达结束事件"))
    return findings


TIMER_PARSERS = {
    "timeDuration": ("ISO 8601 时长，例如 \"P7D\"", TimerEventDefinition.parse_iso_duration),
    "timeDate": ("ISO 8601 日期时间，例如 \"2027-01-01T09:00:00+08:00\"", TimerEventDefinition.parse_time_or_duration),
    "timeCycle": ("ISO 8601 循环，例如 \"R3/PT1H\"", TimerEventDefinition.parse_iso_recurring_interval),
    "dueIn": ("ISO 8601 时长，例如 \"P15D\"", TimerEventDefinition.parse_iso_duration),
}


def lint_timers(root, filename):
    """Every timer value written as a literal (and a task's dueIn) parses; expressions are checked at run time."""
    findings = []
    nodes = [(etree.QName(n).localname, n, n.text) for n in
             root.xpath("//bpmn:timeDuration | //bpmn:timeDate | //bpmn:timeCycle", namespaces=NS)]
    nodes += [("dueIn", n, n.get("value")) for n in root.xpath("//spiff:property[@name='dueIn']", namespaces=NS)]
    for kind, node, source in nodes:
        try:
            value = ast.literal_eval((source or "").strip())
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            continue  # an expression: compiled by lint_expressions, evaluated when the timer starts
        expected, parse = TIMER_PARSERS[kind]
        try:
            if not isinstance(value, str):
                raise ValueError(value)
            parse(value)
        except Exception:  # noqa: BLE001 - whatever the parser raises, the value is unusable
            findings.append(Finding(filename, node, f"定时值 {source.strip()} 无法解析：应为{expected}"))
    return findings


def script_names(source, mode):
    """(names read, names bound) by an expression or script; None when it does not parse."""
    try:
        tree = ast.parse(source, mode=mode)
    except SyntaxError:
        return None
    read, bound = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (read if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.alias):
            bound.add((node.asname or node.name).split(".")[0])
    return read, bound


def lint_condition_names(root, filename, dmn_roots, library):
    """A gateway condition may only name data some step produces: a form's field (task or start form),
    a service's result, a script's variable, a decision table's output, a multi-instance item, a
    message's variable, or what every case starts with (start_data, round_info)."""
    import builtins

    produced = {"start_data", "round_info", "params"} | set(dir(builtins)) | set(restricted_globals())
    for key in root.xpath("//spiff:property[@name='formKey' or @name='startForm']/@value", namespaces=NS):
        try:
            produced |= {f.name for f in library.form(str(key)).fields}
        except (FormNotFound, FormDefinitionError):
            pass  # reported by lint_tasks
    produced |= {str(v) for v in root.xpath(
        "//spiff:serviceTaskOperator/@resultVariable | //@elementVariable | //bpmn:dataInput/@name"
        " | //bpmn:dataOutput/@name | //bpmn:dataObject/@id | //@messageVariable"
        " | //spiff:messageVariable/text() | //bpmn:inputDataItem/@name | //bpmn:outputDataItem/@name"
        " | //bpmn:loopDataInputRef/text() | //bpmn:loopDataOutputRef/text()", namespaces=NS)}
    for path in SCRIPT_XPATHS:
        for node in root.xpath(path, namespaces=NS):
            names = script_names(node.text or "", "exec")
            if names:
                produced |= names[1]
    for _, dmn_root in dmn_roots:
        namespace = dmn_root.nsmap.get(None) or DMN_NS["dmn"]
        produced |= {str(v) for v in dmn_root.xpath("//d:output/@name", namespaces={"d": namespace})}
    findings = []
    for node in root.xpath("//bpmn:sequenceFlow/bpmn:conditionExpression", namespaces=NS):
        names = script_names((node.text or "").strip(), "eval") if (node.text or "").strip() else None
        if not names:
            continue  # empty, or a syntax error lint_expressions reports
        for name in sorted(names[0] - names[1] - produced):
            findings.append(Finding(filename, node,
                                    f"分支条件使用了未知字段 {name}：没有任何表单、任务、脚本或决策表产生它"))
    return findings


class Parsed:
    """The result of a successful validation: what a deployment stores."""

    def __init__(self, key, name, needs_round, spec_dict, package, policy=()):
        self.key, self.name, self.needs_round, self.policy = key, name, needs_round, list(policy)
        self.spec_dict, self.package = spec_dict, package

    @property
    def content_hash(self):
        return self.package.content_hash


class PolicyChangeRequired(DefinitionError):
    """The diagram deviates from what the regulation fixes: deployable only when the owner confirms with a reason."""


def lint_package_texts(package, library, root):
    """Every form and list of the package reads (a broken one is named by its file), and the forms the
    process names (startForm, objectionForm) are in it; a task's form is lint_tasks' to report."""
    findings = []
    for key in sorted(package.forms):
        try:
            library.form(key)
        except (FormDefinitionError, FormNotFound) as err:
            findings.append(Finding(f"forms/{key}.yaml", None, f"表单有误：{err}"))
    for name in sorted(package.lists):
        try:
            entries = library.entries(name)
        except FormDefinitionError as err:
            findings.append(Finding(f"lists/{name}.yaml", None, f"选项列表有误：{err}"))
            continue
        if not isinstance(entries, list) or not all(isinstance(e, dict) and "value" in e and "label" in e
                                                    for e in entries):
            findings.append(Finding(f"lists/{name}.yaml", None, "选项列表须为 {value, label} 条目的列表"))
    for node in root.xpath("//bpmn:process/bpmn:extensionElements//spiff:property"
                           "[@name='startForm' or @name='objectionForm']", namespaces=NS):
        if node.get("value") not in package.forms:
            findings.append(Finding(package.bpmn[0], node, f"流程引用的表单 {node.get('value')} 不在规则包中"))
    return findings


def lint_guardrails(package, previous, root, filename, dmn_roots):
    """guardrails.py's checks; those that compare with the version in force need `previous` (its package)."""
    try:
        params = parameters.read(package.parameters)
    except DefinitionError as err:
        return [Finding("parameters.yaml", None, text) for text in err.errors]
    findings = guardrails.lint_guarded_services(root, filename, params, Finding, NS)
    findings += guardrails.lint_decision_coverage(dmn_roots, Finding)
    if previous is not None:
        try:
            findings += guardrails.lint_parameter_changes(params, parameters.read(previous.parameters), Finding)
        except DefinitionError:
            pass  # the version in force had unreadable parameters: nothing to compare with
        previous_roots = [(name, parse_xml(text.encode(), name)) for name, text in previous.dmns]
        findings += guardrails.lint_fixed_decisions(dmn_roots, previous_roots, Finding)
        findings += guardrails.lint_required_entries(package.lists, previous.lists, Finding)
    return findings


def parse_package(package, confirm_policy_change=False, reason=None, previous=None):
    """Validate a rule package (its diagram, tables, forms and lists); raise DefinitionError listing every
    finding. `previous`: the package in force, for what counts as a policy change.

    Policy-change findings (severity "policy") raise PolicyChangeRequired unless confirm_policy_change
    is true and a reason is given; the accepted ones are on the result's `policy`.
    """
    filename, text = package.bpmn
    root = parse_xml(text.encode(), filename)
    dmn_roots = [(name, parse_xml(data.encode(), name)) for name, data in package.dmns]
    executable = root.xpath("//bpmn:process[@isExecutable='true']", namespaces=NS)
    if not executable:
        raise _refuse(f"{filename}: 没有可执行的流程（isExecutable=\"true\"），无法部署运行", None, file=filename)
    if len(executable) > 1:
        raise _refuse(f"{filename}: 一个文件只能包含一个可执行流程", None, file=filename)
    process = executable[0]
    key = process.get("id")
    parser = SpiffBpmnParser(validator=VALIDATOR)
    try:
        parser.add_bpmn_xml(root, filename)
        for name, dmn_root in dmn_roots:
            parser.add_dmn_xml(dmn_root, name)
    except ValidationException as err:
        raise _refuse(f"{filename} 第 {err.line_number or '?'} 行：不符合 BPMN 规范：{err}", None,
                      getattr(err, "id", None), getattr(err, "file_name", None) or filename,
                      getattr(err, "line_number", None)) from None
    library = package.library()
    findings = (lint_package_texts(package, library, root) + lint_expressions(root, filename)
                + lint_tasks(root, filename, library) + lint_paths(root, filename) + lint_timers(root, filename))
    for name, dmn_root in dmn_roots:
        findings += lint_dmn(dmn_root, name)
    findings += lint_condition_names(root, filename, dmn_roots, library)
    findings += lint_guardrails(package, previous, root, filename, dmn_roots)
    errors = [f for f in findings if f.severity == "error"]
    policy = [f for f in findings if f.severity == "policy"]
    if errors:
        raise _refuse(f"{filename}: {len(findings)} 处问题", findings)
    if policy and not (confirm_policy_change and (reason or "").strip()):
        err = PolicyChangeRequired(f"{filename}: {len(policy)} 处政策变更，需明确确认（confirm_policy_change）"
                                   "并说明理由（reason）", list(policy))
        err.findings = [f.to_dict() for f in policy]
        raise err
    try:
        spec = parser.get_spec(key)
        subprocess_specs = parser.get_subprocess_specs(key)
    except (ValidationException, SpiffWorkflowException) as err:
        line = getattr(err, "line_number", "") or "?"
        raise _refuse(f"{filename} 第 {line} 行：{err}", None, getattr(err, "id", None), filename,
                      getattr(err, "line_number", None)) from None
    needs_round = bool(process.xpath(
        "bpmn:extensionElements//spiff:property[@name='requiresRound' and @value='true']", namespaces=NS))
    return Parsed(key, process.get("name") or key, needs_round, serializer.spec_to_dict(spec, subprocess_specs),
                  package, policy)


def deploy(package, actor=None, note=None, confirm_policy_change=False, reason=None, run_scenarios=None,
           approved_by=None):
    """Store a rule package as a new version, or return the latest one when it holds exactly this package.

    A policy change (see parse_package) needs confirm_policy_change and a reason; the reason goes into
    the version's note and the audit entry. A new version must pass the package's scenarios; a failing
    one refuses it, naming the scenario and what differed. run_scenarios=False (or the app's
    DEPLOY_SCENARIOS = False) skips them.
    """
    latest = latest_definition(package_key(package.bpmn[1], package.bpmn[0]), required=False)
    parsed = parse_package(package, confirm_policy_change, reason, of_version(latest) if latest else None)
    if latest is not None and latest.content_hash == parsed.content_hash:
        return latest, False  # identical to the rules in force; an older version's content is a restore
    if run_scenarios is None:
        run_scenarios = current_app.config.get("DEPLOY_SCENARIOS", True)
    if run_scenarios:
        check_scenarios(parsed, reason)
    data = {"key": parsed.key, "hash": parsed.content_hash}
    if parsed.policy:
        reason = reason.strip()
        note = f"{note.strip()}\n政策变更理由：{reason}" if (note or "").strip() else f"政策变更理由：{reason}"
        data.update(policy_change=[f.message for f in parsed.policy], reason=reason)
    definition = ProcessDefinition(
        key=parsed.key, version=(latest.version + 1) if latest else 1, name=parsed.name,
        bpmn_xml=package.bpmn[1], dmn_xml=[text for _name, text in package.dmns], content_hash=parsed.content_hash,
        spec=parsed.spec_dict, forms=dict(package.forms), lists=dict(package.lists), parameters=package.parameters,
        scenarios=package.scenarios, needs_round=parsed.needs_round, note=note, deployed_by=actor,
        approved_by=approved_by)
    db.session.add(definition)
    db.session.flush()
    audit.record("deploy", actor, name=f"{parsed.key} v{definition.version}",
                 data={**data, "version": definition.version, "approved_by": approved_by})
    for listener in ON_DEPLOY:
        listener()
    return definition, True


# Called after each new version (labels read the lists in force afresh); the engine knows no listener.
ON_DEPLOY = []


def check_scenarios(parsed, reason):
    from . import scenarios

    if not (parsed.package.scenarios or "").strip():
        return
    try:
        results = scenarios.run(parsed.package, reason=reason)
    except scenarios.ScenarioFileError as err:
        raise _refuse(f"场景文件有误：{err}", [f"场景文件有误：{err}"]) from None
    failed = scenarios.failures(results)
    if failed:
        raise _refuse(f"{parsed.key}: {len(failed)} 个场景测试未通过", failed)


def latest_definition(key, required=True):
    definition = (ProcessDefinition.query.filter_by(key=key)
                  .order_by(ProcessDefinition.version.desc()).first())
    if definition is None and required:
        raise NotFound(f"流程 {key} 未部署")
    return definition


_properties = {}


def process_properties(definition):
    """The process-level spiffworkflow:properties (requiresRound, startableBy, startsFor…) of a version."""
    if definition.content_hash not in _properties:
        root = parse_xml(definition.bpmn_xml.encode(), definition.key)
        nodes = root.xpath(f"//bpmn:process[@id='{definition.key}']/bpmn:extensionElements//spiff:property",
                           namespaces=NS)
        _properties[definition.content_hash] = {n.get("name"): n.get("value") for n in nodes}
    return _properties[definition.content_hash]


_spec_dicts = {}
_specs = threading.local()


def spec_dict(definition):
    """The stored spec of a version, read from the database once per process (keyed by content)."""
    if definition.content_hash not in _spec_dicts:
        _spec_dicts[definition.content_hash] = definition.spec
    return _spec_dicts[definition.content_hash]


def spec_objects(definition):
    """Parsed spec objects of a version, restored once per thread (keyed by content) and reused.

    Per thread, because a step may rewire the objects for its own case (an event subprocess being
    triggered, see serializer.pristine); a rewired set is dropped and restored afresh.
    """
    specs = getattr(_specs, "by_hash", None)
    if specs is None:
        specs = _specs.by_hash = {}
    cached = specs.get(definition.content_hash)
    if cached is None or not serializer.pristine(cached):
        cached = specs[definition.content_hash] = serializer.spec_from_dict(spec_dict(definition))
    return cached
