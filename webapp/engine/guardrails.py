"""The regulation's guardrails: what a process owner may not change by accident, read from the package.

Nothing here knows a number of the regulation; the package says what it fixes:
* a rule parameter's `min`/`max` (with its `article`): a value outside is refused; a parameter's
  `guards` (e.g. `notice.publish.period`) names the service parameters that must respect it too, so a
  diagram cannot bypass the parameter with a literal; moving a bound, or dropping a parameter that cites
  an article, is a policy change;
* a decision table whose name or description cites an article (第…条): changing its rules is a policy
  change; and every single-input numeric table must give exactly one answer everywhere (no gap, no
  overlap);
* a choice list's entries that cite an `article`: dropping one is a policy change.
A policy change deploys only when the owner confirms it with a reason (definitions.parse_package).
"""

import ast
import re
from datetime import UTC, datetime

from lxml import etree
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from ..formkit.library import read_yaml
from . import feel
from .dmn_read import namespace as dmn_namespace
from .feel_values import to_feel

ARTICLE = re.compile(r"第[一二三四五六七八九十百〇零\d]+条")
POLICY = "（政策变更，需确认并说明理由）"


def days_of(value):
    """The days of an ISO 8601 duration ("P7D"), or None when it does not parse."""
    try:
        parsed = TimerEventDefinition.parse_iso_duration(value)
        start = datetime(2025, 2, 1, tzinfo=UTC)  # the shortest month: months count as short as they get
        return TimerEventDefinition.get_timedelta_from_start(parsed, start).total_seconds() / 86400
    except Exception:  # noqa: BLE001 - any malformed duration is a finding, not a crash
        return None


def lint_guarded_services(root, filename, params, finding, ns):
    """The service parameters a rule parameter guards: a literal within its bounds, or an expression
    that reads the parameter itself."""
    findings = []
    for parameter in params.values():
        for guarded in parameter.guards or ():
            operation, _, name = guarded.rpartition(".")
            path = (f"//spiff:serviceTaskOperator[@id='{operation}']/spiff:parameters/spiff:parameter[@id='{name}']"
                    f" | //spiff:serviceTaskOperator[@id='{operation}']/spiff:parameter[@id='{name}']")
            for node in root.xpath(path, namespaces=ns):
                source = (node.get("value") or "").strip()
                findings += _guarded(node, source, parameter, filename, finding)
    return findings


def _guarded(node, source, parameter, filename, finding):
    if f'params["{parameter.name}"]' in source or f"params['{parameter.name}']" in source:
        return []
    try:
        value = ast.literal_eval(source)
    except (ValueError, SyntaxError):
        return [finding(filename, node, f"{parameter.label}应引用规则参数 params[\"{parameter.name}\"]"
                                        f"（{parameter.article or '规则参数'}），不能写成 {source}")]
    days = days_of(value) if isinstance(value, str) else value if isinstance(value, int | float) else None
    problem = parameter.problem(int(days) if days is not None and days == int(days) else days) \
        if days is not None else "无法解析"
    if problem:
        return [finding(filename, node, f"{parameter.label} {value} {problem}")]
    return []


def lint_parameter_changes(new, old, finding):
    """Moving a parameter's bounds, or dropping one that cites an article, is a policy change."""
    findings = []
    for name, before in old.items():
        after = new.get(name)
        if after is None:
            if before.article:
                findings.append(finding("parameters.yaml", None,
                                        f"删除了规则参数 {name}（{before.label}，{before.article}）{POLICY}",
                                        severity="policy"))
        elif (after.min, after.max) != (before.min, before.max):
            findings.append(finding("parameters.yaml", None,
                                    f"规则参数 {name}（{after.label}）的允许范围由 {before.min}–{before.max} 改为 "
                                    f"{after.min}–{after.max}（{before.article or '规则参数'}）{POLICY}",
                                    severity="policy"))
    return findings


def _decisions(root):
    ns = {"d": dmn_namespace(root)}
    return ns, root.xpath("//d:decision", namespaces=ns)


def _rules(decision, ns):
    """The rules of a decision as text: what a policy comparison looks at."""
    return [etree.tostring(rule, encoding="unicode", with_tail=False)
            for rule in decision.xpath(".//d:rule", namespaces=ns)]


def _cites_article(decision, ns):
    text = (decision.get("name") or "") + "".join(decision.xpath("d:description/text()", namespaces=ns))
    return bool(ARTICLE.search(text))


