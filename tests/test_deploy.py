"""Deploying diagrams: versions, refusals with clear messages, and the hostile cases."""

from io import BytesIO
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SELECTION = (ROOT / "processes" / "provider_selection.bpmn").read_text(encoding="utf-8")
SAMPLES = sorted((ROOT / "tests" / "data" / "miwg-reference").glob("*.bpmn"))  # with its licence, SOURCE.md


def deploy(api, content, name="p.bpmn"):
    data = {"bpmn": (BytesIO(content if isinstance(content, bytes) else content.encode()), name)}
    return api.client.post("/api/v1/process-definitions", headers=api.headers, data=data,
                           content_type="multipart/form-data")


def test_identical_content_keeps_version_and_change_makes_new_one(app, as_user):
    owner = as_user("owner")
    same = deploy(owner, SELECTION)
    assert same.status_code == 200 and same.get_json()["version"] == 1
    changed = deploy(owner, SELECTION.replace('name="登记申报"', 'name="登记申报材料"'))
    assert changed.status_code == 201 and changed.get_json() == {"key": "provider_selection", "version": 2,
                                                                  "created": True}
    versions = owner.get("/process-definitions/provider_selection/versions").get_json()
    assert [v["version"] for v in versions] == [1, 2]
    assert "登记申报材料" in owner.get("/process-definitions/provider_selection/xml").get_data(as_text=True)
    assert "登记申报材料" not in owner.get("/process-definitions/provider_selection/xml?version=1").get_data(
        as_text=True)
    latest = {d["key"]: d["version"] for d in as_user("city").get("/process-definitions").get_json()}
    assert latest["provider_selection"] == 2
    assert deploy(as_user("city"), SELECTION).status_code == 403


@pytest.mark.parametrize("hostile", [
    '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>' + SELECTION.split("?>", 1)[1],
    '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><d>&b;</d>',
])
def test_doctype_and_entities_refused(app, as_user, hostile):
    response = deploy(as_user("owner"), hostile)
    assert response.status_code == 422
    assert "DOCTYPE" in response.get_json()["error"] or "实体" in response.get_json()["error"]


@pytest.mark.parametrize("expression", [
    "__import__('os').system('id')", "open('/etc/passwd').read()", "().__class__.__bases__[0]",
    "eval('1')",
])
def test_unsafe_expression_refused_at_deploy(app, as_user, expression):
    hostile = SELECTION.replace('decision == "reject"</bpmn:conditionExpression>',
                                f"{expression.replace('<', '&lt;')}</bpmn:conditionExpression>", 1)
    response = deploy(as_user("owner"), hostile)
    assert response.status_code == 422, response.get_json()
    body = response.get_json()
    assert any("表达式被拒绝" in e for e in body["errors"]) and any("行" in e for e in body["errors"])
    versions = as_user("owner").get("/process-definitions/provider_selection/versions").get_json()
    assert len(versions) == 1


def test_malformed_xml_names_the_line(app, as_user):
    response = deploy(as_user("owner"), SELECTION.replace("</bpmn:process>", "</bpmn:proces>"))
    assert response.status_code == 422 and "行" in response.get_json()["error"]


def test_unknown_form_and_lane_flagged(app, as_user):
    bad = SELECTION.replace('value="district_review"', 'value="no_such_form"').replace(
        'name="评审专家"', 'name="外星人"')
    errors = deploy(as_user("owner"), bad).get_json()["errors"]
    assert any("no_such_form" in e for e in errors) and any("外星人" in e for e in errors)


@pytest.mark.parametrize("sample", SAMPLES, ids=[s.name for s in SAMPLES])
def test_reference_diagrams_never_crash(app, as_user, sample):
    response = deploy(as_user("owner"), sample.read_bytes(), sample.name)
    assert response.status_code in (201, 422), response.get_data(as_text=True)[:300]
    if response.status_code == 422:
        assert response.get_json()["error"]


def test_restricted_engine_stops_escape_at_run_time():
    from webapp.engine.restricted import RefusedExpression, evaluate
    with pytest.raises(ValueError):
        evaluate("[x for x in range(10**9)]", {})
    with pytest.raises((RefusedExpression, SyntaxError)):
        evaluate("x.__class__", {"x": 1})
    assert evaluate('score >= 90 and name == "甲"', {"score": 95, "name": "甲"}) is True


def test_reference_diagrams_are_present():
    """The reference set sits beside the repository (as in CI); without it the test above would prove nothing."""
    assert len(SAMPLES) >= 20
