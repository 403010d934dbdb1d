"""Read a DMN file (1.1 to 1.5, any prefix: `semantic:` as well as a default namespace) into plain data:
its decision tables, each cell as the text it holds. What cannot run here (no decision, a literal
expression, a decision that requires another) is a problem named with its line, in Chinese; what is
merely missing (an id on a table, a rule or a column) is made up, as other modellers do.

The result is JSON: it is stored with the version's spec and evaluated by decisions.py.
"""

from lxml import etree

# DMN's model namespaces, by the version that introduced each.
NAMESPACES = {
    "http://www.omg.org/spec/DMN/20151101/dmn.xsd": "1.1",
    "http://www.omg.org/spec/DMN/20180521/MODEL/": "1.2",
    "https://www.omg.org/spec/DMN/20191111/MODEL/": "1.3",
    "https://www.omg.org/spec/DMN/20211108/MODEL/": "1.4",
    "https://www.omg.org/spec/DMN/20230324/MODEL/": "1.5",
}
DEFAULT_NAMESPACE = "https://www.omg.org/spec/DMN/20191111/MODEL/"
HIT_POLICIES = ("UNIQUE", "FIRST", "PRIORITY", "ANY", "COLLECT", "RULE ORDER", "OUTPUT ORDER")
AGGREGATIONS = ("SUM", "MIN", "MAX", "COUNT")
# Children of a decision table that carry nothing the engine evaluates.
IGNORED = ("description", "annotation", "extensionElements")


def namespace(root):
    """The DMN namespace a file is written in (its root element's), whatever prefix it uses."""
    return etree.QName(root).namespace or DEFAULT_NAMESPACE


def label_of(decision):
    return f"“{decision['name']}”（{decision['id']}）" if decision.get("name") else f"“{decision['id']}”"


class Reader:
    """One file's decisions and problems ((line, element id, message) each)."""

    def __init__(self, root, filename):
        self.root, self.filename, self.ns = root, filename, namespace(root)
        self.problems, self.decisions = [], {}

    def q(self, name):
        return f"{{{self.ns}}}{name}"

    def problem(self, node, message, element_id=None):
        self.problems.append((getattr(node, "sourceline", None), element_id or node.get("id"), message))

    def read(self):
        if self.ns not in NAMESPACES or etree.QName(self.root).localname != "definitions":
            self.problem(self.root, f"{self.filename} 不是 DMN 文件：根元素应为 DMN 1.1–1.5 命名空间中的 definitions"
                                    f"（现为 {self.root.tag}）")
            return self
        decisions = self.root.findall(self.q("decision"))
        if not decisions:
            self.problem(self.root, f"{self.filename} 中没有任何决策（decision）：业务规则任务无法调用它；"
                                    "请在 DMN 编辑器中添加一个决策表，或不要上传此文件")
        for position, node in enumerate(decisions, 1):
            decision = self.decision(node, position)
            if decision is not None:
                self.decisions[decision["id"]] = decision
        return self

    def decision(self, node, position):
        decision_id, name = node.get("id"), node.get("name") or ""
        if not decision_id:
            self.problem(node, f"第 {position} 个决策{('“' + name + '”') if name else ''}没有 id："
                               "业务规则任务按 id（calledDecisionId）调用决策，请为它填写 id")
            return None
        if decision_id in self.decisions:
            self.problem(node, f"决策 id {decision_id} 重复：每个决策的 id 须唯一")
            return None
        variable = node.find(self.q("variable"))
        decision = {"id": decision_id, "name": name, "line": node.sourceline,
                    "variable": (variable.get("name") if variable is not None else None) or name or decision_id}
        for requirement in node.iter(self.q("requiredDecision")):
            self.problem(requirement, f"决策{label_of(decision)}依赖另一个决策（requiredDecision "
                                      f"{requirement.get('href')}）：本系统不支持决策之间的链式调用，请在流程中"
                                      "用两个业务规则任务先后调用", decision_id)
        table = node.find(self.q("decisionTable"))
        if table is None:
            kinds = sorted({etree.QName(c).localname for c in node if isinstance(c.tag, str)}
                           - {"variable", "informationRequirement", "knowledgeRequirement",
                              "authorityRequirement", "description", "extensionElements", "question",
                              "allowedAnswers"})
            self.problem(node, f"决策{label_of(decision)}不是决策表（{'、'.join(kinds) or '没有决策逻辑'}）："
                               "本系统只执行决策表（decisionTable）", decision_id)
            return None
        decision["table"] = self.table(table, decision)
        return decision

    def table(self, node, decision):
        hit_policy = " ".join((node.get("hitPolicy") or "UNIQUE").upper().replace("_", " ").split())
        table = {"id": node.get("id") or f"{decision['id']}_table", "line": node.sourceline,
                 "hit_policy": hit_policy, "aggregation": (node.get("aggregation") or "").upper() or None,
                 "output_label": node.get("outputLabel"), "inputs": [], "outputs": [], "rules": []}
        for child in node:
            if not isinstance(child.tag, str):
                continue  # a comment or processing instruction
            kind = etree.QName(child).localname
            if kind == "input":
                table["inputs"].append(self.input(child, len(table["inputs"]) + 1, table))
            elif kind == "output":
                table["outputs"].append(self.output(child, len(table["outputs"]) + 1, table))
            elif kind == "rule":
                table["rules"].append(self.rule(child, len(table["rules"]) + 1, table, decision))
            elif kind not in IGNORED:
                self.problem(child, f"决策表{label_of(decision)}中有无法识别的元素 {kind}", decision["id"])
        return table

    def input(self, node, position, table):
        expression = node.find(self.q("inputExpression"))
        text = expression.findtext(self.q("text")) if expression is not None else None
        return {"id": node.get("id") or f"{table['id']}_input_{position}", "line": node.sourceline,
                "label": node.get("label") or (text or "").strip() or f"输入 {position}",
                "expression": (text or "").strip(), "type": expression.get("typeRef") if expression is not None
                else None, "values": self.values(node, "inputValues")}

    def output(self, node, position, table):
        return {"id": node.get("id") or f"{table['id']}_output_{position}", "line": node.sourceline,
                "name": node.get("name") or "", "label": node.get("label") or node.get("name") or f"输出 {position}",
                "type": node.get("typeRef"), "values": self.values(node, "outputValues")}

    def values(self, node, kind):
        found = node.find(self.q(kind))
        return (found.findtext(self.q("text")) or "").strip() or None if found is not None else None

    def rule(self, node, row, table, decision):
        cells = {"inputEntry": [], "outputEntry": []}
        for child in node:
            if isinstance(child.tag, str) and etree.QName(child).localname in cells:
                cells[etree.QName(child).localname].append((child.findtext(self.q("text")) or "").strip())
        rule = {"id": node.get("id") or f"{table['id']}_rule_{row}", "row": row, "line": node.sourceline,
                "inputs": cells["inputEntry"], "outputs": cells["outputEntry"]}
        for kind, header, what in (("inputs", "inputs", "输入"), ("outputs", "outputs", "输出")):
            if len(rule[kind]) != len(table[header]):
                self.problem(node, f"决策表{label_of(decision)}第 {row} 条规则有 {len(rule[kind])} 个{what}单元格，"
                                   f"表头有 {len(table[header])} 个{what}列", rule["id"])
        return rule


def read(root, filename):
    """(decisions {id: decision}, problems [(line, element id, message)]) of one DMN file's root element."""
    reader = Reader(root, filename).read()
    return reader.decisions, reader.problems
