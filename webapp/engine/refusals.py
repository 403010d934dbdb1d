"""SpiffWorkflow's refusals of a diagram, said in Chinese with the element and its line.

SpiffWorkflow raises English text ("A Service Task must have an operator.") and rarely a line
number (it reads `line_number`, which lxml elements do not have). Each known message is rewritten
here to say what is wrong and what to do, for diagrams from Camunda and Zeebe too; the element is
found in the parsed file by the id or name the message gives, and its line read from there.
"""

import re

from .findings import NS

CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
ZEEBE = "http://camunda.org/schema/zeebe/1.0"


def _service_task(match, element):
    """A service task without a spiffworkflow operator: most often one drawn for Camunda or Zeebe."""
    from . import services

    dialect = ""
    if element is not None:
        camunda = {k.split("}")[1]: v for k, v in element.attrib.items() if k.startswith(f"{{{CAMUNDA}}}")}
        if camunda:
            what = "，".join(f"camunda:{k}={v}" for k, v in camunda.items())
            dialect = f"这是 Camunda 的服务任务（{what}）：Java 类、表达式和外部任务在本系统中不会执行；"
        elif element.xpath(".//*[namespace-uri()=$ns]", ns=ZEEBE):
            dialect = "这是 Zeebe（Camunda 8）的服务任务（zeebe:taskDefinition）：作业工作者在本系统中不存在；"
    return (f"{dialect}本系统的服务任务须在“服务”中选择一个本系统提供的服务（spiffworkflow:serviceTaskOperator），"
            f"可用的服务：{'、'.join(sorted(services.OPERATIONS))}；只需人工处理时请改为用户任务")


# (pattern of SpiffWorkflow's message, Chinese text or function(match, element) → text, how to find the element)
RULES = [
    (r"Data Store with name (?P<name>.+?) has no implementation",
     "数据存储“{name}”：本系统不支持数据存储（dataStore）；请把数据存在流程变量（数据对象）中，"
     "或由服务任务读写", "store"),
    (r"The process '(?P<name>.+?)' was not found",
     "调用活动调用的流程 {name} 不在本规则包中：一个规则包只有一个 BPMN 文件，被调用的流程须画在同一文件中，"
     "或改用子流程（subProcess）", "called"),
    (r"A Service Task must have an operator", _service_task, "id"),
    (r"A multiinstance task must specify exactly one of cardinality or loop input data reference",
     "多实例任务须且只能指定循环次数（loopCardinality）或输入集合（loopDataInputRef）之一", "id"),
    (r"A multiinstance task must specify a cardinality or a loop input data reference",
     "多实例任务须指定循环次数（loopCardinality）或输入集合（loopDataInputRef）", "id"),
    (r"A loopMaximum or loopCondition must be specified for Loop Tasks",
     "循环任务须指定最大循环次数（loopMaximum）或循环条件（loopCondition）", "id"),
    (r"No start event found", "流程没有开始事件：请添加一个开始事件", "id"),
    (r"A SubWorkflow Must contain an End event", "子流程须包含一个结束事件", "id"),
    (r"There is no support implemented for this task type",
     "本系统不支持这种元素，请改用用户任务、脚本任务或服务任务", "id"),
    (r"Duplicate process ID: (?P<name>.+)", "流程 ID {name} 重复：每个流程的 ID 须唯一", "id"),
    (r"Cannot resolve data(?:In|Out)putAssociation (?P<name>.+)",
     "数据关联找不到数据对象 {name}：请把关联连到本流程中的数据对象", "id"),
    (r"Conditional event definition with missing condition", "条件事件没有填写条件", "id"),
    (r"Unknown Time Specification",
     "定时事件没有时间设置：请填写日期（timeDate）、时长（timeDuration）或循环（timeCycle）", "id"),
    (r"Time Specification Error\. (?P<name>.*)", "定时事件的时间设置有误：{name}", "id"),
    (r"(?P<name>Signal|Error|Escalation|Correlation) identifier is missing",
     "事件引用的{name}定义不存在：请在事件上选择一个已定义的信号、错误或升级", "id"),
    (r"Element '(?P<element>[^']+)', attribute '(?P<attribute>[^']+)': '(?P<name>[^']*)' is not a valid value of the "
     r"atomic type 'xs:ID'",
     "元素 {element} 的 {attribute} 值 '{name}' 不是合法的 XML 标识：不能以数字开头，不能含空格或冒号", "xsd"),
    (r"Element '(?P<element>[^']+)'(?:, attribute '(?P<attribute>[^']+)')?: (?P<name>.+)",
     "元素 {element} 不符合 BPMN 2.0 规范（XSD 校验：{name}）", "xsd"),
]
COMPILED = [(re.compile(pattern), text, how) for pattern, text, how in RULES]
BPMN_NS = NS["bpmn"]


def _element(root, how, match, err):
    if root is None:
        return None
    name = match.groupdict().get("name") if match else None
    if how == "store" and name:
        found = root.xpath("//bpmn:dataStore[@name=$n] | //bpmn:dataStoreReference[@name=$n]", namespaces=NS, n=name)
    elif how == "called" and name:
        found = root.xpath("//bpmn:callActivity[@calledElement=$n]", namespaces=NS, n=name)
    else:
        found = root.xpath("//*[@id=$i]", i=getattr(err, "id", "") or "") if getattr(err, "id", "") else []
    return found[0] if found else None


def explain(err, root):
    """(message, element id, line) of a SpiffWorkflow refusal; the text as it is when no rule knows it."""
    text = str(err).strip()
    try:
        text = err.args[0] if err.args and isinstance(err.args[0], str) else text
    except Exception:  # noqa: BLE001 - SpiffWorkflow's str() may fail; its first argument is the message
        pass
    for pattern, chinese, how in COMPILED:
        match = pattern.search(text)
        if match:
            element = _element(root, how, match, err)
            groups = {k: v for k, v in match.groupdict().items() if v is not None}
            message = chinese(match, element) if callable(chinese) else chinese.format_map(_Missing(groups))
            break
    else:
        element = _element(root, "id", None, err)
        message = f"不符合本系统可执行的 BPMN：{text}（SpiffWorkflow）"
    line = getattr(err, "line_number", None) or (element.sourceline if element is not None else None)
    element_id = (element.get("id") if element is not None else None) or getattr(err, "id", None) or None
    if element is not None and element.get("name"):
        message = f"{element.get('name')}：{message}"
    return message, element_id, line if isinstance(line, int) else None


class _Missing(dict):
    def __missing__(self, key):
        return ""
