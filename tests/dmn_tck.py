"""Run the DMN TCK's level-2 decision-table cases (tests/data/dmn-tck) through the product: each model is
deployed through the API inside a one-task diagram (a business rule task naming the decision by
spiffworkflow:calledDecisionId), each test case is a case started with its inputs as start data, and
the outputs are read from the finished case's data.

Used by tests/test_dmn_tck.py and by bench/dmn_tck.py, which prints the figure."""

from decimal import Decimal
from io import BytesIO
from pathlib import Path

from lxml import etree

TCK = Path(__file__).resolve().parent / "data" / "dmn-tck" / "compliance-level-2"
TC = "{http://www.omg.org/spec/DMN/20160719/testcase}"
XSI = "{http://www.w3.org/2001/XMLSchema-instance}"

WRAPPER = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="tck" targetNamespace="urn:tck">
  <bpmn:process id="{key}" name="TCK {key}" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>to_decide</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="to_decide" sourceRef="start" targetRef="decide" />
    <bpmn:businessRuleTask id="decide" name="决策">
      <bpmn:extensionElements>
        <spiffworkflow:calledDecisionId>{decision}</spiffworkflow:calledDecisionId>
      </bpmn:extensionElements>
      <bpmn:incoming>to_decide</bpmn:incoming><bpmn:outgoing>to_end</bpmn:outgoing>
    </bpmn:businessRuleTask>
    <bpmn:sequenceFlow id="to_end" sourceRef="decide" targetRef="end" />
    <bpmn:endEvent id="end"><bpmn:incoming>to_end</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
"""


def _value(node):
    """A TCK <value> as JSON (numbers as Decimal, to compare exactly), or a list/context of them."""
    if node.get(f"{XSI}nil") == "true":
        return None
    kind = (node.get(f"{XSI}type") or "").split(":")[-1]
    text = node.text or ""
    if kind == "decimal" or kind in ("double", "integer", "int", "long"):
        return Decimal(text)
    if kind == "boolean":
        return text == "true"
    return text


def _expected(node):
    """The expected value of a <expected>/<item> node: a value, {component: …} or a list."""
    values = node.findall(f"{TC}value")
    if values:
        return _value(values[0])
    components = node.findall(f"{TC}component")
    if components:
        return {c.get("name"): _expected(c) for c in components}
    listed = node.find(f"{TC}list")
    if listed is not None:
        return [_expected(item) for item in listed.findall(f"{TC}item")]
    return None


def _json(value):
    return (int(value) if value == value.to_integral_value() else float(value)) if isinstance(value, Decimal) else value


def models():
    """[(folder name, dmn path, [(case id, inputs, result name, expected)])] of every TCK model."""
    found = []
    for folder in sorted(p for p in TCK.iterdir() if p.is_dir()):
        [dmn] = folder.glob("*.dmn")
        cases = []
        for test_file in sorted(folder.glob("*-test-*.xml")):
            for case in etree.parse(str(test_file)).getroot().findall(f"{TC}testCase"):
                inputs = {n.get("name"): _json(_value(n.find(f"{TC}value"))) for n in case.findall(f"{TC}inputNode")}
                [result] = case.findall(f"{TC}resultNode")
                cases.append((case.get("id"), inputs, result.get("name"), _expected(result.find(f"{TC}expected"))))
        found.append((folder.name, dmn, cases))
    return found


def decision_of(dmn, name):
    """(decision id, [output names], single) of the decision called `name`."""
    root = etree.parse(str(dmn)).getroot()
    ns = {"d": etree.QName(root).namespace}
    [decision] = root.xpath("d:decision[@name=$name]", namespaces=ns, name=name)
    outputs = decision.xpath("d:decisionTable/d:output", namespaces=ns)
    variable = decision.xpath("d:variable/@name", namespaces=ns)
    names = [o.get("name") or (variable[0] if variable else name) for o in outputs]
    return decision.get("id"), names, len(outputs) == 1


def same(actual, expected):
    if isinstance(expected, Decimal):
        return isinstance(actual, int | float) and not isinstance(actual, bool) and Decimal(str(actual)) == expected
    if isinstance(expected, list):
        return isinstance(actual, list) and len(actual) == len(expected) and all(map(same, actual, expected))
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(same(actual.get(k), v) for k, v in expected.items())
    return actual == expected


def outcome(data, names, single, expected):
    """The decision's result as the case data holds it, shaped as the TCK writes it."""
    if single:
        return data.get(names[0])
    if isinstance(expected, list):  # a multi-hit table with several outputs: one context per hit
        columns = [data.get(n) or [] for n in names]
        return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=False)]
    return {n: data.get(n) for n in names}


def run(owner, city):
    """[(name, passed, reason)] of every TCK test case; owner deploys, city starts."""
    results = []
    for folder, dmn, cases in models():
        key = "tck_" + folder.replace("-", "_")
        decision_id, names, single = decision_of(dmn, cases[0][2])
        bpmn = WRAPPER.replace("{key}", key).replace("{decision}", decision_id).encode()
        deployed = owner.client.post("/api/v1/process-definitions", headers=owner.headers,
                                     content_type="multipart/form-data",
                                     data={"bpmn": (BytesIO(bpmn), f"{key}.bpmn"),
                                           "dmn": (BytesIO(dmn.read_bytes()), dmn.name)})
        for case_id, inputs, _name, expected in cases:
            name = f"{folder}#{case_id}"
            if deployed.status_code not in (200, 201):
                results.append((name, False, f"deploy {deployed.status_code}: {deployed.get_json()}"))
                continue
            started = city.post("/process-instances", {"process": key, "data": inputs})
            if started.status_code != 201:
                results.append((name, False, f"start {started.status_code}: {started.get_json()}"))
                continue
            data = city.get(f"/process-instances/{started.get_json()['id']}").get_json()["data"]
            actual = outcome(data, names, single, expected)
            results.append((name, same(actual, expected), f"expected {expected!r}, got {actual!r}"))
    return results
