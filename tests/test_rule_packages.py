"""A version is its whole rule package: cases keep their version's forms and lists; the package can be read,
restored, and changed only with a second person's approval; a release never silently replaces the owner's."""

from io import BytesIO

import pytest
from conftest import ROOT
from selection import application, apply, assign_experts, complete, open_round, recommend, task_for
from web import Session

from webapp import engine
from webapp.extensions import db
from webapp.models import ProcessDefinition, RuleChange

SELECTION = (ROOT / "processes" / "provider_selection.bpmn").read_text(encoding="utf-8")
APPLICATION = (ROOT / "forms" / "provider_application.yaml").read_text(encoding="utf-8")
# A new required field of the application form (a rule change the owner makes).
WITH_PHONE = APPLICATION.replace("  # 人员与经营情况\n", "  - name: office_address\n    type: text\n"
                                 "    label: 在津办公地址\n    required: true\n    max_length: 200\n\n"
                                 "  # 人员与经营情况\n")
WITH_WEBSITE = APPLICATION.replace("  # 人员与经营情况\n", "  - name: website\n    type: text\n    label: 单位网站\n"
                                   "    max_length: 200\n\n  # 人员与经营情况\n")
PARAMETERS = (ROOT / "processes" / "provider_selection.parameters.yaml").read_text(encoding="utf-8")
CATEGORIES = (ROOT / "forms" / "lists" / "provider_categories.yaml").read_text(encoding="utf-8")
APPROVAL = pytest.mark.parametrize("app", [{"RULE_CHANGE_APPROVAL": True}], indirect=True)


def upload(api, parts, **fields):
    """POST /process-definitions with the named parts: {part: (file name, text)} or a list of them."""
    data = dict(fields)
    for part, files in parts.items():
        data[part] = [(BytesIO(text.encode()), name) for name, text in (files if isinstance(files, list) else [files])]
    return api.client.post("/api/v1/process-definitions", headers=api.headers, data=data,
                           content_type="multipart/form-data")


def latest(app, key="provider_selection"):
    with app.app_context():
        return ProcessDefinition.query.filter_by(key=key).order_by(ProcessDefinition.version.desc()).first().version


def started(as_user, username):
    round_id = open_round(as_user("city"))
    api = as_user(username)
    response = api.post("/process-instances", {"process": "provider_selection", "round_id": round_id})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"], api


def test_a_case_keeps_its_versions_form_while_a_new_case_gets_the_new_one(app, as_user):
    old_case, old_api = started(as_user, "applicant1")
    response = upload(as_user("owner"), {"bpmn": ("provider_selection.bpmn", SELECTION),
                                         "form": ("provider_application.yaml", WITH_PHONE)}, note="新增办公地址")
    assert response.status_code == 201 and response.get_json()["version"] == 2, response.get_json()
    old_task = task_for(old_api, old_case, "submit_application")
    assert "office_address" not in {f["name"] for f in old_api.get(f"/tasks/{old_task}").get_json()["form"]["fields"]}
    complete(old_api, old_case, "submit_application", application(old_api))  # on v1's form: not asked
    new_case, new_api = started(as_user, "applicant2")
    new_task = task_for(new_api, new_case, "submit_application")
    assert "office_address" in {f["name"] for f in new_api.get(f"/tasks/{new_task}").get_json()["form"]["fields"]}
    refused = new_api.post(f"/tasks/{new_task}/complete", {"data": application(new_api, "applicant2")})
    assert refused.status_code == 422 and "office_address" in refused.get_json()["errors"]
    complete(new_api, new_case, "submit_application",
             application(new_api, "applicant2", office_address="天津市南开区某路1号"))


