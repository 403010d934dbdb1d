"""Versions workspace: comparing two versions, and moving running cases to the newest version."""

import json
import re
from io import BytesIO
from pathlib import Path

from selection import apply, case, complete, recommend
from web import Session, csrf_token, form_values
from werkzeug.datastructures import MultiDict

from webapp.extensions import db
from webapp.models import AuditEvent, HumanTask, ProcessDefinition, ProcessInstance, Timer

ROOT = Path(__file__).resolve().parent.parent
SELECTION = (ROOT / "processes" / "provider_selection.bpmn").read_text(encoding="utf-8")
GRADING = (ROOT / "processes" / "provider_grading.bpmn").read_text(encoding="utf-8")
GRADING_DMN = (ROOT / "processes" / "provider_grading.dmn").read_text(encoding="utf-8")

PRECHECK = """<bpmn:userTask id="city_precheck" name="市级预审">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="formKey" value="city_decision" />
      </spiffworkflow:properties></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="flow_precheck" sourceRef="city_precheck" targetRef="city_formal_check" />
    <bpmn:userTask id="city_formal_check\""""


def v2_renamed_and_added():
    """v2: city_formal_check renamed, a new city step (city_precheck) before it; district_review unchanged."""
    text = SELECTION.replace('name="形式审查并指派专家"', 'name="形式审查"')
    text = text.replace("<bpmn:flowNodeRef>city_formal_check</bpmn:flowNodeRef>",
                        "<bpmn:flowNodeRef>city_precheck</bpmn:flowNodeRef>"
                        "<bpmn:flowNodeRef>city_formal_check</bpmn:flowNodeRef>")
    text = text.replace('sourceRef="gw_district" targetRef="city_formal_check"',
                        'sourceRef="gw_district" targetRef="city_precheck"')
    text = text.replace('<bpmn:userTask id="city_formal_check"', PRECHECK, 1)
    assert text.count("city_precheck") == 4
    return text


def v2_without_district_review():
    text = re.sub(r'<bpmn:userTask id="district_review".*?</bpmn:userTask>', "", SELECTION, flags=re.S)
    text = text.replace("<bpmn:flowNodeRef>district_review</bpmn:flowNodeRef>", "")
    text = text.replace('<spiffworkflow:property name="summaryReview" value="district_review" />', "")
    text = text.replace('<spiffworkflow:property name="milestones" value="selection_milestones" />', "")  # names it
    text = text.replace('<bpmn:sequenceFlow id="flow_district_done" sourceRef="district_review" '
                        'targetRef="gw_district" />', "")
    return text.replace('targetRef="district_review"', 'targetRef="gw_district"')


