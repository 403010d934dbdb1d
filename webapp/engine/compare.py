"""Two versions side by side (Art. 16): what a deployment changed, for the owner, the reviewer of a rule
change, and the check before running cases move.

BPMN elements are compared by id (type, name, lane, flows, the spiff extension properties, conditions,
scripts, timers), DMN tables rule by rule, forms field by field, lists, parameters and scenarios as text.
"""

import difflib

import yaml
from lxml import etree

from ..security import yaml_guard
from .errors import DefinitionError
from .findings import NS
from .xml import parse_xml

BPMN = NS["bpmn"]
SKIPPED = {"incoming", "outgoing", "laneSet", "lane", "flowNodeRef", "extensionElements", "properties"}
FIELD_LABELS = {
    "name": "名称", "type": "类型", "lane": "泳道", "sourceRef": "起点", "targetRef": "终点",
    "conditionExpression": "条件", "script": "脚本", "preScript": "前置脚本", "postScript": "后置脚本",
    "timeDuration": "定时（时长）", "timeDate": "定时（时间）", "timeCycle": "定时（周期）",
    "calledDecisionId": "调用的决策表", "calledElement": "调用的流程", "messageRef": "消息",
    "documentation": "说明", "default": "默认流向", "isInterrupting": "是否中断", "cancelActivity": "是否中断",
    "attachedToRef": "附着于", "triggeredByEvent": "事件子流程", "serviceTaskOperator": "服务",
    "loopCardinality": "循环次数", "completionCondition": "完成条件", "isSequential": "串行",
}


def _local(tag):
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _field_label(key):
    if key.startswith("property:"):
        return f"属性 {key.split(':', 1)[1]}"
    base, _, attribute = key.partition("@")
    local, _, ident = base.partition("[")
    if local == "parameter":
        return f"服务参数 {ident.rstrip(']')}" + (f"（{attribute}）" if attribute not in ("", "value") else "")
    if attribute in FIELD_LABELS:
        return FIELD_LABELS[attribute]
    label = FIELD_LABELS.get(local, local) + (f" {ident.rstrip(']')}" if ident else "")
    return f"{label}（{attribute}）" if attribute else label


NOT_ELEMENTS = {"property", "dataObject", "ioSpecification", "conditionExpression", "script", "timeDuration",
                "timeDate", "timeCycle", "documentation", "multiInstanceLoopCharacteristics",
                "standardLoopCharacteristics", "loopCardinality", "completionCondition", "text"}


def _is_element(node):
    """A flow element compared on its own (not part of another element's definition)."""
    if not isinstance(node.tag, str) or not node.get("id"):
        return False
    name = etree.QName(node.tag)
    return (name.namespace == BPMN and name.localname not in SKIPPED | NOT_ELEMENTS
            and not name.localname.endswith("EventDefinition"))


# Attributes whose value, written out, is BPMN's default (bpmn-js leaves them out): no difference.
BPMN_DEFAULTS = {"cancelActivity": "true", "isInterrupting": "true", "isForCompensation": "false",
                 "instantiate": "false"}


def _signature(element, lanes):
    """{field: value} of everything the engine reads from one element (not its nested elements)."""
    fields = {"type": _local(element.tag), "name": element.get("name") or ""}
    if element.get("id") in lanes:
        fields["lane"] = lanes[element.get("id")]
    for attribute, value in element.attrib.items():
        if _local(attribute) not in ("id", "name") and BPMN_DEFAULTS.get(_local(attribute)) != value:
            fields[_local(attribute)] = value

    def walk(node):
        for child in node:
            if not isinstance(child.tag, str) or _is_element(child):
                continue
            local = _local(child.tag)
            if local == "property" and child.get("name"):
                fields[f"property:{child.get('name')}"] = child.get("value") or ""
                continue
            if local not in SKIPPED:
                key = f"{local}[{child.get('id')}]" if child.get("id") else local
                text = (child.text or "").strip()
                if text:
                    fields[key] = text
                for attribute, value in child.attrib.items():
                    name = _local(attribute)
                    if name != "id":
                        fields[f"{key}@{name}"] = value
            walk(child)

    walk(element)
    return fields


