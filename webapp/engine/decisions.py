"""Decision tables in FEEL, plugged into SpiffWorkflow: a business rule task's engine evaluates the table
(dmn_read.py's data) with feel.py and dmn_hit.py instead of SpiffWorkflow's DMN engine, which hands every
cell to Python's eval and knows only UNIQUE, FIRST-as-UNIQUE and COLLECT.

The result goes into the case data as SpiffWorkflow's did: each output under its name (a single
output without a name under the decision's name); a multi-hit table gives each output the list of
its values in hit order, an aggregation the one value. Versions deployed before this engine keep
SpiffWorkflow's (their spec holds a `decision_table`, not a `feel_decision`).
"""

from SpiffWorkflow.spiff.serializer.task_spec import BusinessRuleTaskConverter, SpiffBpmnTaskConverter
from SpiffWorkflow.util.deep_merge import DeepMerge

from . import dmn_hit, dmn_read, feel
from .feel_values import coerce, to_data, to_feel


class DecisionError(ValueError):
    """A decision that could not be made while a case ran (a hit policy violated)."""


def output_names(decision):
    table = decision["table"]
    if len(table["outputs"]) == 1 and not table["outputs"][0]["name"]:
        return [decision["variable"]]
    return [o["name"] for o in table["outputs"]]


def priorities(decision):
    """[(output name, [values in priority order])] for the outputs that list their values."""
    found = []
    for name, output in zip(output_names(decision), decision["table"]["outputs"], strict=True):
        if output["values"]:
            found.append((name, feel.listed_values(output["values"])))
    return found


def decide(decision, data):
    """The table's result for case data `data`, as case data to merge ({output name: value or list})."""
    table, names = decision["table"], to_feel(dict(data))
    values = [coerce(feel.evaluate(i["expression"], names), i["type"]) if i["expression"] else None
              for i in table["inputs"]]
    outputs = output_names(decision)
    matched = []
    for rule in table["rules"]:
        if all(feel.matches(cell, value, names) for cell, value in zip(rule["inputs"], values, strict=True)):
            row = {name: feel.evaluate(text, names) if text else None
                   for name, text in zip(outputs, rule["outputs"], strict=True)}
            matched.append((rule["id"], row))
    try:
        result = dmn_hit.apply(table["hit_policy"], table["aggregation"], matched, priorities(decision),
                               dmn_read.label_of(decision))
    except dmn_hit.HitPolicyViolation as err:
        raise DecisionError(str(err)) from None
    if isinstance(result, list):
        shaped = {name: [row[name] for row in result] for name in outputs}
    elif isinstance(result, dict) or result is None:
        shaped = {name: (result or {}).get(name) for name in outputs}
    else:
        shaped = {outputs[0]: result}
    return _nested({name: to_data(value) for name, value in shaped.items()})


def _nested(flat):
    """Dotted output names (`applicant.grade`) as nested dicts, as SpiffWorkflow wrote them."""
    result = {}
    for name, value in flat.items():
        parts = name.split(".") if "." in name and all(name.split(".")) else [name]
        branch = value
        for part in reversed(parts[1:]):
            branch = {part: branch}
        result = DeepMerge.merge(result, {parts[0]: branch})
    return result


class FeelDecision:
    """What a SpiffWorkflow business rule task calls as its `dmnEngine`: result(task) → data to merge."""

    def __init__(self, decision):
        self.decision = decision

    def result(self, task):
        return decide(self.decision, task.data)


class FeelBusinessRuleTaskConverter(BusinessRuleTaskConverter):
    """Stores a FEEL decision with its task spec (`feel_decision`); reads old specs as SpiffWorkflow did."""

    def to_dict(self, spec):
        if not isinstance(spec.dmnEngine, FeelDecision):
            return super().to_dict(spec)
        dct = SpiffBpmnTaskConverter.to_dict(self, spec)
        dct["feel_decision"] = spec.dmnEngine.decision
        return dct

    def from_dict(self, dct):
        if "feel_decision" not in dct:
            return super().from_dict(dct)
        dct["dmnEngine"] = FeelDecision(dct.pop("feel_decision"))
        return self.task_spec_from_dict(dct)
