"""The product's BPMN parser: SpiffWorkflow's, with decision tables read and run as FEEL (decisions.py)
and plain and manual tasks passed through.

A plain `task` is what the bpmn.io palette draws by default and a `manualTask` is work done outside the
system: SpiffWorkflow waits on both as if someone would complete them, though nothing offers them to
anyone (they have no form and often no lane), so the case would hang. Here, as in Camunda, the engine
passes through them.
"""

from SpiffWorkflow.bpmn.parser.util import full_tag
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.spiff.parser import SpiffBpmnParser
from SpiffWorkflow.spiff.specs.defaults import ManualTask, NoneTask

from . import dmn_read
from .decisions import FeelDecision


class PassThroughTask(NoneTask):
    """A plain task: done as soon as it is reached."""

    def __init__(self, wf_spec, bpmn_id, **kwargs):
        super().__init__(wf_spec, bpmn_id, **kwargs)
        self.manual = False


class PassThroughManualTask(ManualTask):
    """A manual task: work outside the system, recorded as passed when reached."""

    def __init__(self, wf_spec, bpmn_id, **kwargs):
        super().__init__(wf_spec, bpmn_id, **kwargs)
        self.manual = False


class Parser(SpiffBpmnParser):
    """SpiffWorkflow's parser with DMN files read by dmn_read.py (any DMN version, FEEL cells); a broken
    file adds what it can and leaves its problems to the lint (dmn_lint.py)."""

    OVERRIDE_PARSER_CLASSES = {
        **SpiffBpmnParser.OVERRIDE_PARSER_CLASSES,
        full_tag("task"): (SpiffBpmnParser.OVERRIDE_PARSER_CLASSES[full_tag("task")][0], PassThroughTask),
        full_tag("manualTask"): (SpiffBpmnParser.OVERRIDE_PARSER_CLASSES[full_tag("manualTask")][0],
                                 PassThroughManualTask),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.feel_decisions = {}

    def add_dmn_xml(self, node, filename=None):
        decisions, _problems = dmn_read.read(node, filename or "decision.dmn")
        self.feel_decisions.update(decisions)

    def get_engine(self, decision_ref, node):
        decision = self.feel_decisions.get(decision_ref)
        if decision is None:
            known = "、".join(sorted(self.feel_decisions)) or "（规则包中没有决策表）"
            what = (f"调用的决策 {decision_ref!r} 不存在" if decision_ref else
                    "没有指定要调用的决策（spiffworkflow:calledDecisionId；Camunda 的 camunda:decisionRef 本系统不读）")
            raise ValidationException(f"业务规则任务 {node.get('name') or node.get('id')} {what}；"
                                      f"规则包中的决策有：{known}", node=node, file_name="")
        return FeelDecision(decision)


# Task spec classes of this parser, for the serializer.
SPEC_CLASSES = {PassThroughTask: NoneTask, PassThroughManualTask: ManualTask}
