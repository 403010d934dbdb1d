"""Run cases: start, complete, claim, fire timers, deliver messages.

Each public function is one unit of work on one case: lock the case row, load the workflow,
run it, then write back state, the inbox rows, timers, domain records and audit events. The
caller commits once; any failure rolls the whole step back. The `revision` column is a version
counter, so two officials completing the same task get one success and one Conflict.
"""

import logging
import time
from datetime import datetime
from uuid import UUID

from flask import current_app
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import ParallelMultiInstanceTask
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.task import TaskState
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import joinedload, undefer
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from .. import scope
from ..extensions import db
from ..models import HumanTask, ProcessInstance, Round
from . import (
    attachments,
    audit,
    clock,
    countersign,
    experts,
    forms,
    notifications,
    roles,
    rows,
    serializer,
    task_drafts,
    workdays,
)
from .errors import Conflict, EngineError, NotAllowed, NotFound, ScriptError, ValidationFailed
from .package import params_of
from .populations import POPULATIONS
from .restricted import RefusedExpression, RestrictedEnvironment
from .services import Services
from .services.notices import iso_duration
from .versions import latest_definition, process_properties, spec_objects

logger = logging.getLogger(__name__)
ACTIVE_STATES = TaskState.READY | TaskState.WAITING | TaskState.STARTED
SYSTEM = audit.SYSTEM  # who the history credits with what the diagram does by itself


class ScriptEngine(PythonScriptEngine):
    """SpiffWorkflow's engine, on the restricted environment, with service calls bound to the case."""

    def call_service(self, task, **kwargs):
        """A service call; its failure names the service task (SpiffWorkflow's own wrapper here is broken)."""
        try:
            return self.environment.call_service(task.data, element_id=task.task_spec.bpmn_id, **kwargs)
        except (EngineError, SQLAlchemyError):
            raise  # a service's own answer (a refusal, a conflict) or the database's
        except Exception as err:  # noqa: BLE001 - a wrong parameter, a failing operation: the diagram's fault
            raise WorkflowTaskException(f"服务 {kwargs.get('operation_name')} 调用失败：{describe(err)}",
                                        task=task, exception=err) from None

    steps = 0  # automatic steps run since this engine was made: one unit of work (run_steps bounds them)

    def take_service_events(self):
        """The audit entries of the service calls made since the last take; save_workflow writes them."""
        events, self.environment.services.events = self.environment.services.events, []
        return events


def script_engine_for(instance, actor):
    """The restricted engine a case's scripts run on: its services as `actor`, its version's parameters."""
    return ScriptEngine(RestrictedEnvironment(Services(instance, actor), params_of(instance.definition),
                                              workdays.of_definition(instance.definition)))


def run_engine(step, element=None):
    """Run engine work, turning any failure of the diagram into one clear error (and a rollback).

    A diagram's script, condition or service call may fail in any way (`{}[1]`, a wrong keyword, a
    SpiffWorkflow error): each is the diagram's fault, answered 422 and, on a timer, marks its case.
    Database errors are not the diagram's and pass through (a conflict, a lost connection).
    """
    try:
        return step()
    except (EngineError, SQLAlchemyError):
        raise
    except Exception as err:  # noqa: BLE001 - see above: whatever a diagram raises is its own failure
        where = getattr(getattr(err, "task_spec", None), "bpmn_id", None) or element or ""
        raise ScriptError(f"流程执行出错（{where}）：{describe(err)}") from None


def run_steps(workflow, element=None):
    """workflow.do_engine_steps, at most ENGINE_STEPS_PER_REQUEST automatic steps (scripts, gateways,
    services, events) in one unit of work; beyond them the step fails whole. A cycle with no user task
    would otherwise spin until SpiffWorkflow's task tree is deeper than its iterator looks (1 000) and
    the case silently stops, running, with nothing open."""
    limit = current_app.config["ENGINE_STEPS_PER_REQUEST"]
    engine = workflow.script_engine

    def count(task):
        engine.steps += 1
        if engine.steps > limit:
            spec = task.task_spec
            raise ScriptError(f"流程自动运行超过 {limit} 步仍未停下（停在 {spec.bpmn_name or spec.bpmn_id}"
                              f"（{spec.bpmn_id}））：可能是一个没有出口、也没有人工任务的循环；请检查循环的条件。"
                              "本次操作未生效")

    run_engine(lambda: workflow.do_engine_steps(will_complete_task=count), element)


