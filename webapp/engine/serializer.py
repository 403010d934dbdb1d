"""Workflow state <-> JSON. The spec is stored once per definition version, not per case."""

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


def workflow_from_dict(state, spec_dict, script_engine):
    full = dict(state)
    full["spec"] = spec_dict["spec"]
    full["subprocess_specs"] = spec_dict["subprocess_specs"]
    workflow = _serializer.from_dict(full)
    workflow.script_engine = script_engine  # the serializer does not carry it
    return workflow


def spec_from_dict(spec_dict):
    spec = _registry.restore(spec_dict["spec"])
    subs = {name: _registry.restore(sub) for name, sub in spec_dict["subprocess_specs"].items()}
    return spec, subs