def lint_fixed_decisions(dmn_roots, previous_roots, finding):
    """A decision that cites an article and now answers differently (or is gone) is a policy change. A
    single-input numeric table is compared by its answers at every boundary either version names (a rule
    rewritten as `90 <= ?` for `>= 90` changes nothing); any other by its rules' text."""
    now = {}
    for name, root in dmn_roots:
        ns, decisions = _decisions(root)
        now.update({d.get("id"): (name, d, ns) for d in decisions})
    findings = []
    for name, root in previous_roots:
        ns, decisions = _decisions(root)
        for decision in decisions:
            if not _cites_article(decision, ns):
                continue
            label = decision.get("name") or decision.get("id")
            current = now.get(decision.get("id"))
            if current is None:
                findings.append(finding(name, None, f"删除了决策表 {label}{POLICY}", severity="policy"))
            elif _differ(decision, ns, current[1], current[2]):
                findings.append(finding(current[0], current[1].find("d:decisionTable", current[2]),
                                        f"修改了规范规定的决策表 {label} 的规则{POLICY}", severity="policy"))
    return findings


def _cells(decision, ns):
    """[(cell, output text)] of a single-input table, or None for any other."""
    table = decision.find("d:decisionTable", ns)
    if table is None or len(table.findall("d:input", ns)) != 1:
        return None
    return [((rule.findtext("d:inputEntry/d:text", "", ns) or "").strip(),
             (rule.findtext("d:outputEntry/d:text", "", ns) or "").strip()) for rule in table.findall("d:rule", ns)]


def _probes(*cell_lists):
    bounds = sorted({float(n) for cells in cell_lists for cell, _ in cells for n in NUMBER.findall(cell)})
    if not bounds:
        return []
    return sorted({*bounds, *(b - 0.01 for b in bounds), *((a + b) / 2 for a, b in zip(bounds, bounds[1:],
                                                                                         strict=False)),
                   bounds[0] - 1, bounds[-1] + 1})


def _answers(cells, probes):
    return [[out for cell, out in cells if expression_matches(cell, probe)] for probe in probes]


def _differ(old, old_ns, new, new_ns):
    before, after = _cells(old, old_ns), _cells(new, new_ns)
    if before is None or after is None or not _numeric(c for c, _ in before + after):
        return _rules(old, old_ns) != _rules(new, new_ns)
    try:
        probes = _probes(before, after)
        return not probes or _answers(before, probes) != _answers(after, probes)
    except Exception:  # noqa: BLE001 - cells that do not evaluate on numbers: compare their text
        return before != after


NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def _numeric(cells):
    """Whether every cell tests numbers only: a table of dates or names has no bands to probe."""
    return all(feel.is_numeric_test(cell) for cell in cells)


def lint_decision_coverage(dmn_roots, finding):
    """A single-input numeric table with a UNIQUE hit policy answers exactly once at every value: probed
    at each boundary its cells name, just below it, and between (a band edited to 92 leaves 90–92 empty)."""
    findings = []
    for name, root in dmn_roots:
        ns, decisions = _decisions(root)
        for decision in decisions:
            table = decision.find("d:decisionTable", ns)
            if table is None or table.get("hitPolicy", "UNIQUE") != "UNIQUE" or len(table.findall("d:input", ns)) != 1:
                continue
            cells = [(rule, (rule.findtext("d:inputEntry/d:text", "", ns) or "").strip())
                     for rule in table.findall("d:rule", ns)]
            if not _numeric(cell for _, cell in cells):
                continue
            for probe in _probes([(cell, None) for _, cell in cells]):
                try:
                    hits = [rule for rule, cell in cells if expression_matches(cell, probe)]
                except Exception:  # noqa: BLE001 - not a numeric table after all: nothing to probe
                    break
                if len(hits) != 1:
                    label = decision.get("name") or decision.get("id")
                    what = "没有规则适用（分数段有缺口）" if not hits else \
                        f"有 {len(hits)} 条规则同时适用（分数段重叠：{'、'.join(r.get('id') or '?' for r in hits)}）"
                    findings.append(finding(name, table, f"决策表 {label} 在输入为 {round(probe, 2)} 时{what}"))
                    break
    return findings


def lint_required_entries(lists, previous_lists, finding):
    """An entry of a choice list that cites an `article` may only go as a policy change (the eight removal
    grounds of Art. 8)."""
    findings = []
    for name, text in previous_lists.items():
        try:
            before = read_yaml(text, f"lists/{name}.yaml") or []
            after = read_yaml(lists.get(name) or "", f"lists/{name}.yaml") or []
        except Exception:  # noqa: BLE001 - an unreadable list is lint_package_texts' to report
            continue
        kept = {e.get("value") for e in after if isinstance(e, dict)}
        gone = [e for e in before if isinstance(e, dict) and e.get("article") and e.get("value") not in kept]
        if gone:
            findings.append(finding(f"lists/{name}.yaml", None, "删除了规范规定的选项 " + "、".join(
                f"{e['value']}（{e.get('label')}，{e['article']}）" for e in gone) + POLICY, severity="policy"))
    return findings


def expression_matches(cell, value):
    """Whether a decision table cell (FEEL unary tests) holds for value."""
    return feel.matches(cell, to_feel(value))