def bpmn_elements(bpmn_xml):
    """{id: {type, name, fields}} for every flow element inside the process(es)."""
    try:
        root = parse_xml(bpmn_xml.encode("utf-8"), "definition")
    except DefinitionError:
        return {}
    lanes = {ref.text.strip(): lane.get("name") or lane.get("id")
             for lane in root.iter(f"{{{BPMN}}}lane") for ref in lane.findall(f"{{{BPMN}}}flowNodeRef")
             if ref.text}
    elements = {}
    for process in root.iter(f"{{{BPMN}}}process"):
        # The process itself: its properties (requiresRound, startableBy, startsFor…) and documentation.
        elements[process.get("id")] = {"type": "process", "name": process.get("name") or "",
                                       "fields": _signature(process, lanes)}
        for element in process.iter():
            if element is not process and _is_element(element):
                elements[element.get("id")] = {"type": _local(element.tag), "name": element.get("name") or "",
                                               "fields": _signature(element, lanes)}
    return elements


def _dmn_rules(dmn_xml):
    """{decision id: (name, [one line per rule: inputs | outputs])} of one DMN file."""
    try:
        root = parse_xml(dmn_xml.encode("utf-8"), "table.dmn")
    except DefinitionError:
        return {}
    namespace = root.nsmap.get(None) or "https://www.omg.org/spec/DMN/20191111/MODEL/"
    q = lambda name: f"{{{namespace}}}{name}"  # noqa: E731
    tables = {}
    for decision in root.iter(q("decision")):
        lines = []
        for table in decision.iter(q("decisionTable")):
            inputs = [(i.get("label") or "") + " " + "".join(
                (t.text or "").strip() for t in i.iter(q("text"))) for i in table.findall(q("input"))]
            outputs = [o.get("label") or o.get("name") or "" for o in table.findall(q("output"))]
            lines.append("输入：" + " | ".join(s.strip() for s in inputs) + " → 输出：" + " | ".join(outputs))
            for rule in table.findall(q("rule")):
                cells = [(e.findtext(q("text")) or "").strip() or "-" for e in rule.findall(q("inputEntry"))]
                results = [(e.findtext(q("text")) or "").strip() for e in rule.findall(q("outputEntry"))]
                lines.append(" | ".join(cells) + " → " + " | ".join(results))
        tables[decision.get("id")] = (decision.get("name") or decision.get("id"), lines)
    return tables


def _dmn_tables(definition):
    tables = {}
    for text in definition.dmn_xml or []:
        tables.update(_dmn_rules(text))
    return tables


def compare(a, b):
    """What changed from version `a` to version `b` of a process.

    Returns {"added": [...], "removed": [...], "changed": [...], "tables": [...]}: elements as
    {id, type, name}; changed elements also carry `changes`: [{field, label, old, new}]; tables as
    {id, name, status: added|removed|changed, diff: [unified diff lines]} for changed DMN tables.
    """
    old, new = bpmn_elements(a.bpmn_xml), bpmn_elements(b.bpmn_xml)
    added = [{"id": i, "type": new[i]["type"], "name": new[i]["name"]} for i in new if i not in old]
    removed = [{"id": i, "type": old[i]["type"], "name": old[i]["name"]} for i in old if i not in new]
    changed = []
    for element_id in (i for i in new if i in old):
        before, after = old[element_id]["fields"], new[element_id]["fields"]
        changes = [{"field": key, "label": _field_label(key), "old": before.get(key, ""), "new": after.get(key, "")}
                   for key in sorted(set(before) | set(after), key=lambda k: (k != "name", k))
                   if before.get(key, "") != after.get(key, "")]
        if changes:
            changed.append({"id": element_id, "type": new[element_id]["type"], "name": new[element_id]["name"],
                            "old_name": old[element_id]["name"], "changes": changes})
    tables = []
    old_tables, new_tables = _dmn_tables(a), _dmn_tables(b)
    for table_id in list(old_tables) + [t for t in new_tables if t not in old_tables]:
        before, after = old_tables.get(table_id), new_tables.get(table_id)
        if before and after and before[1] == after[1]:
            continue
        status = "added" if before is None else "removed" if after is None else "changed"
        diff = list(difflib.unified_diff(before[1] if before else [], after[1] if after else [],
                                         f"v{a.version}", f"v{b.version}", lineterm="", n=1))
        tables.append({"id": table_id, "name": (after or before)[0], "status": status, "diff": diff})
    return {"added": added, "removed": removed, "changed": changed, "tables": tables,
            "forms": compare_forms(a, b), "texts": compare_texts(a, b)}