def deploy(api, bpmn, dmn=None, name="provider_selection.bpmn"):
    data = {"bpmn": (BytesIO(bpmn.encode()), name), "note": "测试修订"}
    if dmn:
        data["dmn"] = (BytesIO(dmn.encode()), "provider_grading.dmn")
    response = api.client.post("/api/v1/process-definitions", headers=api.headers, data=data,
                               content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    return response.get_json()["version"]


def history(api, instance_id):
    return api.get(f"/process-instances/{instance_id}/history").get_json()


def test_compare_lists_renamed_and_added_elements_and_marks_them(app, as_user):
    assert deploy(as_user("owner"), v2_renamed_and_added()) == 2
    page = Session(app, "owner").text("/versions/provider_selection/compare?a=1&b=2")
    changes = re.findall(r'data-kind="(\w+)" data-element-id="([\w.-]+)"', page)
    assert ("added", "city_precheck") in changes and ("added", "flow_precheck") in changes
    assert ("changed", "city_formal_check") in changes
    assert "形式审查并指派专家" in page and "形式审查" in page  # old and new name, in words
    assert ("changed", "district_review") not in changes and not any(k == "removed" for k, _ in changes)
    marks = json.loads(re.search(r'id="diff-marks">(.*?)</script>', page, re.S).group(1))
    assert "city_precheck" in marks["b"]["added"] and "city_formal_check" in marks["a"]["changed"]
    assert 'id="diagram-a"' in page and 'id="diagram-b"' in page
    reverse = Session(app, "city").text("/versions/provider_selection/compare?a=2&b=1")
    assert 'data-kind="removed" data-element-id="city_precheck"' in reverse
    for query in ("a=1&b=9", "a=x&b=2", "a=0&b=1", "a=1&b=99999999999999"):
        assert Session(app, "owner").get(f"/versions/provider_selection/compare?{query}").status_code == 404
    assert Session(app, "owner").get("/versions/no_such/compare?a=1&b=2").status_code == 404


def test_compare_shows_timer_parameter_and_dmn_rule_changes(app, as_user):
    owner = as_user("owner")
    deploy(owner, SELECTION.replace('&quot;P%dD&quot; % params[&quot;notice_days&quot;]', "&quot;P10D&quot;"))
    page = Session(app, "owner").text("/versions/provider_selection/compare?a=1&b=2")
    assert 'data-element-id="publish_notice"' in page and "P10D" in page and "notice_days" in page
    assert 'data-element-id="provider_selection"' not in page  # the process's own properties did not change
    deploy(owner, SELECTION.replace('name="requiresRound" value="true"', 'name="requiresRound" value="false"'))
    page = Session(app, "owner").text("/versions/provider_selection/compare?a=2&b=3")
    assert re.search(r'data-kind="changed" data-element-id="provider_selection">.*?requiresRound', page, re.S)
    changed_dmn = GRADING_DMN.replace("<text>&gt;= 90</text>", "<text>90 &lt;= ?</text>")
    assert changed_dmn != GRADING_DMN
    deploy(owner, GRADING, changed_dmn, "provider_grading.bpmn")
    page = Session(app, "owner").text("/versions/provider_grading/compare?a=1&b=2")
    assert 'data-status="changed"' in page and "-&gt;= 90" in page and "+90 &lt;= ?" in page


def test_version_list_counts_running_cases(app, as_user):
    apply(as_user)
    deploy(as_user("owner"), v2_renamed_and_added())
    page = Session(app, "owner").text("/versions/provider_selection/")
    rows = dict(re.findall(r'<tr data-version="(\d+)">.*?<td class="running">(\d+)</td>', page, re.S))
    assert rows == {"2": "0", "1": "1"}
    overview = Session(app, "city").text("/versions/")
    assert re.search(r'data-version="1">v1: <span class="running">1</span>', overview)


def test_case_waiting_before_the_change_moves_and_completes_on_v2(app, as_user):
    instance_id, applicant = apply(as_user)
    owner = as_user("owner")
    deploy(owner, v2_renamed_and_added())
    assert owner.get(f"/process-instances/{instance_id}/migration").get_json()["can_move"] is True
    moved = owner.post(f"/process-instances/{instance_id}/migration")
    assert moved.status_code == 200 and moved.get_json()["version"] == 2
    city = as_user("city")
    assert case(city, instance_id)["version"] == 2
    event = next(e for e in history(city, instance_id) if e["action"] == "migrate")
    assert event["data"]["from_version"] == 1 and event["data"]["to_version"] == 2 and event["actor"] == "owner"
    recommend(as_user("district-hexi"), instance_id)
    assert case(city, instance_id)["active"] == ["city_precheck"]  # the step v2 added
    complete(city, instance_id, "city_precheck", {"decision": "approve", "opinion": "预审通过"})
    assert case(city, instance_id)["active"] == ["city_formal_check"]
    with app.app_context():
        task = HumanTask.query.filter_by(instance_id=instance_id, element_id="city_formal_check").one()
        assert task.name == "形式审查"  # v2's name
    # Once the case went on after the move, the move can no longer be undone.
    refused = Session(app, "owner").submit(f"/versions/provider_selection/cases/{instance_id}/revert", {},
                                           token_from="/versions/provider_selection/", follow_redirects=True)
    assert "已继续办理" in refused.get_data(as_text=True) and case(city, instance_id)["version"] == 2
    # Applicants read their history but never the state snapshot kept for undoing the move.
    assert all("state" not in json.dumps(e.get("data") or {}) for e in history(applicant, instance_id))


def test_api_move_then_undo(app, as_user):
    instance_id, _ = apply(as_user)
    owner = as_user("owner")
    assert owner.get(f"/process-instances/{instance_id}/migration").get_json()["reason"]  # already on the latest
    deploy(owner, v2_renamed_and_added())
    assert owner.post(f"/process-instances/{instance_id}/migration").get_json()["version"] == 2
    assert owner.client.delete(f"/api/v1/process-instances/{instance_id}/migration",
                               headers=owner.headers).get_json()["version"] == 1
    assert case(owner, instance_id)["version"] == 1
    assert owner.client.delete(f"/api/v1/process-instances/{instance_id}/migration",
                               headers=owner.headers).status_code == 404  # nothing left to undo
    assert as_user("city").client.delete(f"/api/v1/process-instances/{instance_id}/migration",
                                         headers=as_user("city").headers).status_code == 403
    assert owner.get("/process-instances/999999/migration").status_code == 404


def test_long_case_lists_are_cut_and_say_so(app, as_user, monkeypatch):
    from webapp.web import versions

    apply(as_user)
    apply(as_user, "applicant2", 2027)
    deploy(as_user("owner"), v2_renamed_and_added())
    monkeypatch.setattr(versions, "LISTED_CASES", 1)
    page = Session(app, "owner").text("/versions/provider_selection/")
    assert 'id="cases-truncated"' in page and len(re.findall(r"<tr data-instance=", page)) == 1


def test_case_at_a_removed_task_cannot_move_and_the_reason_names_it(app, as_user):
    instance_id, _ = apply(as_user)
    owner = as_user("owner")
    deploy(owner, v2_without_district_review())
    check = owner.get(f"/process-instances/{instance_id}/migration").get_json()
    assert check["can_move"] is False and "district_review" in check["reason"] and "区级初审推荐" in check["reason"]
    refused = owner.post(f"/process-instances/{instance_id}/migration")
    assert refused.status_code == 409 and "district_review" in refused.get_json()["error"]
    assert case(owner, instance_id)["version"] == 1
    page = Session(app, "owner").text("/versions/provider_selection/")
    row = re.search(rf'<tr data-instance="{instance_id}" data-can-move="false">.*?</tr>', page, re.S).group(0)
    assert "district_review" in row and "/move" not in row


def test_page_moves_all_eligible_and_revert_restores_the_old_version(app, as_user):
    first, applicant = apply(as_user)
    second, _ = apply(as_user, "applicant2", 2027)
    deploy(as_user("owner"), v2_renamed_and_added())
    owner = Session(app, "owner")
    page = owner.text("/versions/provider_selection/")
    assert 'href="/versions/provider_selection/move-all"' in page
    unconfirmed = owner.submit("/versions/provider_selection/move-all", {}, token_from="/versions/provider_selection/")
    assert unconfirmed.status_code == 302 and unconfirmed.location.endswith("/versions/provider_selection/move-all")
    assert case(as_user("city"), first)["version"] == 1  # nothing moves before the owner confirms
    confirm = owner.text("/versions/provider_selection/move-all")
    assert f'<tr data-instance="{first}">' in confirm and f'<tr data-instance="{second}">' in confirm
    response = owner.client.post("/versions/provider_selection/move-all", follow_redirects=True,
                                 data=MultiDict(form_values(confirm, "confirm-move-all")))
    assert "已迁移 2 件案件；0 件未迁移" in response.get_data(as_text=True)
    city = as_user("city")
    assert case(city, first)["version"] == 2 and case(city, second)["version"] == 2
    with app.app_context():
        open_before = {h.task_guid for h in HumanTask.query.filter_by(instance_id=first, state="open")}
    response = owner.submit(f"/versions/provider_selection/cases/{first}/revert", {},
                            token_from="/versions/provider_selection/")
    assert response.status_code == 302
    assert case(city, first)["version"] == 1 and case(city, second)["version"] == 2
    assert [e["action"] for e in history(city, first)][-2:] == ["migrate", "migrate_revert"]
    with app.app_context():
        assert {h.task_guid for h in HumanTask.query.filter_by(instance_id=first, state="open")} == open_before
        assert db.session.get(ProcessInstance, first).active_ids == ["district_review"]
        assert AuditEvent.query.filter_by(action="migrate_snapshot").count() == 2
    # Back on v1 the case runs the old way: no city_precheck.
    recommend(as_user("district-hexi"), first)
    assert case(city, first)["active"] == ["city_formal_check"]
    # A second revert has nothing to undo.
    again = owner.submit(f"/versions/provider_selection/cases/{first}/revert", {},
                         token_from="/versions/provider_selection/", follow_redirects=True)
    assert "未能撤销迁移" in again.get_data(as_text=True)


def test_each_case_shows_what_moving_changes_for_it_before_it_moves(app, as_user):
    waiting, _ = apply(as_user)  # at the district review
    owner = as_user("owner")
    review = (ROOT / "forms" / "district_review.yaml").read_text(encoding="utf-8")
    visit = "  - {name: site_visit, type: textarea, label: 现场核查意见}\n"
    with_visit = review.replace("fields:\n", "fields:\n" + visit, 1)
    parameters = (ROOT / "processes" / "provider_selection.parameters.yaml").read_text(encoding="utf-8")
    longer = parameters.replace("  value: 7\n", "  value: 10\n", 1)
    assert with_visit != review and longer != parameters
    response = owner.client.post("/api/v1/process-definitions", headers=owner.headers,
                                 content_type="multipart/form-data",
                                 data={"bpmn": (BytesIO(v2_renamed_and_added().encode()), "provider_selection.bpmn"),
                                       "form": (BytesIO(with_visit.encode()), "district_review.yaml"),
                                       "parameters": (BytesIO(longer.encode()), "provider_selection.parameters.yaml")})
    assert response.status_code == 201, response.get_json()
    page = Session(app, "owner").text("/versions/provider_selection/move-all")
    row = re.search(rf'<tr data-instance="{waiting}">.*?</tr>', page, re.S).group(0)
    assert "当前环节「区级初审推荐」的表单：新增字段 现场核查意见" in row
    assert "规则参数「公示期」：7天 → 10天" in row and "流程图新增环节：市级预审" in row
    assert case(owner, waiting)["version"] == 1


def test_move_one_case_from_the_page(app, as_user):
    instance_id, _ = apply(as_user)
    deploy(as_user("owner"), v2_renamed_and_added())
    owner = Session(app, "owner")
    response = owner.submit(f"/versions/provider_selection/cases/{instance_id}/move", {},
                            token_from="/versions/provider_selection/", follow_redirects=True)
    assert response.status_code == 200 and "已迁移到 v2" in response.get_data(as_text=True)
    assert case(as_user("city"), instance_id)["version"] == 2


def test_only_the_owner_moves_and_the_city_only_reads(app, as_user):
    instance_id, _ = apply(as_user)
    deploy(as_user("owner"), v2_renamed_and_added())
    for username in ("city", "district-hexi", "applicant1", "expert1"):
        api = as_user(username)
        assert api.get(f"/process-instances/{instance_id}/migration").status_code == 403
        assert api.post(f"/process-instances/{instance_id}/migration").status_code == 403
    city = Session(app, "city")
    page = city.text("/versions/provider_selection/")
    assert "move-all" not in page and f"/cases/{instance_id}/move" not in page
    token = csrf_token(page)
    assert city.client.post(f"/versions/provider_selection/cases/{instance_id}/move",
                            data={"csrf_token": token}).status_code == 403
    assert city.client.post("/versions/provider_selection/move-all", data={"csrf_token": token}).status_code == 403
    for username in ("district-hexi", "applicant1", "expert1"):
        session = Session(app, username)
        assert session.get("/versions/").status_code == 403
        assert session.get("/versions/provider_selection/compare?a=1&b=2").status_code == 403
    assert app.test_client().get("/versions/").status_code in (302, 401)
    assert case(as_user("owner"), instance_id)["version"] == 1


def test_page_posts_need_the_csrf_token(app, as_user):
    instance_id, _ = apply(as_user)
    deploy(as_user("owner"), v2_renamed_and_added())
    owner = Session(app, "owner")
    assert owner.client.post(f"/versions/provider_selection/cases/{instance_id}/move").status_code == 400
    assert owner.client.post("/versions/provider_selection/move-all").status_code == 400
    assert owner.client.post(f"/versions/provider_selection/cases/{instance_id}/revert").status_code == 400
    assert case(as_user("owner"), instance_id)["version"] == 1


def test_cli_migrate_dry_run_then_move(app, as_user):
    movable, _ = apply(as_user)
    deploy(as_user("owner"), v2_renamed_and_added())
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["processes", "migrate", "provider_selection", "--dry-run"])
    assert dry.exit_code == 0 and f"案件 {movable} v1：可迁移到 v2" in dry.output
    assert case(as_user("city"), movable)["version"] == 1
    done = runner.invoke(args=["processes", "migrate", "provider_selection"])
    assert done.exit_code == 0 and "migrated 1" in done.output
    assert case(as_user("city"), movable)["version"] == 2
    assert runner.invoke(args=["processes", "migrate", "no_such_process"]).exit_code != 0
    deploy(as_user("owner"), v2_without_district_review())
    blocked = runner.invoke(args=["processes", "migrate", "provider_selection"])
    assert blocked.exit_code == 0 and f"案件 {movable} v2：不能迁移" in blocked.output
    assert "district_review" in blocked.output and "migrated 0" in blocked.output


