"""Workflow state <-> JSON. The spec is stored once per definition version, not per case."""

import json

from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

_registry = BpmnWorkflowSerializer.configure(SPIFF_CONFIG)
_serializer = BpmnWorkflowSerializer(_registry)
VERSION = _serializer.VERSION


def spec_to_dict(spec, subprocess_specs):
    return {
        "spec": _registry.convert(spec),
        "subprocess_specs": {name: _registry.convert(sub) for name, sub in subprocess_specs.items()},
    }


def workflow_to_dict(workflow):
    """The case's state without its spec, which lives on the definition row."""
    state = _serializer.to_dict(workflow)
    state.pop("spec", None)
    state.pop("subprocess_specs", None)
    return state


def _fresh(value):
    """A private deep copy: SpiffWorkflow's restore writes live objects into the dicts it is given."""
    return json.loads(json.dumps(value))


def workflow_from_dict(state, spec_dict, script_engine):
    full = _fresh(state)
    spec_dict = _fresh(spec_dict)
    full["spec"] = spec_dict["spec"]
    full["subprocess_specs"] = spec_dict["subprocess_specs"]
    workflow = _serializer.from_dict(full)
    workflow.script_engine = script_engine  # the serializer does not carry it
    _reconnect_event_subprocesses(workflow)
    return workflow


def _reconnect_event_subprocesses(workflow):
    """Redo the spec wiring SpiffWorkflow adds when an event subprocess is first triggered.

    `BpmnStartTask.trigger_wf` connects the event subprocess to the start task on its first trigger,
    changing the spec in memory only. The spec we store is the deploy-time one, so a case that has
    a triggered event subprocess must get that wiring back, or the subprocess task cannot finish.
    """
    for wf in (workflow, *workflow.subprocesses.values()):
        start = wf.spec.start
        triggered = {t.task_spec.name for t in wf.task_tree.children}
        for name in getattr(start, "trigger_specs", []):
            task_spec = wf.spec.task_specs[name]
            if name in triggered and start not in task_spec.inputs:
                start.connect(task_spec)
                task_spec.connect(wf.spec.end)


def spec_from_dict(spec_dict):
    spec_dict = _fresh(spec_dict)
    spec = _registry.restore(spec_dict["spec"])
    subs = {name: _registry.restore(sub) for name, sub in spec_dict["subprocess_specs"].items()}
    return spec, subs
