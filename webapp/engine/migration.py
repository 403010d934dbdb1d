"""Versions side by side, and moving running cases to the newest version (Art. 16).

`compare` reads two versions' XML (BPMN elements by id: type, name, lane, flows, the spiff extension
properties, conditions, scripts, timers; DMN tables rule by rule) so the owner sees what a deployment
changed. `check`/`move`/`revert` use SpiffWorkflow's own diff (`SpecDiff`/`WorkflowDiff` as
`diff_workflow` builds them, then `migrate_workflow`):
a case moves only when nothing it has done or is waiting on was removed, and nothing it is waiting on
changed beyond its name or its place in the flow. A move is one unit of work like any other step:
lock, load, migrate, save state + inbox + timers + audit. The previous state is kept in the audit
table (a `migrate_snapshot` event outside the case history, which applicants can read) so a move can
be undone.
"""

import difflib
import time

import yaml
from lxml import etree
from SpiffWorkflow.bpmn.util.diff import SpecDiff, WorkflowDiff, migrate_workflow
from SpiffWorkflow.task import TaskState
from sqlalchemy.orm import undefer

from ..extensions import db
from ..models import AuditEvent, HumanTask, ProcessDefinition, ProcessInstance
from . import audit, runtime, serializer
from .errors import Conflict, DefinitionError, NotFound
from .findings import NS
from .versions import latest_definition, spec_dict, spec_objects
from .xml import parse_xml

# ---------------------------------------------------------------- comparing two versions (XML)

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


def _signature(element, lanes):
    """{field: value} of everything the engine reads from one element (not its nested elements)."""
    fields = {"type": _local(element.tag), "name": element.get("name") or ""}
    if element.get("id") in lanes:
        fields["lane"] = lanes[element.get("id")]
    for attribute, value in element.attrib.items():
        if _local(attribute) not in ("id", "name"):
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
        raw = yaml.safe_load(text or "")
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
        raw = yaml.safe_load(text or "")
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


# ---------------------------------------------------------------- moving running cases

ACTIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR
# Changes to a task a case is waiting on that do not affect the waiting itself.
HARMLESS = {"inputs", "outputs", "bpmn_name", "documentation", "description"}


def _label(task):
    spec = task.task_spec
    name = getattr(spec, "bpmn_name", None)
    element = getattr(spec, "bpmn_id", None) or spec.name
    return f"「{name}」（{element}）" if name else f"{element}"


def _blockers(wf_diff, spec_diff_changed, target_version):
    reasons = []
    for task in wf_diff.removed:
        if task.state & ACTIVE:
            reasons.append(f"当前环节{_label(task)}在 v{target_version} 中已删除")
        elif task.state & TaskState.COMPLETED:
            reasons.append(f"已办理的环节{_label(task)}在 v{target_version} 中已删除")
    for task in wf_diff.changed:
        if not task.state & ACTIVE:
            continue
        fields = set(spec_diff_changed.get(task.task_spec, [])) - HARMLESS
        if fields:
            reasons.append(f"当前环节{_label(task)}在 v{target_version} 中有改动（{'、'.join(sorted(fields))}），"
                           "办理中的环节改动后无法安全迁移")
    return reasons


def _diff(registry, workflow, new_spec, new_subs):
    """SpiffWorkflow's `diff_workflow`, keeping each SpecDiff (its `changed` says which attributes changed)."""
    spec_diff = SpecDiff(registry, workflow.spec, new_spec)
    top = (WorkflowDiff(workflow, spec_diff), spec_diff)
    subs = {}
    for sp_id, sub in workflow.subprocesses.items():
        if sub.spec.name in new_subs:
            sub_diff = SpecDiff(registry, sub.spec, new_subs[sub.spec.name])
            subs[sp_id] = (WorkflowDiff(sub, sub_diff), sub_diff)
        else:
            subs[sp_id] = None
    return top, subs


def _migrate(workflow, target):
    """Migrate a loaded workflow in place to `target`; return the reasons it cannot move (none: moved)."""
    new_spec, new_subs = serializer.spec_from_dict(spec_dict(target))
    (top, top_specs), subs = _diff(serializer._registry, workflow, new_spec, new_subs)
    reasons = _blockers(top, top_specs.changed, target.version)
    for sp_id, pair in subs.items():
        sub = workflow.subprocesses[sp_id]
        if pair is None:
            if not sub.completed:
                reasons.append(f"进行中的子流程「{sub.spec.name}」在 v{target.version} 中已删除")
            continue
        reasons += _blockers(pair[0], pair[1].changed, target.version)
    if reasons:
        return reasons
    # Waiting tasks (timers, messages) keep their internal data — a timer keeps its due time; only
    # READY tasks are reset so that what follows them is predicted from the new diagram.
    # A reset gives a READY task its parent's data; keep its own (a multi-instance child's item, e.g.
    # the expert a review is for), so the same task waits in the inbox exactly as before.
    ready = {task.id: (task.data, task.internal_data) for task in workflow.get_tasks(state=TaskState.READY)}
    migrate_workflow(top, workflow, new_spec, reset_mask=TaskState.READY)
    for sp_id, pair in subs.items():
        if pair is not None:
            sub = workflow.subprocesses[sp_id]
            migrate_workflow(pair[0], sub, new_subs[sub.spec.name], reset_mask=TaskState.READY)
    workflow.subprocess_specs = new_subs
    for task in workflow.get_tasks():
        if task.id in ready:
            task.data, task.internal_data = ready[task.id]
    # What a waiting task (not reset) had predicted may still point at a step the new version removed.
    known = {id(spec) for wf_spec in (new_spec, *new_subs.values()) for spec in wf_spec.task_specs.values()}
    stale = {_label(task) for task in workflow.get_tasks() if id(task.task_spec) not in known}
    return [f"案件等待中的环节之后预计经过的{label}在 v{target.version} 中已删除" for label in sorted(stale)]