def describe(err):
    """A failure as one line for the city and the owner: its kind, its line in a script, its message.
    (SpiffWorkflow's own str() of an error fails when a note is missing, so the arguments are read.)"""
    try:
        text = str(err)
    except Exception:  # noqa: BLE001 - any message at all is better than a second failure
        text = " ".join(str(a) for a in err.args)
    kind = getattr(err, "error_type", None)
    if kind is None and not isinstance(err, SpiffWorkflowException | RefusedExpression | EngineError):
        kind = type(err).__name__
    line = getattr(err, "line_number", None)
    prefix = f"{kind}: " if kind and kind != "unknown" and not text.startswith(kind) else ""
    return "".join([prefix, f"第 {line} 行：" if line else "", text])


def load_workflow(instance, actor):
    """The case's workflow on its version's specs, scripts run as `actor` (None: the system)."""
    return serializer.workflow_from_dict(instance.state, spec_objects(instance.definition),
                                         script_engine_for(instance, actor))


def lock_instance(instance_id):
    """The case, read fresh and locked for this transaction (PostgreSQL); NotFound when there is none."""
    instance = (ProcessInstance.query.filter_by(id=instance_id)
                .options(undefer(ProcessInstance.state), joinedload(ProcessInstance.definition, innerjoin=True))
                .with_for_update(of=ProcessInstance).populate_existing().one_or_none())
    if instance is None:
        raise NotFound("案件不存在")
    return instance


def _properties(task):
    return getattr(task.task_spec, "extensions", {}).get("properties", {})


def _evaluate_property(task, name):
    expression = _properties(task).get(name)
    if not expression:
        return None
    environment = task.workflow.script_engine.environment
    return run_engine(lambda: environment.evaluate(expression, dict(task.data)), task.task_spec.bpmn_id)


def _top_level(workflow, state):
    return [t for t in workflow.get_tasks(state=state) if t.workflow is workflow]


def _is_offer(task_spec):
    """A boundary event waiting for a message someone may send (撤回) is an option its task offers, not
    where the case is (a timer's boundary is: its time runs)."""
    return (isinstance(task_spec, BoundaryEvent)
            and isinstance(getattr(task_spec, "event_definition", None), MessageEventDefinition))


def offers_message(instance, name):
    """Whether a step the case is at has a boundary event for the message `name` (read from the version's
    spec, without loading the case): the diagram decides where, e.g., the applicant may withdraw."""
    spec, subprocess_specs = spec_objects(instance.definition)
    for task_specs in (spec.task_specs, *(s.task_specs for s in subprocess_specs.values())):
        for element in instance.active_ids or ():
            split = task_specs.get(f"{element}.BoundaryEventSplit")
            if split is not None and any(_is_offer(o) and o.event_definition.name == name for o in split.outputs):
                return True
    return False


def _waiting(workflow):
    """Tasks waiting for an event; the events behind a waiting event-based gateway count too."""
    waiting = [t for t in workflow.get_tasks(state=TaskState.WAITING) if not _is_offer(t.task_spec)]
    behind_gateways = [child for t in waiting if type(t.task_spec).__name__ == "EventBasedGateway"
                       for child in t.children]
    return waiting + behind_gateways


def _element_name(task_spec):
    """The diagram's name for an element; a multi-instance task keeps its name on its "[child]" spec."""
    child = task_spec._wf_spec.task_specs.get(f"{task_spec.name} [child]")
    return task_spec.bpmn_name or (child.bpmn_name if child else None) or task_spec.bpmn_id


def _decisions(instance, workflow, since):
    """One history entry per gateway decided in this step: which way the case went."""
    for task in workflow.get_tasks(state=TaskState.COMPLETED):
        if "Gateway" not in type(task.task_spec).__name__ or task.last_state_change < since:
            continue
        taken = [_element_name(c.task_spec) for c in task.children
                 if c.state & (TaskState.COMPLETED | ACTIVE_STATES)]
        if len(task.task_spec.outputs) > 1 and taken:
            yield audit.event("decision", SYSTEM, instance.id, element_id=task.task_spec.bpmn_id,
                              name=task.task_spec.bpmn_name, data={"to": taken})