def test_cases_at_expert_review_and_in_the_notice_move_and_finish(app, as_user):
    from datetime import UTC, datetime, timedelta

    from selection import PAST_NOTICE, assign_experts, publish_list, run_timers, score

    reviewing, _ = apply(as_user)
    noticed, _ = apply(as_user, "applicant2", 2027)
    city = as_user("city")
    for instance_id, district in ((reviewing, "hexi"), (noticed, "nankai")):
        recommend(as_user(f"district-{district}"), instance_id)
        assign_experts(city, instance_id)
    score(as_user, noticed)
    complete(city, noticed, "city_decision", {"decision": "approve", "opinion": "列入初选名单"})
    publish_list(city, noticed)
    with app.app_context():
        timers_before = [(t.task_guid, t.due_at) for t in Timer.query.filter_by(instance_id=noticed)]
    owner = as_user("owner")
    deploy(owner, v2_renamed_and_added())
    for instance_id in (reviewing, noticed):
        assert owner.post(f"/process-instances/{instance_id}/migration").status_code == 200, instance_id
    score(as_user, reviewing)  # each expert's own task survived the move
    assert case(city, reviewing)["active"] == ["city_decision"]
    # The notice keeps its 7 days: nothing fires before, the case is admitted after.
    assert run_timers(app, datetime.now(UTC) + timedelta(days=6)) == 0
    assert run_timers(app, datetime.now(UTC) + PAST_NOTICE) == 1
    assert case(city, noticed)["outcome"] == "admitted" and case(city, noticed)["version"] == 2
    with app.app_context():
        assert [(t.task_guid, t.due_at) for t in Timer.query.filter_by(instance_id=noticed)] == timers_before


