"""The lint of a rule package: everything the engine will later evaluate or look up, checked before a
version is stored (expressions compile under the restricted engine, each user task's lane names a
role and its form exists, timers parse, conditions name data some step produces, the guardrails)."""

import ast
import builtins
import re

from lxml import etree
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from ..formkit import FormDefinitionError, FormNotFound
from . import countersign, dmn_lint, guardrails, milestones, parameters, privileged, roles, services, workdays
from .dmn_read import namespace as dmn_namespace
from .errors import DefinitionError
from .findings import NS, Finding, text_of
from .lint_elements import lint_elements
from .reachability import lint_paths
from .restricted import RefusedExpression, compile_expression, compile_script, restricted_globals
from .xml import parse_xml

# What the engine evaluates as an expression (a task's properties, not the process's: those are names
# and labels pages read), and as a script.
EXPRESSION_XPATHS = (
    "//bpmn:conditionExpression", "//bpmn:timeDate", "//bpmn:timeDuration", "//bpmn:timeCycle",
    "//bpmn:completionCondition", "//bpmn:loopCardinality",
    "//spiff:property[not(parent::*/parent::bpmn:extensionElements/parent::bpmn:process)]/@value",
    "//spiff:parameter/@value",
)
SCRIPT_XPATHS = ("//bpmn:scriptTask/bpmn:script", "//spiff:preScript", "//spiff:postScript")


def lint_expressions(root, filename):
    findings = []
    for paths, compiler in ((EXPRESSION_XPATHS, compile_expression), (SCRIPT_XPATHS, compile_script)):
        for path in paths:
            for node in root.xpath(path, namespaces=NS):
                source = text_of(node)
                if not source.strip():
                    continue
                try:
                    compiler(source)
                except RefusedExpression as err:
                    findings.append(Finding(filename, node, f"表达式被拒绝：{err}"))
    return findings


def lint_dmn(root, filename):
    """Every cell of a decision table is FEEL the engine runs (dmn_lint.py)."""
    return dmn_lint.lint(root, filename)


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
        if lane is None:
            findings.append(Finding(filename, task, f"用户任务 {task_id} 不在任何泳道中：请把它放进一个泳道，"
                                                    "泳道的名称决定由哪个角色办理"))
        elif roles.resolve(lane) is None:
            findings.append(Finding(filename, task, f"用户任务 {task_id} 所在泳道 {lane!r} 不对应任何角色"))
        findings += _lint_countersign(task, filename) + _lint_take_back(task, filename)
        findings += _lint_organization(task, filename, roles.resolve(lane) if lane else None)
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
    process_key = (root.xpath("//bpmn:process/@id", namespaces=NS) or [None])[0]
    for operator in root.xpath("//spiff:serviceTaskOperator", namespaces=NS):
        if operator.get("id") not in services.OPERATIONS:
            findings.append(Finding(filename, operator, f"未知服务 {operator.get('id')}"))
        elif privileged.refusal(operator.get("id"), process_key):
            findings.append(Finding(filename, operator, privileged.refusal(operator.get("id"), process_key)))
    return findings


TIMER_PARSERS = {
    "timeDuration": ("ISO 8601 时长，例如 \"P7D\"", TimerEventDefinition.parse_iso_duration),
    "timeDate": ("ISO 8601 日期时间，例如 \"2027-01-01T09:00:00+08:00\"", TimerEventDefinition.parse_time_or_duration),
    "timeCycle": ("ISO 8601 循环，例如 \"R3/PT1H\"", TimerEventDefinition.parse_iso_recurring_interval),
    "dueIn": ("ISO 8601 时长，例如 \"P15D\"", TimerEventDefinition.parse_iso_duration),
}


# A duration, date or cycle typed without its quotes (P7D rather than "P7D").
UNQUOTED_TIME = re.compile(r"(R\d*/)?P[0-9YMWDTHS.]+|\d{4}-\d{2}-\d{2}(T[0-9:+.Z-]+)?")