def save_workflow(instance, workflow, since, step_event=None):
    """Write the workflow back with everything derived from it (`since`: when this step began;
    `step_event`: the caller's audit entry for the step, written in one statement with the entries of
    the step's service calls before it and of its decisions after it).

    Every row is written at once as a plain statement (rows.py says why).
    """
    _write_state(instance, workflow, since,
                 [*workflow.script_engine.take_service_events(), *([step_event] if step_event else [])])
    if workflow.completed:
        rows.close_notices(instance.id, instance.ended_at)


def _write_state(instance, workflow, since, events):
    events += _decisions(instance, workflow, since)
    events += [audit.event("message_thrown", SYSTEM, instance.id, name=e.event_definition.name)
               for e in workflow.get_events()]
    tasks = workflow.get_tasks()
    active = [t for t in tasks if t.state & ACTIVE_STATES and not _is_offer(t.task_spec)] + _waiting(workflow)
    values = {
        # A finished case keeps its record (data, submissions, history), not the engine's working memory:
        # nothing runs on it again, and its state was most of what it stored.
        "state": {} if workflow.completed else serializer.workflow_to_dict(workflow),
        "serializer_version": serializer.VERSION,
        "completed_ids": sorted({t.task_spec.bpmn_id for t in tasks
                                 if t.state == TaskState.COMPLETED and t.task_spec.bpmn_id}),
        "active_ids": sorted({t.task_spec.bpmn_id for t in active if t.task_spec.bpmn_id}),
    }
    if workflow.completed:
        columns, end = _finish(instance, workflow)
        values.update(columns)
        events.append(end)
    else:
        values["data"] = _case_data(workflow)
    rows.write_case(instance, values)
    audit.write(events)
    open_tasks, pending_timers = rows.open_rows(instance.id)
    arrived = _sync_human_tasks(instance, workflow, open_tasks)
    _sync_timers(instance, workflow, pending_timers)
    notifications.tasks_arrived(instance, arrived, set(values["completed_ids"]),
                                workflow.script_engine.environment.services.actor)
    if workflow.completed:
        notifications.case_decided(instance, notifications.outcome_label(instance.definition, values["outcome"]))


def _case_data(workflow):
    data = {}
    for task in _top_level(workflow, ACTIVE_STATES):
        data.update(task.data)
    return data


def _finish(instance, workflow):
    """The finished case's columns and its "end" entry: data and outcome as the end event reached says."""
    ends = [t for t in _top_level(workflow, TaskState.COMPLETED) if "outcome" in _properties(t)]
    end = max(ends, key=lambda t: t.last_state_change) if ends else workflow.last_task
    outcome = _evaluate_property(end, "outcome") if ends else instance.outcome
    reason = _evaluate_property(end, "reason") if ends else instance.outcome_reason
    status = (_evaluate_property(end, "status") if ends else None) or "completed"  # "terminated": 撤回
    columns = {"data": dict(end.data) if end else {}, "status": status, "ended_at": clock.now(),
               "outcome": outcome, "outcome_reason": reason}
    return columns, audit.event("end", SYSTEM, instance.id, element_id=end.task_spec.bpmn_id if end else None,
                                name=end.task_spec.bpmn_name if end else None,
                                data={"outcome": outcome, "reason": reason})


def _sync_human_tasks(instance, workflow, known):
    """Inbox rows follow the READY user tasks (`known`: {guid: row id} of the open rows); the rows added
    (dicts of HumanTask's columns)."""
    ready = {str(t.id): t for t in workflow.get_tasks(state=TaskState.READY, manual=True)}
    rows.cancel_tasks([row_id for guid, row_id in known.items() if guid not in ready])
    new = []
    for guid, task in ready.items():
        if guid in known:
            continue
        role = roles.resolve(task.task_spec.lane)
        if role is None:
            where = f"的泳道 {task.task_spec.lane!r} 不对应任何角色" if task.task_spec.lane else "不在任何泳道中"
            raise ScriptError(f"任务 {task.task_spec.bpmn_id} {where}")
        new.append(dict(
            instance_id=instance.id, task_guid=guid, element_id=task.task_spec.bpmn_id,
            name=task.task_spec.bpmn_name or task.task_spec.bpmn_id, lane=task.task_spec.lane, role=role,
            form_key=_properties(task).get("formKey"),
            district=instance.district if role == "district" else None,
            organization_id=_organization(task, instance) if role == "applicant" else None,
            assignee=_evaluate_property(task, "assignee"),
            due_at=_due_at(task, instance)))
    rows.add_tasks(new)
    return new