def test_case_verifying_an_objection_moves_and_finishes(app, as_user):
    """The event subprocess (objection handling) is migrated with the case."""
    from selection import to_notice

    instance_id, applicant, notice = to_notice(as_user)
    public = app.test_client()
    assert public.post(f"/api/v1/public/notices/{notice['id']}/objections",
                       json={"name": "李四", "contact": "13900000000", "content": "存疑"}).status_code == 201
    owner = as_user("owner")
    deploy(owner, v2_renamed_and_added().replace('name="核查异议"', 'name="核查公示异议"'))
    check = owner.get(f"/process-instances/{instance_id}/migration").get_json()
    assert check["can_move"] is True, check
    assert owner.post(f"/process-instances/{instance_id}/migration").status_code == 200
    with app.app_context():
        task = HumanTask.query.filter_by(instance_id=instance_id, element_id="verify_objection", state="open").one()
        assert task.name == "核查公示异议"
    complete(as_user("city"), instance_id, "verify_objection", {"decision": "upheld", "opinion": "经核实不实"})
    body = case(applicant, instance_id)
    assert (body["status"], body["outcome"], body["version"]) == ("completed", "not_admitted", 2)


def test_case_at_a_step_whose_form_changed_cannot_move(app, as_user):
    instance_id, _ = apply(as_user)
    owner = as_user("owner")
    changed = SELECTION.replace('<spiffworkflow:property name="formKey" value="district_review" />',
                                '<spiffworkflow:property name="formKey" value="city_decision" />')
    assert changed != SELECTION
    deploy(owner, changed)
    check = owner.get(f"/process-instances/{instance_id}/migration").get_json()
    assert check["can_move"] is False and "district_review" in check["reason"] and "改动" in check["reason"]


