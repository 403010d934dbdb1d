"""The milestones a case's applicant follows it by (申报 → 区级初审 → … → 入库): a list of the rule package
that the diagram's process property `milestones` names, so the process owner names and orders them and
says which elements of the diagram belong to each (`steps`), with what the applicant is told there
(`applicant`, `applicant_en`).

A running case is at the earliest milestone of its current steps (after 退回补正 that is 申报 again); a
finished case at the latest milestone it reached, which its end event belongs to."""

from dataclasses import dataclass

from .findings import NS, Finding
from .package import library
from .versions import process_properties

PROPERTY = "milestones"
# What a milestone may hold: any element of the process that a case can be at (not its flows or lanes).
ELEMENTS = "//bpmn:process//*[@id and not(self::bpmn:sequenceFlow) and not(self::bpmn:lane)]/@id"


@dataclass(frozen=True)
class Milestone:
    value: str
    label: str
    label_en: str
    steps: frozenset
    applicant: str
    applicant_en: str

    def text(self, locale):
        """(its name, what the applicant is told there) in the locale; English falls back to Chinese."""
        if locale == "en":
            return self.label_en or self.label, self.applicant_en or self.applicant
        return self.label, self.applicant


@dataclass(frozen=True)
class Position:
    """Where a case stands: the milestones, the index of the one it is at, and whether it ended there."""

    milestones: tuple
    at: int
    ended: bool


def of_definition(definition):
    """The milestones a version names, in order; () when its diagram names none."""
    name = process_properties(definition).get(PROPERTY)
    entries = library(definition).entries(name) if name else None
    return tuple(Milestone(str(e["value"]), str(e["label"]), str(e.get("label_en") or ""),
                           frozenset(str(s) for s in e.get("steps") or ()), str(e.get("applicant") or ""),
                           str(e.get("applicant_en") or "")) for e in entries or () if isinstance(e, dict))


def position(instance):
    """Where the case stands among its version's milestones, or None without milestones."""
    milestones = of_definition(instance.definition)
    if not milestones:
        return None
    running = instance.status == "running"
    current = _holding(milestones, instance.active_ids) if running else []
    at = min(current) if current else max(_holding(milestones, instance.completed_ids), default=0)
    return Position(milestones, at, ended=not running)


def _holding(milestones, ids):
    """The indexes of the milestones holding any of these element ids."""
    ids = set(ids or ())
    return [n for n, m in enumerate(milestones) if m.steps & ids]


def lint(package, root):
    """The `milestones` property names a list of the package whose entries name elements of the diagram,
    each in one milestone at most."""
    nodes = root.xpath(f"//bpmn:process/bpmn:extensionElements//spiff:property[@name='{PROPERTY}']", namespaces=NS)
    if not nodes:
        return []
    node, name = nodes[0], nodes[0].get("value")
    filename, where = package.bpmn[0], f"lists/{name}.yaml"
    if name not in package.lists:
        return [Finding(filename, node, f"流程引用的进度节点列表 {name} 不在规则包中")]
    entries = package.library().entries(name)
    if not isinstance(entries, list):
        return []  # lint_package_texts names a list that does not read
    elements = {str(i) for i in root.xpath(ELEMENTS, namespaces=NS)}
    findings, seen = [], {}
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        steps = entry.get("steps")
        if not isinstance(steps, list) or not steps:
            findings.append(Finding(where, None, f"进度节点 {entry.get('value')} 须以 steps 列出其包含的流程元素 ID"))
            continue
        for step in map(str, steps):
            if step not in elements:
                findings.append(Finding(where, None, f"进度节点 {entry.get('value')} 的 {step} 不是本流程图中的元素"))
            elif step in seen:
                findings.append(Finding(where, None, f"流程元素 {step} 同时属于进度节点 {seen[step]} 和 "
                                                     f"{entry.get('value')}"))
            seen.setdefault(step, entry.get("value"))
    return findings