def _organization(task, instance):
    """Whose inbox an enterprise's task goes to: the case's organisation, or the one the step's
    `organization` property names (a complaint's answer goes to the provider complained about)."""
    named = _evaluate_property(task, "organization")
    if named in (None, ""):
        return instance.organization_id
    if isinstance(named, bool) or not str(named).isdigit():
        raise ScriptError(f"任务 {task.task_spec.bpmn_id} 的 organization 应为单位编号：{named!r}")
    return int(named)


def _due_at(task, instance):
    """When a new inbox task is due: `dueWorkingDays` (working days on the case version's calendar),
    `dueAt` (a time, e.g. when the round closes) or `dueIn` (an ISO duration); none without them."""
    try:
        working = _evaluate_property(task, "dueWorkingDays")
        if working not in (None, ""):
            return workdays.of_definition(instance.definition).add(clock.now(), int(working))
        at = _evaluate_property(task, "dueAt")
        if at:
            return datetime.fromisoformat(str(at))
        due_in = _evaluate_property(task, "dueIn")
        return clock.now() + iso_duration(due_in) if due_in else None
    except (TypeError, ValueError) as err:
        raise ScriptError(f"任务 {task.task_spec.bpmn_id} 的办理期限无效：{err}") from None


def timer_definition(task):
    """The timer a waiting task waits for; an event-based gateway holds its branches' events."""
    definition = getattr(task.task_spec, "event_definition", None)
    if isinstance(definition, MultipleEventDefinition):
        definition = next((d for d in definition.event_definitions if isinstance(d, TimerEventDefinition)), None)
    return definition if isinstance(definition, TimerEventDefinition) else None


def _timer_due(task, definition):
    value = task._get_internal_data("event_value")
    if isinstance(value, dict):
        value = value.get("next")
    if value is None:
        value = run_engine(lambda: task.workflow.script_engine.evaluate(task, definition.expression))
    due = TimerEventDefinition.parse_time_or_duration(value)
    return due if isinstance(due, datetime) else clock.now() + due


def _timer_spec(task):
    """The element a timer row names: the timer event itself, also when an event-based gateway waits for it
    (the gateway holds its branches' events in the order of its outgoing branches)."""
    definition = getattr(task.task_spec, "event_definition", None)
    if isinstance(definition, MultipleEventDefinition):
        kinds = [isinstance(d, TimerEventDefinition) for d in definition.event_definitions]
        if True in kinds and len(kinds) == len(task.task_spec.outputs):
            return task.task_spec.outputs[kinds.index(True)]
    return task.task_spec


def _sync_timers(instance, workflow, pending):
    """Timer rows follow the tasks waiting for a timer (`pending`: {guid: row id} of the unfired rows)."""
    waiting = {str(t.id): t for t in workflow.get_tasks(state=TaskState.WAITING) if timer_definition(t)}
    rows.drop_timers([row_id for guid, row_id in pending.items() if guid not in waiting])
    rows.add_timers([dict(instance_id=instance.id, task_guid=guid, element_id=_timer_spec(task).bpmn_id,
                          name=_timer_spec(task).bpmn_name, due_at=_timer_due(task, timer_definition(task)))
                     for guid, task in waiting.items() if guid not in pending])


def open_work(instance):
    """What a running case's own workflow waits for: (guids of its READY user tasks, guids of the tasks
    waiting for a timer, whether anything waits for a message or another event). flask check compares
    these with the inbox and timer rows."""
    workflow = load_workflow(instance, SYSTEM)
    ready = {str(t.id) for t in workflow.get_tasks(state=TaskState.READY, manual=True)}
    waiting = workflow.get_tasks(state=TaskState.WAITING)
    return ready, {str(t.id) for t in waiting if timer_definition(t)}, bool(waiting)