def test_each_version_holds_the_yaml_of_every_form_it_names_and_every_list(app):
    with app.app_context():
        for definition in ProcessDefinition.query.all():
            keys = set(re.findall(r'name="(?:formKey|startForm|objectionForm)" value="([\w]+)"', definition.bpmn_xml))
            assert set(definition.forms) == keys, definition.key
            for key in keys:
                assert definition.forms[key] == (ROOT / "forms" / f"{key}.yaml").read_text(encoding="utf-8")
            assert set(definition.lists) == {p.stem for p in (ROOT / "forms" / "lists").glob("*.yaml")}
        delisting = ProcessDefinition.query.filter_by(key="provider_delisting").one()
        assert "delisting_start" in delisting.forms  # the process-level startForm


def test_compare_lists_form_changes_field_by_field(app, as_user):
    text = (ROOT / "forms" / "district_review.yaml").read_text(encoding="utf-8")
    changed = text.replace("    max_length: 2000\n", "    max_length: 2000\n    required: true\n", 1)
    changed = changed.replace("      - {value: reject, label: 不予推荐, label_en: Do not recommend}\n", "")
    changed = changed.replace("    required_if: {decision: [return, reject]}\n", "")
    changed += "  - name: remarks\n    type: text\n    label: 备注\n"
    assert changed.count("required: true") == 2 and "reject" not in changed
    owner = as_user("owner")
    response = owner.client.post("/api/v1/process-definitions", headers=owner.headers, data={
        "bpmn": (BytesIO(SELECTION.replace('name="区级初审推荐"', 'name="区级初审与推荐"').encode()),
                 "provider_selection.bpmn"),
        "form": (BytesIO(changed.encode()), "district_review.yaml")}, content_type="multipart/form-data")
    assert response.status_code == 201 and response.get_json()["version"] == 2, response.get_json()
    with app.app_context():
        v1, v2 = (ProcessDefinition.query.filter_by(key="provider_selection", version=n).one() for n in (1, 2))
        assert v1.forms["district_review"] == text and v2.forms["district_review"] == changed
        assert v1.content_hash != v2.content_hash and set(v1.forms) == set(v2.forms)
    page = Session(app, "owner").text("/versions/provider_selection/compare?a=1&b=2")
    cards = re.findall(r'data-form="(\w+)" data-status="(\w+)"', page)
    assert cards == [("district_review", "changed")]  # the other forms did not change
    card = page[page.index('data-form="district_review"'):]
    assert 'data-field-kind="added" data-field="remarks"' in card
    opinion = re.search(r'data-field-kind="changed" data-field="opinion">(.*?)</ul>', card, re.S).group(1)
    assert 'data-property="required"' in opinion and 'data-property="required_if"' in opinion
    decision = re.search(r'data-field-kind="changed" data-field="decision">(.*?)</ul>', card, re.S).group(1)
    assert 'data-property="choices"' in decision and "reject" in decision
    assert "<details" in card and "+  - name: remarks" in card
    assert "-    required_if: {decision: [return, reject]}" in card
    english = Session(app, "owner").text("/versions/provider_selection/compare?a=1&b=2&lang=en")
    assert "Form changes" in english and "District preliminary review" in english
    unchanged = Session(app, "owner").text("/versions/provider_selection/compare?a=1&b=1")
    assert 'id="no-form-changes"' in unchanged


