"""Workflow state <-> JSON. The spec is stored once per definition version, not per case.

A case's state is written and read without its spec: the spec is restored once per version
(versions.spec_objects) and the case's tasks are attached to those objects, which saves
converting a 30 KB spec on every step.
"""

import marshal
from uuid import UUID

from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import VERSION, BpmnWorkflowSerializer  # noqa: F401 - VERSION is stored per case
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.spiff.specs.defaults import BusinessRuleTask

from .decisions import FeelBusinessRuleTaskConverter
from .parser import SPEC_CLASSES


class _StateConverter(BpmnWorkflowConverter):
    """A top-level workflow as its state only; restored onto spec objects passed in under "spec"."""

    def to_dict(self, workflow):
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct):
        spec, subprocess_specs = dct.pop("spec")
        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


# Business rule tasks deployed since FEEL carry their decision as data (decisions.py); the parser's own
# task classes (parser.py) convert as the classes they extend.
registry = BpmnWorkflowSerializer.configure({**SPIFF_CONFIG, BusinessRuleTask: FeelBusinessRuleTaskConverter,
                                             **{cls: SPIFF_CONFIG[base] for cls, base in SPEC_CLASSES.items()}})
_StateConverter(BpmnWorkflow, registry)  # replaces the default converter for top-level workflows


def spec_to_dict(spec, subprocess_specs):
    return {
        "spec": registry.convert(spec),
        "subprocess_specs": {name: registry.convert(sub) for name, sub in subprocess_specs.items()},
    }


def workflow_to_dict(workflow):
    """The case's state without its spec, which lives on the definition row."""
    return registry.convert(workflow)


def _fresh(value):
    """A private deep copy: SpiffWorkflow's restore writes live objects into the dicts it is given.
    The value is plain JSON data, which marshal copies four times faster than a JSON round trip."""
    return marshal.loads(marshal.dumps(value))


def workflow_from_dict(state, specs, script_engine):
    """The case's workflow on `specs` (spec, subprocess specs) — objects from versions.spec_objects."""
    full = _fresh(state)
    full["spec"] = specs
    workflow = registry.restore(full)
    workflow.script_engine = script_engine  # the serializer does not carry it
    _reconnect_event_subprocesses(workflow)
    return workflow


def _reconnect_event_subprocesses(workflow):
    """Redo the spec wiring SpiffWorkflow adds when an event subprocess is first triggered.

    `BpmnStartTask.trigger_wf` connects the event subprocess to the start task on its first trigger,
    changing the spec in memory only. The spec we store is the deploy-time one, so a case that has
    a triggered event subprocess must get that wiring back, or the subprocess task cannot finish.
    Either way the spec objects are no longer the deploy-time ones: `pristine` tells.
    """
    for wf in (workflow, *workflow.subprocesses.values()):
        start = wf.spec.start
        triggered = {t.task_spec.name for t in wf.task_tree.children}
        for name in getattr(start, "trigger_specs", []):
            task_spec = wf.spec.task_specs[name]
            if name in triggered and start not in task_spec.inputs:
                start.connect(task_spec)
                task_spec.connect(wf.spec.end)


def pristine(specs):
    """True while no case has wired an event subprocess into these spec objects (see above)."""
    spec, subprocess_specs = specs
    for wf_spec in (spec, *subprocess_specs.values()):
        start = wf_spec.start
        if any(start in wf_spec.task_specs[name].inputs for name in getattr(start, "trigger_specs", [])):
            return False
    return True


def spec_from_dict(spec_dict):
    spec_dict = _fresh(spec_dict)
    spec = registry.restore(spec_dict["spec"])
    subs = {name: registry.restore(sub) for name, sub in spec_dict["subprocess_specs"].items()}
    return spec, subs