def start(process_key, user, round_id=None, data=None, organization=None):
    """A case started by a person: an applicant for their organisation, or an official about one."""
    definition = latest_definition(process_key)
    if user.role not in _starter_roles(definition):
        raise NotAllowed("您的角色不能发起此流程")
    round_ = None
    if definition.needs_round:
        round_ = db.session.get(Round, round_id) if round_id else None
        if round_ is None or round_.kind != process_key:
            raise ValidationFailed("请选择申报批次", {"round_id": ["此流程需要一个已开启的申报批次"]})
        if not round_.is_open():
            raise Conflict("申报批次未开启或已截止")
    org = user.organization if user.role == "applicant" else organization
    if org is not None and round_ is not None:
        duplicate = ProcessInstance.query.filter(
            ProcessInstance.process_key == process_key, ProcessInstance.round_id == round_.id,
            ProcessInstance.organization_id == org.id, ProcessInstance.status.in_(["running", "completed"]),
            ProcessInstance.outcome.is_distinct_from("not_recommended")).first()
        if duplicate:
            raise Conflict(f"本批次已有申报（案件 {duplicate.id}）")
    return _create(definition, org, org.district if org else user.district, user.username, round_, data)


def start_for(process_key, organization, actor, data=None, round_=None):
    """A case the system starts on an organisation's behalf (grading, removal, self-assessment)."""
    return _create(latest_definition(process_key), organization, organization.district, actor, round_, data)


def start_round_cases(round_, actor):
    """Open a round's cases: one per member of the process's `startsFor` population (none if unset)."""
    definition = latest_definition(round_.kind)
    population = process_properties(definition).get("startsFor")
    if population is None:
        return []
    if population not in POPULATIONS:
        raise ScriptError(f"未知的 startsFor：{population}")
    return [_create(definition, org, org.district, actor, round_, None) for org in POPULATIONS[population]()]


def _create(definition, org, district, actor, round_, data):
    if round_ is not None:
        # the round's own facts win: a start's `data` cannot pass off another round (issue 16)
        data = {**(data or {}), "round_info": {"id": round_.id, "year": round_.year, "title": round_.title,
                                               "closes_at": round_.closes_at.isoformat()}}
    instance = ProcessInstance(
        definition=definition, process_key=definition.key, status="running", round=round_,
        subject=org.name if org else None, organization_id=org.id if org else None,
        district=district, started_by=actor, state={})
    db.session.add(instance)
    db.session.flush()
    spec, subprocess_specs = spec_objects(definition)
    since = time.time()
    workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=script_engine_for(instance, actor))
    # start_data lets a diagram ask what it was started with (start_data.get("ground")) without NameErrors.
    workflow.task_tree.data.update({**(data or {}), "start_data": dict(data or {})})
    audit.record("start", actor, instance.id, name=definition.name,
                 data={"version": definition.version, "round_id": round_.id if round_ else None, "data": data or {}})
    run_steps(workflow)
    save_workflow(instance, workflow, since)
    return instance


def can_start(process_key, user):
    definition = latest_definition(process_key, required=False)
    return definition is not None and user.role in _starter_roles(definition)


def _starter_roles(definition):
    """Who may start a case: the process's startableBy property, else the role of the start event's lane."""
    listed = process_properties(definition).get("startableBy")
    if listed:
        return {role.strip() for role in listed.split(",")}
    spec, _ = spec_objects(definition)
    for task_spec in spec.task_specs.values():
        if type(task_spec).__name__ == "StartEvent" and task_spec.lane:
            return {roles.resolve(task_spec.lane)}
    return {"city"}


def visible_task(task_id, user):
    """The task if the user may see it (its case is in their scope), else NotFound."""
    task = db.session.get(HumanTask, task_id)
    if task is None or not _may_see(user, task):
        raise NotFound("任务不存在")
    return task


def _may_see(user, task):
    return scope.is_candidate(user, task) or task.completed_by == user.username or user.role in scope.ALL_CASES_ROLES


def task_context(task):
    """The case data as the task sees it (a task inside an event subprocess has its own data)."""
    if task.state != "open":
        return task.instance.data
    workflow = load_workflow(task.instance, None)
    spiff_task = workflow.get_task_from_id(UUID(task.task_guid))
    return dict(spiff_task.data) if spiff_task is not None else task.instance.data


attachment_checker = attachments.checker


