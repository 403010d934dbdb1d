"""Scenario tests for diagrams: the shipped scenarios pass, a diagram that breaks one is refused at deploy
(API, workspace) naming the scenario, and the workspace runs them for process owners only."""

from io import BytesIO

import pytest
from conftest import ROOT
from test_workspace import Workspace
from web import Session

from webapp import engine
from webapp.engine import scenarios
from webapp.extensions import db
from webapp.models import ProcessDefinition, ProcessInstance

PROCESSES = ROOT / "processes"
DIAGRAMS = sorted(p.stem for p in PROCESSES.glob("*.bpmn"))
SELECTION = (PROCESSES / "provider_selection.bpmn").read_text(encoding="utf-8")
# The city's "approve" no longer lists the applicant: both decisions now lead to the reject end.
APPROVE = '<bpmn:conditionExpression>decision == "approve"</bpmn:conditionExpression>'
REJECT = '<bpmn:conditionExpression>decision == "reject"</bpmn:conditionExpression>'
LISTED = '<bpmn:sequenceFlow id="flow_listed"'
head, tail = SELECTION.split(LISTED)
BROKEN = head + LISTED + tail.replace(APPROVE, '<bpmn:conditionExpression>decision == "approve" and False'
                                     '</bpmn:conditionExpression>', 1).replace(
    REJECT, '<bpmn:conditionExpression>decision in ("approve", "reject")</bpmn:conditionExpression>', 1)
ADMISSION = "入库（初审推荐、形式审查、专家评审、列入名单、公示期满无异议）"
ON = pytest.mark.parametrize("app", [{"DEPLOY_SCENARIOS": True}], indirect=True)


def seed(key):
    return engine.from_repository(PROCESSES / f"{key}.bpmn", ROOT / "forms")


def latest_version(app, key):
    with app.app_context():
        return ProcessDefinition.query.filter_by(key=key).order_by(ProcessDefinition.version.desc()).first().version


@pytest.mark.parametrize("key", DIAGRAMS)
def test_shipped_scenarios_pass_and_leave_the_real_database_alone(app, key):
    package = seed(key)
    assert package.scenarios, f"{key} has no scenarios"
    with app.app_context():
        results = scenarios.run(package)
        assert len(results) >= 2
        assert [r for r in results if not r["passed"]] == []
        assert db.session.query(ProcessInstance).count() == 0  # it ran in a throw-away database


def test_the_selection_scenarios_cover_every_path():
    names = {s["name"] for s in scenarios.load((PROCESSES / "provider_selection.scenarios.yaml").read_bytes())}
    ends = set()
    for scenario in scenarios.load((PROCESSES / "provider_selection.scenarios.yaml").read_bytes()):
        ends |= {e for e in scenario["expect"].get("path", []) if e.startswith("end_")}
    assert ends == {"end_admitted", "end_district_rejected", "end_return_limit", "end_formal_rejected",
                    "end_city_rejected", "end_objection_upheld", "end_withdrawn"}
    assert len(names) == 10


def test_a_broken_scenario_file_is_refused_with_a_reason():
    for text, message in (("- [", "YAML"), ("name: x", "列表"), ("- {name: a, steps: []}", "start.as"),
                          ("- {name: a, start: {as: city}, steps: [{wait: 1}]}", "第 1 步")):
        with pytest.raises(scenarios.ScenarioFileError, match=message):
            scenarios.load(text)


@ON
def test_deploy_refuses_a_diagram_that_breaks_a_scenario_naming_it(app, as_user):
    before = latest_version(app, "provider_selection")
    owner = as_user("owner")
    response = owner.post("/process-definitions", data={"bpmn": (BytesIO(BROKEN.encode()), "provider_selection.bpmn")},
                          content_type="multipart/form-data")
    assert response.status_code == 422, response.get_json()
    body = response.get_json()
    assert "场景测试未通过" in body["error"]
    failed = next(e for e in body["errors"] if ADMISSION in e)
    assert "outcome 应为 admitted，实际为 rejected" in failed and "end_city_rejected" in failed
    assert latest_version(app, "provider_selection") == before
    with app.app_context():  # the engine call itself refuses too
        with pytest.raises(engine.DefinitionError) as refused:
            engine.deploy(engine.assemble(("provider_selection.bpmn", BROKEN.encode())), actor="owner")
        assert any(ADMISSION in e for e in refused.value.errors)
        db.session.rollback()


