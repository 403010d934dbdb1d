"""Every step of a diagram can be reached from a start and can reach an end (no orphan, no dead loop)."""

from lxml import etree

from .findings import NS, Finding

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