def claim(task_id, user, release=False):
    """Claim a task (签收), or release it; Conflict when it is closed or held by another."""
    closed = db.session.get(HumanTask, task_id)
    if closed is not None and closed.state != "open" and scope.can_see_instance(user, closed.instance):
        raise Conflict("任务已办结")  # completed by someone else meanwhile: a conflict, not a task never seen
    task = visible_task(task_id, user)
    if not scope.is_candidate(user, task):
        if task.state != "open":
            raise Conflict("任务已办结")
        raise NotAllowed("您不能办理此任务")
    if not release and is_countersigned(task):
        raise Conflict("会签任务由多人分别办理，无需签收")
    if not rows.claim_task(task.id, user.username, release):
        db.session.refresh(task)
        raise Conflict("任务已办结" if task.state != "open" else f"任务已被 {task.claimed_by} 签收")
    set_committed_value(task, "claimed_by", None if release else user.username)
    audit.record("unclaim" if release else "claim", user.username, task.instance_id,
                 element_id=task.element_id, name=task.name)
    return task


def complete(task_id, user, data):
    task, instance = _lock_task(task_id, user)
    if not scope.is_candidate(user, task):
        if task.state != "open":
            raise Conflict("任务已办结")
        raise NotAllowed("您不能办理此任务")
    if task.claimed_by not in (None, user.username):
        raise Conflict(f"任务已被 {task.claimed_by} 签收")
    form = forms.form_for(task)
    clean, errors = forms.checked_submission(task, form, data if isinstance(data, dict) else {},
                                             attachment_checker(user, instance.id))
    if errors:
        raise ValidationFailed("表单校验未通过", errors)
    if experts.FIELD in clean:
        experts.check(instance, clean[experts.FIELD])
    if task.delegated_by and task.delegated_by != user.username:
        _hand_back(task, instance, user, clean)
        return instance
    since = time.time()
    workflow = load_workflow(instance, user.username)
    spiff_task = workflow.get_task_from_id(UUID(task.task_guid))
    if spiff_task is None or spiff_task.state != TaskState.READY:
        raise Conflict("任务已不可办理")
    sign = countersign.settings(_properties(spiff_task), lambda name: _evaluate_property(spiff_task, name))
    if sign is not None:
        clean = _countersign(task, instance, user, clean, sign)
        if clean is None:
            return instance  # signed; more signatures are needed before the task completes
    if not rows.complete_task(task.id, user.username, completed_at=clock.now(), data=clean):
        raise Conflict("任务已被他人签收或办结")  # a claim or a completion that won the race
    spiff_task.set_data(**clean)
    run_engine(spiff_task.run, task.element_id)
    run_steps(workflow, task.element_id)
    attachments.link(form.attachment_ids(clean), instance)  # its 暂存 drafts go in the housekeeping sweep
    save_workflow(instance, workflow, since,
          audit.event("complete", user.username, instance.id, element_id=task.element_id, name=task.name, data=clean))
    return instance


def reassign(task, instance, to, actor, comment):
    """Give an open task whose holder a diagram variable names (a multi-instance review's `expert`) to
    `to`: the variable and the inbox row both change, so the review's result names who really reviewed."""
    since = time.time()
    workflow = load_workflow(instance, actor)
    spiff_task = workflow.get_task_from_id(UUID(task.task_guid))
    variable = (_properties(spiff_task).get("assignee") or "").strip() if spiff_task is not None else ""
    if not variable.isidentifier() or variable not in spiff_task.data:
        raise Conflict("此任务的办理人不能更换")
    spiff_task.data[variable] = to
    if not rows.hand_task(task.id, task.claimed_by or to, to):
        raise Conflict("任务已办结")
    save_workflow(instance, workflow, since, audit.event(
        "reassign", actor, instance.id, element_id=task.element_id, name=task.name,
        data={"from": task.assignee, "to": to, "comment": comment}))


def _open_instances(workflow, task, refusal):
    """(the engine's task, its parallel multi-instance parent, the step's input list) of the open instance
    `task`; Conflict(refusal) when `task` is not one."""
    child = workflow.get_task_from_id(UUID(task.task_guid))
    parent = child.parent if child is not None else None
    spec = parent.task_spec if parent is not None else None
    items = spec.data_input.get(parent) if isinstance(spec, ParallelMultiInstanceTask) and spec.data_input else None
    if not isinstance(items, list) or parent.state != TaskState.STARTED or child.state != TaskState.READY:
        raise Conflict(refusal)
    return child, parent, items


