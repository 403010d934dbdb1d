"""Elements that would deploy and then fail at every start, refused at deploy instead: a multi-instance
task over a collection nothing produces, a call activity that calls itself (directly or round a cycle:
it would expand forever), a script that imports or is empty, a timer or script that names a module the
restricted engine does not have (`datetime`)."""

import ast

from .findings import NS, Finding

# Module names a script or timer might reach for; none exists in the restricted engine.
MODULES = {"datetime", "date", "timedelta", "time", "json", "re", "math", "os", "sys", "random", "uuid"}
TIMER_XPATH = "//bpmn:timeDate | //bpmn:timeDuration | //bpmn:timeCycle"
SCRIPT_XPATH = "//bpmn:scriptTask/bpmn:script | //spiff:preScript | //spiff:postScript"


def lint_multi_instance(root, filename, produced):
    findings = []
    for ref in root.xpath("//bpmn:multiInstanceLoopCharacteristics/bpmn:loopDataInputRef", namespaces=NS):
        name = (ref.text or "").strip()
        if name and name not in produced:
            findings.append(Finding(filename, ref, f"多实例任务的输入集合 {name} 没有任何表单、脚本、服务或决策表产生："
                                                   "每次启动都会失败；请先用一个步骤产生它，或改用循环次数（loopCardinality）"))
    return findings


def lint_recursive_calls(root, filename):
    """A call activity whose called process calls back into the caller (itself included)."""
    calls = {}
    for process in root.xpath("//bpmn:process", namespaces=NS):
        calls[process.get("id")] = process.xpath(".//bpmn:callActivity", namespaces=NS)
    findings = []
    for caller, activities in calls.items():
        for activity in activities:
            path = _cycle(activity.get("calledElement"), caller, calls, [caller])
            if path:
                name = activity.get("name") or activity.get("id")
                findings.append(Finding(filename, activity, f"调用活动 {name} 形成递归调用（{' → '.join(path)}）："
                                                            "每次启动都会无限展开；请改为循环或子流程"))
    return findings


def _cycle(called, target, calls, path):
    if called is None or called in path[1:]:
        return None
    if called == target:
        return [*path, called]
    for activity in calls.get(called, ()):
        found = _cycle(activity.get("calledElement"), target, calls, [*path, called])
        if found:
            return found
    return None


def lint_scripts(root, filename):
    findings = []
    for task in root.xpath("//bpmn:scriptTask", namespaces=NS):
        if not "".join(task.xpath("bpmn:script/text()", namespaces=NS)).strip():
            findings.append(Finding(filename, task, f"脚本任务 {task.get('name') or task.get('id')} 的脚本为空："
                                                    "请填写脚本，或改为普通任务（task，系统直接通过）"))
    for node in root.xpath(SCRIPT_XPATH, namespaces=NS):
        try:
            tree = ast.parse(node.text or "")
        except SyntaxError:
            continue  # lint_expressions names it
        for statement in ast.walk(tree):
            if isinstance(statement, ast.Import | ast.ImportFrom):
                findings.append(Finding(filename, node, f"脚本第 {statement.lineno} 行使用了 import：本系统的脚本不能"
                                                        "导入模块；可用 len、sum、min、max、round、sorted 等内置函数，"
                                                        "日期与期限请用定时事件的 ISO 8601 值"))
        findings += _modules(filename, node, tree, "脚本")
    return findings


def lint_timer_names(root, filename):
    findings = []
    for node in root.xpath(TIMER_XPATH, namespaces=NS):
        try:
            tree = ast.parse((node.text or "").strip(), mode="eval")
        except SyntaxError:
            continue  # lint_expressions names it
        findings += _modules(filename, node, tree, "定时值")
    return findings


def _modules(filename, node, tree, what):
    bound = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}
    used = sorted({n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
                  & MODULES - bound)
    return [Finding(filename, node, f"{what}使用了 {name}：本系统的表达式中没有 {name} 模块；定时值请直接写 ISO 8601 "
                                    "文字（加英文双引号），如 \"P7D\"、\"2027-01-01T09:00:00+08:00\"，或引用规则参数 "
                                    "params[…]") for name in used]


def lint_elements(root, filename, produced):
    return (lint_multi_instance(root, filename, produced) + lint_recursive_calls(root, filename)
            + lint_scripts(root, filename) + lint_timer_names(root, filename))