@ON
def test_uploaded_scenarios_replace_the_shipped_ones(app, as_user):
    before = latest_version(app, "provider_selection")
    shipped = (PROCESSES / "provider_selection.scenarios.yaml").read_text(encoding="utf-8")
    # The owner means the change: the scenario now expects the reject end.
    expected = shipped.replace("outcome: admitted\n", "outcome: rejected\n", 1)
    owner = as_user("owner")
    response = owner.post("/process-definitions", data={
        "bpmn": (BytesIO(BROKEN.encode()), "provider_selection.bpmn"),
        "scenarios": (BytesIO(expected.encode()), "provider_selection.scenarios.yaml")},
        content_type="multipart/form-data")
    assert response.status_code == 422  # other expectations (path) still fail
    only = ("- name: 市局决定后结束\n  start: {as: applicant1, round: true}\n"
            "  expect: {status: running, waiting: [submit_application]}\n")
    response = owner.post("/process-definitions", data={
        "bpmn": (BytesIO(BROKEN.encode()), "provider_selection.bpmn"),
        "scenarios": (BytesIO(only.encode()), "s.yaml")}, content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    assert latest_version(app, "provider_selection") == before + 1
    bad = owner.post("/process-definitions", data={
        "bpmn": (BytesIO(SELECTION.replace("P7D", "P8D").encode()), "provider_selection.bpmn"),
        "scenarios": (BytesIO(b"- ["), "s.yaml")}, content_type="multipart/form-data")
    assert bad.status_code == 422 and "场景文件有误" in bad.get_json()["error"]


@ON
def test_workspace_deploy_runs_the_scenarios(app):
    owner = Workspace(app)
    before = latest_version(app, "provider_selection")
    response = owner.post_json("/workspace/deploy", {"bpmn": BROKEN})
    assert response.status_code == 422, response.get_json()
    assert any(ADMISSION in f["message"] for f in response.get_json()["findings"])
    assert latest_version(app, "provider_selection") == before
    only = "- name: 发起后等待提交申报书\n  start: {as: applicant1, round: true}\n  expect: {status: running}\n"
    response = owner.post_json("/workspace/deploy", {"bpmn": BROKEN, "scenarios": only})
    assert response.status_code == 201, response.get_json()
    assert latest_version(app, "provider_selection") == before + 1


def test_workspace_page_runs_the_scenarios_for_owners_only(app):
    page = Session(app, "owner").text("/workspace/")
    assert "/workspace/provider_selection/scenarios" in page and "运行场景测试" in page
    page = Session(app, "owner").text("/workspace/provider_selection/scenarios")
    assert "10 / 10 个场景通过" in page and ADMISSION in page and 'data-passed="false"' not in page
    for username in ("city", "applicant1", "district-hexi"):
        assert Session(app, username).get("/workspace/provider_selection/scenarios").status_code == 403
    assert Session(app).get("/workspace/provider_selection/scenarios").status_code in (302, 401)
    with app.app_context():
        assert db.session.query(ProcessInstance).count() == 0


def test_workspace_page_shows_a_failing_scenario(app):
    with app.app_context():
        engine.deploy(engine.assemble(("provider_selection.bpmn", BROKEN.encode())), actor="test", run_scenarios=False)
        db.session.commit()
    page = Session(app, "owner").text("/workspace/provider_selection/scenarios")
    assert "7 / 10 个场景通过" in page and 'data-passed="false"' in page and "实际为 rejected" in page


def test_cli_runs_a_diagrams_scenarios(app):
    result = app.test_cli_runner().invoke(args=["processes", "scenarios", "complaint"])
    assert result.exit_code == 0, result.output
    assert "2 / 2 个场景通过" in result.output
    result = app.test_cli_runner().invoke(args=["processes", "scenarios", "nothing"])
    assert result.exit_code != 0


@ON
def test_the_shipped_scenarios_follow_a_longer_notice_and_still_catch_a_broken_flow(app, as_user):
    """Their timer step names the notice's timer, so 公示 7 → 10 days needs no scenario edit."""
    parameters = (PROCESSES / "provider_selection.parameters.yaml").read_text(encoding="utf-8")
    ten_days = parameters.replace("  value: 7\n", "  value: 10\n", 1)
    owner = as_user("owner")
    response = owner.post("/process-definitions", data={
        "bpmn": (BytesIO(SELECTION.encode()), "provider_selection.bpmn"),
        "parameters": (BytesIO(ten_days.encode()), "provider_selection.parameters.yaml")},
        content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    response = owner.post("/process-definitions", data={"bpmn": (BytesIO(BROKEN.encode()), "provider_selection.bpmn")},
                          content_type="multipart/form-data")
    assert response.status_code == 422 and any(ADMISSION in e for e in response.get_json()["errors"])