def add_instance(task, instance, item, actor, comment):
    """加签: one more instance, for `item` (an expert), of the open parallel multi-instance step that `task`
    is an instance of; its result joins the step's output like the others'."""
    since = time.time()
    workflow = load_workflow(instance, actor)
    _child, parent, items = _open_instances(workflow, task, "此环节不能加签")
    spec = parent.task_spec
    items.append(item)
    run_engine(lambda: spec.create_child(parent, item, len(items) - 1), task.element_id)
    run_steps(workflow, task.element_id)
    save_workflow(instance, workflow, since, audit.event("add_reviewer", actor, instance.id, element_id=task.element_id,
                                                         name=task.name, data={"to": item, "comment": comment}))


def remove_instance(task, instance, actor, comment, keep_at_least):
    """减签: the open instance `task` of a parallel multi-instance step is withdrawn without a replacement;
    the step's output holds only the others' results, and it completes once they are all done. At least
    `keep_at_least` instances (done or open) stay."""
    since = time.time()
    workflow = load_workflow(instance, actor)
    child, parent, items = _open_instances(workflow, task, "此环节不能减签")
    spec = parent.task_spec
    if sum(1 for _ in spec._instances(parent)) - 1 < keep_at_least:
        raise Conflict(f"「{task.name}」至少须有 {keep_at_least} 人")
    item = spec.input_item.get(child) if spec.input_item is not None else None
    if item in items:
        items.remove(item)  # the step's input says who reviews: no longer this one
    workflow._remove_task(child.id)
    if spec.children_complete(parent):
        parent._set_state(TaskState.READY)
    run_steps(workflow, task.element_id)
    save_workflow(instance, workflow, since, audit.event("remove_reviewer", actor, instance.id,
                                                         element_id=task.element_id, name=task.name,
                                                         data={"from": task.assignee, "comment": comment}))


def take_back(task, instance, actor):
    """拿回: the completed `task` is open again for `actor` (with what they submitted as their draft) and the
    steps it led to are withdrawn; the caller has checked that nobody has touched them."""
    since = time.time()
    workflow = load_workflow(instance, actor)
    spiff_task = workflow.get_task_from_id(UUID(task.task_guid))
    if spiff_task is None or spiff_task.state != TaskState.COMPLETED:
        raise Conflict("此环节不能拿回")
    run_engine(lambda: workflow.reset_from_task_id(spiff_task.id), task.element_id)
    task_drafts.save(task, actor, task.data or {})
    rows.reopen_task(task.id, actor)
    save_workflow(instance, workflow, since, audit.event("take_back", actor, instance.id, element_id=task.element_id,
                                                         name=task.name))


def _hand_back(task, instance, user, clean):
    """委派's end (resolve): the delegate's values become the delegator's draft, the task theirs again."""
    owner = task.delegated_by
    task_drafts.save(task, owner, clean)
    if not rows.hand_task(task.id, user.username, owner):
        raise Conflict("任务已办结")
    attachments.link(forms.form_for(task).attachment_ids(clean), instance)
    audit.record("resolve", user.username, instance.id, element_id=task.element_id, name=task.name,
                 data={"to": owner, **clean})
    notifications.notify([owner], "resolve", instance, task, actor=user.display_name)


def _countersign(task, instance, user, clean, sign):
    """One signature of a 会签 task (countersign.py): the decided data, or None after keeping the signature
    (the case's revision moves on, so two signers racing get one success and one conflict)."""
    decided, votes = countersign.sign((task.data or {}).get("votes", []), user.username, clock.now().isoformat(),
                                      clean, *sign)
    if decided is None:
        rows.sign_task(task.id, {"votes": votes})
        rows.write_case(instance, {})
        audit.record("countersign", user.username, instance.id, element_id=task.element_id, name=task.name,
                     data={**clean, "signed": len(votes), "needed": sign[0]})
    return decided


def step_properties(task):
    """The Spiff properties an inbox task's step declares in its version's diagram (from the cached spec)."""
    spec, subprocess_specs = spec_objects(task.instance.definition)
    specs = [spec, *subprocess_specs.values()]
    found = next((s.task_specs[task.element_id] for s in specs if task.element_id in s.task_specs), None)
    return getattr(found, "extensions", {}).get("properties", {}) if found is not None else {}


