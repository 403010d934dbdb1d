"""Moving running cases to the newest version (Art. 16).

`check`/`move`/`revert` use SpiffWorkflow's own diff (`SpecDiff`/`WorkflowDiff` as
`diff_workflow` builds them, then `migrate_workflow`):
a case moves only when nothing it has done or is waiting on was removed, and nothing it is waiting on
changed beyond its name or its place in the flow. A move is one unit of work like any other step:
lock, load, migrate, save state + inbox + timers + audit. The previous state is kept in the audit
table (a `migrate_snapshot` event outside the case history, which applicants can read) so a move can
be undone.
"""

import time

from SpiffWorkflow.bpmn.util.diff import SpecDiff, WorkflowDiff, migrate_workflow
from SpiffWorkflow.task import TaskState
from sqlalchemy.orm import undefer

from ..extensions import db
from ..formkit import FormDefinitionError, FormNotFound
from ..models import AuditEvent, HumanTask, ProcessDefinition, ProcessInstance
from . import audit, parameters, runtime, serializer
from .errors import Conflict, DefinitionError, NotFound
from .package import library
from .versions import latest_definition, spec_dict, spec_objects

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
    (top, top_specs), subs = _diff(serializer.registry, workflow, new_spec, new_subs)
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
    workflow = runtime.load_workflow(instance, None)
    reasons = _migrate(workflow, target)
    if reasons:
        return reasons
    state = serializer.workflow_to_dict(workflow)
    serializer.workflow_from_dict(state, spec_objects(target), runtime.script_engine_for(instance, None))
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
    instance = runtime.lock_instance(instance.id)
    target = latest_definition(instance.process_key)
    verdict = check(instance, target)
    if not verdict["can_move"]:
        raise Conflict(verdict["reason"])
    source, previous_state = instance.definition, instance.state
    since = time.time()
    workflow = runtime.load_workflow(instance, actor)
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
    workflow = runtime.load_workflow(instance, actor)
    runtime.run_steps(workflow)
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
    runtime.save_workflow(instance, workflow, since)
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
    instance = runtime.lock_instance(instance.id)
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
    workflow = runtime.load_workflow(instance, actor)
    audit.record("migrate_revert", actor, instance.id, name=f"v{current} → v{previous.version}",
                 data={"from_version": current, "to_version": previous.version, "migrate_event": event.id})
    _save(instance, workflow, since)
    return instance


def preview(instance, target, diff):
    """What moving this case to `target` changes for it, as lines for the owner to read before moving:
    the forms of the steps it waits on (a moved case fills in the new version's forms), the rule
    parameters, the lists, and the steps added, removed or changed. `diff`: compare(its version, target)."""
    lines = []
    forms = {form["key"]: form for form in diff["forms"]}
    for task in HumanTask.query.filter_by(instance_id=instance.id, state="open"):
        form = forms.get(task.form_key)
        if form is None:
            continue
        if form["status"] == "removed":
            lines.append(f"当前环节「{task.name}」的表单 {form['title']} 在 v{target.version} 中已删除")
            continue
        labels = _field_labels(target, task.form_key)
        parts = [f"{what}{'、'.join(labels.get(n, n) for n in names)}" for what, names in (
            ("新增字段 ", form["fields"]["added"]), ("删除字段 ", form["fields"]["removed"]),
            ("修改字段 ", [c["name"] for c in form["fields"]["changed"]])) if names]
        lines.append(f"当前环节「{task.name}」的表单：{'；'.join(parts) or '文字有改动'}")
    lines += _parameter_changes(instance.definition, target)
    lines += [f"选项列表 {t['part'].removeprefix('lists/').removesuffix('.yaml')} 有改动"
              for t in diff["texts"] if t["part"].startswith("lists/")]
    for kind, word in (("added", "新增"), ("removed", "删除"), ("changed", "修改")):
        steps = [e["name"] or e["id"] for e in diff[kind] if e["type"] not in ("process", "sequenceFlow")]
        if steps:
            lines.append(f"流程图{word}环节：{'、'.join(steps)}")
    return lines


def _field_labels(definition, form_key):
    try:
        return {f.name: f.label for f in library(definition).form(form_key).fields}
    except (FormNotFound, FormDefinitionError):
        return {}


def _parameter_changes(source, target):
    try:
        old, new = parameters.read(source.parameters), parameters.read(target.parameters)
    except DefinitionError:
        return []
    lines = []
    for name in sorted(set(old) | set(new)):
        before, after = old.get(name), new.get(name)
        if before is not None and after is not None and before.value != after.value:
            unit = after.unit or ""
            lines.append(f"规则参数「{after.label}」：{before.value}{unit} → {after.value}{unit}")
        elif before is None or after is None:
            lines.append(f"规则参数「{(after or before).label}」{'新增' if before is None else '删除'}")
    return lines


def running_cases(key):
    """The running cases of a process, oldest version first."""
    return (ProcessInstance.query.join(ProcessDefinition).options(undefer(ProcessInstance.state))
            .filter(ProcessInstance.process_key == key, ProcessInstance.status == "running")
            .order_by(ProcessDefinition.version, ProcessInstance.id).all())


def check_all(key):
    target = latest_definition(key)
    return [(instance, check(instance, target)) for instance in running_cases(key)]