def test_a_list_change_is_versioned_and_labels_the_public_pages(app, as_user):
    renamed = CATEGORIES.replace("label: 咨询,", "label: 咨询服务（修订）,") + \
        "- {value: data_services, label: 数据服务, label_en: Data services}\n"
    assert renamed != CATEGORIES and "咨询服务（修订）" in renamed
    response = upload(as_user("owner"), {"bpmn": ("provider_selection.bpmn", SELECTION),
                                         "list": ("provider_categories.yaml", renamed)})
    assert response.status_code == 201, response.get_json()
    with app.app_context():
        v1, v2 = (ProcessDefinition.query.filter_by(key="provider_selection", version=n).one() for n in (1, 2))
        assert engine.package.library(v1).entries("provider_categories")[0]["label"] == "咨询"
        assert {e["value"] for e in engine.package.library(v2).entries("provider_categories")} >= {"data_services"}
    page = Session(app, "applicant1").text("/pool")
    assert "数据服务" in page and "咨询服务（修订）" in page  # the pool's category filter reads the list in force


def test_how_many_experts_is_a_parameter_the_form_reads_and_an_old_case_keeps_its_value(app, as_user):
    old_case, _ = apply(as_user, "applicant1")
    recommend(as_user("district-hexi"), old_case)
    two = PARAMETERS.replace("  value: 1\n  min: 1\n  max: 20\n", "  value: 2\n  min: 1\n  max: 20\n")
    assert two != PARAMETERS
    response = upload(as_user("owner"), {"bpmn": ("provider_selection.bpmn", SELECTION),
                                         "parameters": ("provider_selection.parameters.yaml", two)})
    assert response.status_code == 201, response.get_json()
    city = as_user("city")
    assign_experts(city, old_case, experts=("expert1",))  # v1: at least one expert
    new_case, _ = apply(as_user, "applicant2", year=2027)
    recommend(as_user("district-nankai"), new_case)
    task = task_for(city, new_case, "city_formal_check")
    refused = city.post(f"/tasks/{task}/complete", {"data": {"decision": "approve", "experts": ["expert1"]}})
    assert refused.status_code == 422 and refused.get_json()["errors"]["experts"] == ["至少2项"]
    assign_experts(city, new_case, experts=("expert1", "expert2"))


def test_the_package_of_a_version_and_restoring_it(app, as_user):
    owner = as_user("owner")
    v1 = owner.get("/process-definitions/provider_selection/package?version=1").get_json()
    assert v1["version"] == 1 and v1["bpmn"] == SELECTION and v1["forms"]["provider_application"] == APPLICATION
    assert "provider_categories" in v1["lists"] and "入库" in v1["scenarios"] and v1["dmn"] == {}
    assert upload(owner, {"bpmn": ("provider_selection.bpmn", SELECTION)}).status_code == 200  # = the latest
    assert upload(owner, {"bpmn": ("provider_selection.bpmn", SELECTION),
                          "form": ("provider_application.yaml", WITH_PHONE)}).status_code == 201
    restored = owner.post("/process-definitions/provider_selection/versions/1/restore", {"note": "撤销地址字段"})
    assert restored.status_code == 201 and restored.get_json()["version"] == 3, restored.get_json()
    v3 = owner.get("/process-definitions/provider_selection/package").get_json()
    assert v3["version"] == 3 and v3["forms"] == v1["forms"] and "恢复 v1：撤销地址字段" in v3["note"]
    assert owner.post("/process-definitions/provider_selection/versions/9/restore", {}).status_code == 404
    assert as_user("city").get("/process-definitions/provider_selection/package").status_code == 200
    assert as_user("district-hexi").get("/process-definitions/provider_selection/package").status_code == 403
    assert as_user("city").post("/process-definitions/provider_selection/versions/1/restore", {}).status_code == 403


def test_a_release_deploy_does_not_silently_replace_the_owners_version(app, as_user, tmp_path):
    assert upload(as_user("owner"), {"bpmn": ("provider_selection.bpmn", SELECTION),
                                     "form": ("provider_application.yaml", WITH_PHONE)}).status_code == 201
    runner = app.test_cli_runner()
    same = runner.invoke(args=["processes", "deploy", str(ROOT / "processes" / "provider_selection.bpmn")])
    assert same.exit_code == 0 and "未变化" in same.output and latest(app) == 2  # the release deployed as v1
    release = tmp_path / "provider_selection.bpmn"  # the next release changes the diagram
    release.write_text(SELECTION.replace('name="登记申报"', 'name="登记申报材料"'), encoding="utf-8")
    for part in ("parameters", "scenarios"):
        name = f"provider_selection.{part}.yaml"
        (tmp_path / name).write_text((ROOT / "processes" / name).read_text(encoding="utf-8"), encoding="utf-8")
    refused = runner.invoke(args=["processes", "deploy", str(release)])
    assert refused.exit_code == 1 and "--force" in refused.output and "owner" in refused.output
    assert latest(app) == 2
    forced = runner.invoke(args=["processes", "deploy", "--force", str(release)])
    assert forced.exit_code == 0, forced.output
    assert latest(app) == 3
    with app.app_context():
        v3 = ProcessDefinition.query.filter_by(key="provider_selection", version=3).one()
        assert "登记申报材料" in v3.bpmn_xml and "office_address" not in v3.forms["provider_application"]