def _trial(instance, target):
    """Migrate a throw-away copy and reload it on the target version: the proof a move would work."""
    workflow = runtime._load(instance, None)
    reasons = _migrate(workflow, target)
    if reasons:
        return reasons
    state = serializer.workflow_to_dict(workflow)
    serializer.workflow_from_dict(state, spec_objects(target), runtime._engine(instance, None))
    return []


def check(instance, target=None):
    """{can_move, reason, from_version, to_version} for moving a case to the newest version."""
    target = target or latest_definition(instance.process_key)
    result = {"instance_id": instance.id, "can_move": False, "reason": "",
              "from_version": instance.definition.version, "to_version": target.version}
    if instance.status != "running":
        result["reason"] = "案件已结束，无需迁移"
    elif instance.definition_id == target.id or instance.definition.version >= target.version:
        result["reason"] = f"案件已在最新版本 v{instance.definition.version}"
    else:
        try:
            reasons = _trial(instance, target)
        except Exception as err:  # noqa: BLE001 - any engine failure means: not movable, and say why
            reasons = [f"无法迁移：{type(err).__name__}: {err}"]
        result["can_move"] = not reasons
        result["reason"] = "；".join(reasons)
    return result


def _snapshot_name(instance_id):
    return f"instance:{instance_id}"


def move(instance, actor):
    """Move one running case to the newest version; Conflict (with the reason) when it cannot move."""
    instance = runtime._lock(instance.id)
    target = latest_definition(instance.process_key)
    verdict = check(instance, target)
    if not verdict["can_move"]:
        raise Conflict(verdict["reason"])
    source, previous_state = instance.definition, instance.state
    since = time.time()
    workflow = runtime._load(instance, actor)
    reasons = _migrate(workflow, target)
    if reasons:  # nothing written yet
        raise Conflict("；".join(reasons))
    audit.record("migrate_snapshot", actor, None, name=_snapshot_name(instance.id),
                 data={"instance_id": instance.id, "definition_id": source.id, "version": source.version,
                       "state": previous_state, "serializer_version": instance.serializer_version})
    db.session.flush()
    snapshot = (AuditEvent.query.filter_by(action="migrate_snapshot", name=_snapshot_name(instance.id))
                .order_by(AuditEvent.id.desc()).first())
    instance.state = serializer.workflow_to_dict(workflow)
    instance.definition = target
    instance.definition_id = target.id
    workflow = runtime._load(instance, actor)
    runtime._run(workflow.do_engine_steps)
    audit.record("migrate", actor, instance.id, name=f"v{source.version} → v{target.version}",
                 data={"from_version": source.version, "to_version": target.version, "snapshot": snapshot.id})
    _save(instance, workflow, since)
    return instance


def _save(instance, workflow, since):
    """runtime's save, then the open inbox rows take the (possibly renamed) step's current name."""
    ready = {str(t.id): t for t in workflow.get_tasks(state=TaskState.READY, manual=True)}
    # a revert brings back the very task a move had replaced (written now: runtime reads what is open)
    HumanTask.query.filter(HumanTask.instance_id == instance.id, HumanTask.state == "cancelled",
                           HumanTask.task_guid.in_(list(ready) or [""])).update({"state": "open"},
                                                                                 synchronize_session=False)
    runtime._save(instance, workflow, since)
    for row in HumanTask.query.filter_by(instance_id=instance.id, state="open"):
        task = ready.get(row.task_guid)
        if task is not None and task.task_spec.bpmn_name:
            row.name = task.task_spec.bpmn_name


def last_move(instance):
    """The latest `migrate` event of a case that has not been reverted, or None."""
    events = (AuditEvent.query.filter(AuditEvent.instance_id == instance.id,
                                      AuditEvent.action.in_(["migrate", "migrate_revert"]))
              .order_by(AuditEvent.id.desc()).first())
    return events if events is not None and events.action == "migrate" else None


def revert(instance, actor):
    """Undo the latest move of a case: back to the version and state it had before."""
    instance = runtime._lock(instance.id)
    if instance.status != "running":
        raise Conflict("案件已结束，无法撤销迁移")
    event = last_move(instance)
    if event is None:
        raise NotFound("该案件没有可撤销的迁移")
    if AuditEvent.query.filter(AuditEvent.instance_id == instance.id, AuditEvent.id > event.id,
                               AuditEvent.action.in_(["complete", "timer", "message", "end"])).first():
        raise Conflict("迁移后案件已继续办理，无法撤销")
    snapshot = db.session.get(AuditEvent, (event.data or {}).get("snapshot"))
    if snapshot is None or snapshot.action != "migrate_snapshot":
        raise NotFound("迁移前的状态未找到")
    previous = db.session.get(ProcessDefinition, snapshot.data["definition_id"])
    current = instance.definition.version
    instance.definition = previous
    instance.definition_id = previous.id
    instance.state = snapshot.data["state"]
    since = time.time()
    workflow = runtime._load(instance, actor)
    audit.record("migrate_revert", actor, instance.id, name=f"v{current} → v{previous.version}",
                 data={"from_version": current, "to_version": previous.version, "migrate_event": event.id})
    _save(instance, workflow, since)
    return instance


def running_cases(key):
    """The running cases of a process, oldest version first."""
    return (ProcessInstance.query.join(ProcessDefinition).options(undefer(ProcessInstance.state))
            .filter(ProcessInstance.process_key == key, ProcessInstance.status == "running")
            .order_by(ProcessDefinition.version, ProcessInstance.id).all())


def check_all(key):
    target = latest_definition(key)
    return [(instance, check(instance, target)) for instance in running_cases(key)]
