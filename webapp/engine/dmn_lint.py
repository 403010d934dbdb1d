"""Refuse at deploy every decision table cell this engine would not run, naming the table, the rule and
the column in Chinese: a cell that is not FEEL, a hit policy or aggregation DMN does not define, a
PRIORITY table without the output values that rank its rules."""

from . import dmn_read, feel
from .dmn_read import AGGREGATIONS, HIT_POLICIES, label_of
from .findings import Finding

TEST_EXAMPLES = ('例如 >= 90、[80..90[、]80..90]、"优秀","良好"、not("不合格")、true、null、< date("2026-01-01")，'
                 "或 - 表示任意")


def lint(root, filename):
    """Every finding of one DMN file."""
    decisions, problems = dmn_read.read(root, filename)
    findings = [Finding(filename, None, message, line=line, element_id=element_id)
                for line, element_id, message in problems]
    for decision in decisions.values():
        findings += _lint_table(decision, filename)
    return findings


def _lint_table(decision, filename):
    table, label = decision["table"], label_of(decision)

    def found(place, message):
        return Finding(filename, None, message, line=place.get("line"), element_id=place.get("id"))

    findings = _lint_policy(decision, found)
    for column in table["inputs"]:
        if not column["expression"]:
            findings.append(found(column, f"决策表{label}的输入列“{column['label']}”没有输入表达式"
                                          "（例如 average_score）"))
        else:
            findings += _check(found, column, feel.parse_expression, column["expression"],
                               f"决策表{label}的输入列“{column['label']}”的输入表达式", "FEEL 表达式")
        if column["values"]:
            findings += _check(found, column, feel.listed_values, column["values"],
                               f"决策表{label}的输入列“{column['label']}”的取值列表（inputValues）", "值的列表")
    for column in table["outputs"]:
        if column["values"]:
            findings += _check(found, column, feel.listed_values, column["values"],
                               f"决策表{label}的输出列“{column['label']}”的取值列表（outputValues）", "值的列表")
    for rule in table["rules"]:
        where = f"决策表{label}第 {rule['row']} 条规则（{rule['id']}）"
        for cell, column in zip(rule["inputs"], table["inputs"], strict=False):
            findings += _check(found, rule, feel.parse_tests, cell,
                               f"{where}的输入列“{column['label']}”单元格 {cell}", "FEEL 一元测试", TEST_EXAMPLES)
        for cell, column in zip(rule["outputs"], table["outputs"], strict=False):
            if not cell:
                continue
            problems = _check(found, rule, feel.parse_expression, cell,
                              f"{where}的输出列“{column['label']}”单元格 {cell}", "FEEL 表达式",
                              '例如 "excellent"、90、true、score * 2')
            if not problems and feel.uses_input(feel.parse_expression(cell)):
                problems = [found(rule, f"{where}的输出列“{column['label']}”单元格 {cell} 不能使用 ?"
                                        "（? 只用于输入单元格）")]
            findings += problems
    return findings


def _check(found, place, parse, text, what, kind, examples=None):
    try:
        parse(text)
    except feel.FeelError as err:
        hint = f"；{examples}" if examples else ""
        return [found(place, f"{what} 不是本系统可执行的 {kind}：{err}{hint}")]
    return []


def _lint_policy(decision, found):
    table, label = decision["table"], label_of(decision)
    policy, aggregation, outputs = table["hit_policy"], table["aggregation"], table["outputs"]
    findings = []
    if policy not in HIT_POLICIES:
        findings.append(found(table, f"决策表{label}的命中策略 {policy} 不是 DMN 的命中策略；可用："
                                     f"{'、'.join(HIT_POLICIES)}"))
    if aggregation and (aggregation not in AGGREGATIONS or policy != "COLLECT"):
        findings.append(found(table, f"决策表{label}的聚合 {aggregation} 无效：只有命中策略 COLLECT 可以聚合，"
                                     f"聚合须为 {'、'.join(AGGREGATIONS)} 之一"))
    elif aggregation and len(outputs) != 1:
        findings.append(found(table, f"决策表{label}用 COLLECT {aggregation} 聚合时只能有一个输出列"
                                     f"（现有 {len(outputs)} 个）"))
    if policy in ("PRIORITY", "OUTPUT ORDER") and not any(o["values"] for o in outputs):
        findings.append(found(table, f"决策表{label}的命中策略 {policy} 按输出列的取值列表（outputValues）排定规则的"
                                     "优先级：请为输出列填写取值列表，例如 \"批准\", \"拒绝\""))
    if not outputs:
        findings.append(found(table, f"决策表{label}没有输出列"))
    if len(outputs) > 1 and not all(o["name"] for o in outputs):
        findings.append(found(table, f"决策表{label}有多个输出列时每个输出列都须有名称（name），流程按名称读取结果"))
    return findings