def lint_timers(root, filename):
    """Every timer value written as a literal (and a task's dueIn) parses; expressions are checked at run time."""
    findings = []
    nodes = [(etree.QName(n).localname, n, n.text) for n in
             root.xpath("//bpmn:timeDuration | //bpmn:timeDate | //bpmn:timeCycle", namespaces=NS)]
    nodes += [("dueIn", n, n.get("value")) for n in root.xpath("//spiff:property[@name='dueIn']", namespaces=NS)]
    for kind, node, source in nodes:
        source = (source or "").strip()
        try:
            value = ast.literal_eval(source)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            if UNQUOTED_TIME.fullmatch(source):
                findings.append(Finding(filename, node, f"定时值 {source} 须加英文双引号，写成 \"{source}\""
                                                        "（不加引号会被当作表达式）"))
            continue  # an expression: compiled by lint_expressions, evaluated when the timer starts
        expected, parse = TIMER_PARSERS[kind]
        try:
            if not isinstance(value, str):
                raise ValueError(value)
            parse(value)
        except Exception:  # noqa: BLE001 - whatever the parser raises, the value is unusable
            findings.append(Finding(filename, node, f"定时值 {source} 无法解析：应为{expected}"))
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


def produced_names(root, dmn_roots, library):
    """The names some step of the diagram produces: a form's field (task or start form), a service's
    result, a script's variable, a decision table's output, a multi-instance item or output collection,
    a message's variable, or what every case starts with (start_data, round_info, params, working_days_later)."""
    produced = ({"start_data", "round_info", "params", "working_days_later"} | set(dir(builtins))
                | set(restricted_globals()))
    for key in root.xpath("//spiff:property[@name='formKey' or @name='startForm']/@value", namespaces=NS):
        try:
            produced |= {f.name for f in library.form(str(key)).fields}
        except (FormNotFound, FormDefinitionError):
            pass  # reported by lint_tasks
    produced |= {str(v) for v in root.xpath(
        "//spiff:serviceTaskOperator/@resultVariable | //@elementVariable | //bpmn:dataInput/@name"
        " | //bpmn:dataOutput/@name | //bpmn:dataObject/@id | //@messageVariable"
        " | //spiff:messageVariable/text() | //bpmn:inputDataItem/@name | //bpmn:outputDataItem/@name"
        " | //bpmn:loopDataOutputRef/text()", namespaces=NS)}
    for path in SCRIPT_XPATHS:
        for node in root.xpath(path, namespaces=NS):
            names = script_names(node.text or "", "exec")
            if names:
                produced |= names[1]
    for _, dmn_root in dmn_roots:
        produced |= {str(v) for v in dmn_root.xpath("//d:output/@name", namespaces={"d": dmn_namespace(dmn_root)})}
        produced |= {str(v) for v in dmn_root.xpath("//d:decision/d:variable/@name | //d:decision/@name",
                                                    namespaces={"d": dmn_namespace(dmn_root)})}
    return produced


def lint_condition_names(root, filename, dmn_roots, library):
    """A gateway condition may only name data some step produces (produced_names)."""
    produced = produced_names(root, dmn_roots, library)
    findings = []
    for node in root.xpath("//bpmn:sequenceFlow/bpmn:conditionExpression", namespaces=NS):
        names = script_names((node.text or "").strip(), "eval") if (node.text or "").strip() else None
        if not names:
            continue  # empty, or a syntax error lint_expressions reports
        for name in sorted(names[0] - names[1] - produced):
            findings.append(Finding(filename, node,
                                    f"分支条件使用了未知字段 {name}：没有任何表单、任务、脚本或决策表产生它"))
    return findings


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
        elif name == workdays.LIST:
            try:
                workdays.parse(package.lists[name])
            except ValueError as err:
                findings.append(Finding(f"lists/{name}.yaml", None, f"工作日历有误：{err}"))
    for node in root.xpath("//bpmn:process/bpmn:extensionElements//spiff:property"
                           "[@name='startForm' or @name='objectionForm']", namespaces=NS):
        if node.get("value") not in package.forms:
            findings.append(Finding(package.bpmn[0], node, f"流程引用的表单 {node.get('value')} 不在规则包中"))
    for node in root.xpath("//bpmn:process/bpmn:extensionElements//spiff:property[@name='recommendationLetter']",
                           namespaces=NS):  # a document template is a list of the package
        if node.get("value") not in package.lists:
            findings.append(Finding(package.bpmn[0], node, f"流程引用的文书模板 {node.get('value')} 不在规则包中"))
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