def test_an_attribute_written_out_at_its_bpmn_default_is_no_change():
    """bpmn-js leaves cancelActivity="true" out when it saves: comparing the two is no difference, while a
    real change of it (false: a non-interrupting boundary) is one."""
    from webapp.engine.compare import bpmn_elements
    saved = SELECTION.replace(' cancelActivity="true"', "")
    assert bpmn_elements(saved)["withdraw_in_review"] == bpmn_elements(SELECTION)["withdraw_in_review"]
    relaxed = SELECTION.replace('attachedToRef="district_review" cancelActivity="true"',
                                'attachedToRef="district_review" cancelActivity="false"')
    assert bpmn_elements(relaxed)["withdraw_in_review"] != bpmn_elements(SELECTION)["withdraw_in_review"]


def test_who_deployed_each_version_is_named_as_the_record_names_people(app, as_user):
    """部署人 by office and name, as the 流转记录 names people: the seed deployed by the command line, v2 by
    the process owner — never their login names."""
    deploy(as_user("owner"), v2_renamed_and_added())
    page = Session(app, "owner").text("/versions/provider_selection/")
    deployers = dict(re.findall(r'<tr data-version="(\d+)">.*?<td>[^<]*</td><td>([^<]*)</td>', page, re.S))
    assert deployers == {"1": "系统（命令行部署）", "2": "流程管理员"}