@APPROVAL
def test_a_change_waits_for_a_city_official_and_deploys_when_approved(app, as_user):
    owner = as_user("owner")
    response = upload(owner, {"bpmn": ("provider_selection.bpmn", SELECTION),
                              "form": ("provider_application.yaml", WITH_WEBSITE)}, note="新增单位网站")
    assert response.status_code == 202, response.get_json()
    pending = response.get_json()
    assert pending["status"] == "pending" and latest(app) == 1
    again = upload(owner, {"bpmn": ("provider_selection.bpmn", SELECTION.replace("登记申报", "登记"))})
    assert again.status_code == 409  # one change of a process at a time
    city = as_user("city2")
    task_id = task_for(city, pending["instance_id"], "review_change")
    page = Session(app, "city2").text(f"/tasks/{task_id}")
    assert 'id="rule-change"' in page and "新增单位网站" in page and f"change={pending['change_id']}" in page
    compare = Session(app, "city2").text(f"/versions/provider_selection/compare?change={pending['change_id']}")
    assert 'data-form="provider_application"' in compare and "website" in compare
    scenarios = Session(app, "city2").text(
        f"/versions/provider_selection/changes/{pending['change_id']}/scenarios")
    assert 'id="scenario-summary"' in scenarios and 'data-passed="false"' not in scenarios
    complete(city, pending["instance_id"], "review_change", {"decision": "approve", "opinion": "同意"})
    assert latest(app) == 2
    with app.app_context():
        v2 = ProcessDefinition.query.filter_by(key="provider_selection", version=2).one()
        assert (v2.deployed_by, v2.approved_by) == ("owner", "city2") and "website" in v2.forms[
            "provider_application"]
        assert db.session.get(RuleChange, pending["change_id"]).status == "approved"
    body = city.get(f"/process-instances/{pending['instance_id']}").get_json()
    assert (body["status"], body["outcome"]) == ("completed", "rule_change_approved")


@APPROVAL
def test_a_returned_change_keeps_its_draft_and_no_author_approves_their_own(app, as_user):
    from test_workspace import Workspace, yaml_of

    owner = Workspace(app)
    text = yaml_of(owner.text("/workspace/complaint/forms/complaint")).replace("投诉内容", "投诉事实与理由")
    assert owner.post_json("/workspace/complaint/forms/complaint", {"yaml": text}).status_code == 200
    response = owner.post_json("/workspace/deploy", {"key": "complaint", "note": "改字段名称"})
    assert response.status_code == 202 and response.get_json()["pending"] is True, response.get_json()
    change_id = response.get_json()["change_id"]
    with app.app_context():
        with pytest.raises(engine.NotAllowed):
            engine.changes.approve(change_id, "owner")  # the author
        with pytest.raises(engine.NotAllowed):
            engine.changes.approve(change_id, "district-hexi")  # not a city official
        db.session.rollback()
        instance_id = db.session.get(RuleChange, change_id).instance_id
    complete(as_user("city"), instance_id, "review_change", {"decision": "return", "opinion": "请同时更新场景"})
    with app.app_context():
        change = db.session.get(RuleChange, change_id)
        assert (change.status, change.opinion) == ("returned", "请同时更新场景")
    assert latest(app, "complaint") == 1
    assert "投诉事实与理由" in owner.text("/workspace/complaint/forms/complaint")  # the draft is still there