def _lint_take_back(task, filename):
    """拿回 (operations.may_take_back): a step's takeBack is the literal True or False."""
    return [Finding(filename, node, f"拿回设置 takeBack 的值 {node.get('value')} 须为 True（允许）或 False（不允许）")
            for node in task.xpath("bpmn:extensionElements//spiff:property[@name='takeBack']", namespaces=NS)
            if (node.get("value") or "").strip() not in ("True", "False")]


def _lint_organization(task, filename, role):
    """`organization` says which enterprise's inbox a task goes to (runtime._organization): only an
    enterprise's task has one to choose."""
    return [Finding(filename, node, f"任务 {task.get('id')} 的 organization（办理单位）只对申报单位泳道中的任务有效，"
                                    f"此任务由 {role or '—'} 办理，该设置不会生效")
            for node in task.xpath("bpmn:extensionElements//spiff:property[@name='organization']", namespaces=NS)
            if role != "applicant"]


# Process properties that name a user task of the diagram (a page reads them instead of an element id).
TASK_PROPERTIES = ("summaryApplication", "summaryReview")


def lint_process_properties(root, filename):
    """A process property that names a task (TASK_PROPERTIES) names a user task of this diagram."""
    tasks = {str(v) for v in root.xpath("//bpmn:userTask/@id", namespaces=NS)}
    findings = []
    for name in TASK_PROPERTIES:
        for node in root.xpath(f"//bpmn:process/bpmn:extensionElements//spiff:property[@name='{name}']",
                               namespaces=NS):
            if node.get("value") not in tasks:
                findings.append(Finding(filename, node, f"流程属性 {name} 的值 {node.get('value')!r} 不是本图中的"
                                                        "用户任务；请填写用户任务的 ID"))
    return findings


END_STATUSES = ("completed", "terminated")  # how an end event may end its case (status; terminated: 撤回)


def lint_end_status(root, filename):
    """An end event's `status` is one of END_STATUSES, written as a literal (the case list filters by it)."""
    findings = []
    for node in root.xpath("//bpmn:endEvent/bpmn:extensionElements//spiff:property[@name='status']", namespaces=NS):
        try:
            value = ast.literal_eval((node.get("value") or "").strip())
        except (ValueError, SyntaxError):
            value = None
        if value not in END_STATUSES:
            findings.append(Finding(filename, node, f"结束事件的 status 属性 {node.get('value')} 须为 "
                                                    "\"completed\"（办结）或 \"terminated\"（终止，如撤回）"))
    return findings


def lint_package(package, previous, root, dmn_roots):
    """Every finding of the package: `root` its parsed diagram, `dmn_roots` [(file, root)] its tables,
    `previous` the package in force (None for a first version)."""
    filename = package.bpmn[0]
    library = package.library()
    findings = (lint_package_texts(package, library, root) + lint_expressions(root, filename)
                + lint_tasks(root, filename, library) + lint_paths(root, filename) + lint_timers(root, filename)
                + lint_process_properties(root, filename) + lint_end_status(root, filename)
                + milestones.lint(package, root))
    for name, dmn_root in dmn_roots:
        findings += lint_dmn(dmn_root, name)
    findings += lint_condition_names(root, filename, dmn_roots, library)
    findings += lint_elements(root, filename, produced_names(root, dmn_roots, library))
    return findings + lint_guardrails(package, previous, root, filename, dmn_roots)