def is_countersigned(task):
    """Whether an open task is signed by several people (its step declares countersign)."""
    return "countersign" in step_properties(task)


def _lock_task(task_id, user):
    """The task and its case in one statement, both rows locked (PostgreSQL) and read fresh."""
    row = (db.session.query(HumanTask, ProcessInstance).join(ProcessInstance, HumanTask.instance)
           .options(undefer(ProcessInstance.state), joinedload(ProcessInstance.definition, innerjoin=True))
           .filter(HumanTask.id == task_id).with_for_update(of=[HumanTask, ProcessInstance])
           .populate_existing().one_or_none())
    if row is None or not _may_see(user, row[0]):
        raise NotFound("任务不存在")
    return row


def deliver_message(instance_id, name, payload, actor, step_event=None):
    """Hand a message (e.g. an objection) to the waiting case; Conflict when nothing waits for it.
    `step_event`: the caller's history entry for it (else a "message" entry with the payload)."""
    instance = lock_instance(instance_id)
    if instance.status != "running":
        raise Conflict("案件已结束")
    since = time.time()
    workflow = load_workflow(instance, actor)
    subprocesses, waiting = len(workflow.subprocesses), len(workflow.waiting_events())
    # catch() returns nothing: a waiting catch event it reached stops waiting, and a message that starts an
    # event subprocess shows as a new subprocess.
    run_engine(lambda: workflow.catch(BpmnEvent(MessageEventDefinition(name), payload=payload)))
    if len(workflow.waiting_events()) == waiting and len(workflow.subprocesses) == subprocesses:
        raise Conflict("案件当前不接收该消息")
    run_steps(workflow)
    save_workflow(instance, workflow, since,
                  step_event or audit.event("message", actor, instance.id, name=name, data=payload))
    return instance


def fire_timers(as_of=None, limit=None):
    """Fire every timer due at `as_of`; each case in its own transaction. Returns how many fired.

    One failing case never stops the sweep: it is rolled back, marked `error` with the reason (the city
    and the process owner see it on the case), and the sweep goes on to the next timer.
    """
    as_of = as_of or clock.now()
    fired, after = 0, None
    while limit is None or fired < limit:
        row = rows.next_due_timer(as_of, after)  # each due timer is looked at once per sweep
        if row is None:
            break
        after = (row.due_at, row.id)
        try:
            fired += _fire(row, as_of)
            db.session.commit()
        except (StaleDataError, OperationalError):
            db.session.rollback()  # another scheduler took this case; it will fire there
        except Exception as err:  # noqa: BLE001 - one broken case must not stop the others' timers
            db.session.rollback()
            reason = describe(err)
            logger.exception("timer %s of case %s failed", row.id, row.instance_id)
            _mark_error(row.instance_id, reason)
    return fired


def _fire(row, as_of):
    instance = lock_instance(row.instance_id)
    if instance.status != "running":
        return 0  # a case in error waits for the city or the owner; its timer fires once it runs again
    since = time.time()
    workflow = load_workflow(instance, SYSTEM)
    with clock.as_of(as_of):
        run_engine(workflow.refresh_timers)
        run_steps(workflow)
    task = workflow.get_task_from_id(UUID(row.task_guid))
    if task is not None and task.state == TaskState.WAITING:
        return 0
    rows.write_timer(row.id, fired_at=as_of)
    with clock.as_of(as_of):
        save_workflow(instance, workflow, since, audit.event(
            "timer", SYSTEM, instance.id, element_id=row.element_id,
            name=task.task_spec.bpmn_name if task else row.element_id, data={"due_at": row.due_at.isoformat()}))
    return 1


def _mark_error(instance_id, message):
    """Mark a case `error` with the reason, in a transaction of its own; a failure here is logged, not raised."""
    try:
        db.session.query(ProcessInstance).filter_by(id=instance_id).update(
            {"status": "error", "error": message[:2000], "revision": ProcessInstance.revision + 1},
            synchronize_session=False)
        audit.record("error", SYSTEM, instance_id, data={"error": message[:2000]})
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        logger.exception("could not mark case %s as failed", instance_id)