def compare_texts(a, b):
    """The other YAML parts of two packages — each choice list, the parameters, the scenarios — as
    [{part, status: added|removed|changed, diff}], leaving out what is the same."""
    def parts(side):
        found = {f"lists/{name}.yaml": text for name, text in (side.lists or {}).items()}
        found.update({f"{kind}.yaml": getattr(side, kind) for kind in ("parameters", "scenarios")
                      if getattr(side, kind)})
        return found

    old, new = parts(a), parts(b)
    texts = []
    for part in sorted(set(old) | set(new)):
        before, after = old.get(part), new.get(part)
        if before == after:
            continue
        texts.append({"part": part, "status": "added" if before is None else "removed" if after is None else "changed",
                      "diff": list(difflib.unified_diff((before or "").splitlines(), (after or "").splitlines(),
                                                        f"v{a.version}/{part}", f"v{b.version}/{part}", lineterm=""))})
    return texts


# What a form's field-level summary compares, in this order.
FORM_FIELD_KEYS = ("type", "label", "label_en", "required", "required_if", "choices")


def _form_fields(text):
    """{field name: {key: value}} of one form's YAML (a table's columns as "table.column"); {} if unreadable."""
    try:
        raw = yaml_guard.safe_load(text or "")
    except yaml.YAMLError:
        return {}
    fields = {}

    def collect(items, prefix):
        for item in items if isinstance(items, list) else []:
            if not isinstance(item, dict) or not isinstance(item.get("name"), str):
                continue
            fields[prefix + item["name"]] = {key: item.get(key) for key in FORM_FIELD_KEYS}
            if item.get("type") == "table":
                collect(item.get("columns"), f"{prefix}{item['name']}.")

    collect(raw.get("fields") if isinstance(raw, dict) else None, "")
    return fields


def _form_titles(text, key):
    """(title, title_en) of one form's YAML; the key when it has none."""
    try:
        raw = yaml_guard.safe_load(text or "")
    except yaml.YAMLError:
        raw = None
    if not isinstance(raw, dict):
        return key, None
    return str(raw.get("title") or key), raw.get("title_en") or None


def _shown(value):
    """A field property as one line of text for the page (None when absent)."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, sort_keys=False).strip()


def compare_forms(a, b):
    """The forms of two versions (their deploy-time snapshots), form by form.

    Returns [{key, title, title_en, status: added|removed|changed, fields: {added, removed, changed}, diff}]:
    fields added/removed by name, changed ones with [{key, old, new}] over FORM_FIELD_KEYS, and the
    unified diff of the YAML text. Forms with identical text are left out.
    """
    old, new = a.forms or {}, b.forms or {}
    forms = []
    for key in sorted(set(old) | set(new)):
        before, after = old.get(key), new.get(key)
        if before == after:
            continue
        status = "added" if before is None else "removed" if after is None else "changed"
        old_fields, new_fields = _form_fields(before), _form_fields(after)
        changed = []
        for name in (n for n in new_fields if n in old_fields):
            changes = [{"key": prop, "old": _shown(old_fields[name][prop]), "new": _shown(new_fields[name][prop])}
                       for prop in FORM_FIELD_KEYS if old_fields[name][prop] != new_fields[name][prop]]
            if changes:
                changed.append({"name": name, "changes": changes})
        diff = list(difflib.unified_diff((before or "").splitlines(), (after or "").splitlines(),
                                         f"v{a.version}/{key}.yaml", f"v{b.version}/{key}.yaml", lineterm=""))
        title, title_en = _form_titles(after if after is not None else before, key)
        forms.append({"key": key, "title": title, "title_en": title_en, "status": status, "diff": diff,
                      "fields": {"added": [n for n in new_fields if n not in old_fields],
                                 "removed": [n for n in old_fields if n not in new_fields],
                                 "changed": changed}})
    return forms
