"""Removal from the resource pool (Art. 8) end to end through the HTTP API, as the demo users."""

from datetime import UTC, datetime, timedelta

import pytest
from selection import (
    admit,
    case,
    complete,
    credit_code_of,
    run_timers,
    task_for,
)

from webapp.extensions import db
from webapp.models import Attachment, Organization, PoolEntry

PROVIDER = "天津智造数字科技有限公司"  # applicant1's organisation
GROUNDS = {  # Art. 8 (一)-(八), as forms/lists/delisting_grounds.yaml labels them
    "violation": "违反法律法规、行业自律公约等被通报",
    "unqualified_grade": "评级结果为不合格",
    "refused_supervision": "拒绝接受监督检查",
    "complaints": "被企业或其他服务商投诉3次或以上并核实确认属实",
    "fraud": "有弄虚作假、骗取资助资金等行为",
    "major_accident": "发生重大责任事故、造成严重社会影响",
    "non_cooperation": "不配合提供服务情况",
    "voluntary_exit": "主动退出资源池",
}


def pool(app):
    return [p["credit_code"] for p in app.test_client().get("/api/v1/public/resource-pool").get_json()]


def announcements(app):
    return [n for n in app.test_client().get("/api/v1/public/notices").get_json()
            if n["kind"] == "delisting_announcement"]


def start_removal(api, ground, facts="经查实，该服务商存在上述情形。", organization="applicant1", expect=201, **extra):
    body = {"process": "provider_delisting", "data": {"ground": ground, **({"facts": facts} if facts else {}),
                                                      **extra}}
    if organization:
        body["organization"] = credit_code_of(organization)
    response = api.post("/process-instances", body)
    assert response.status_code == expect, response.get_json()
    return response.get_json()


@pytest.mark.parametrize("ground", list(GROUNDS))
def test_each_ground_removes_the_provider_and_announces_it(app, as_user, ground):
    admit(app, as_user)
    city, provider = as_user("city"), as_user("applicant1")
    instance_id = start_removal(city, ground)["id"]
    if ground != "voluntary_exit":
        # The provider is told the ground and the facts, and may state its case.
        task = provider.get(f"/tasks/{task_for(provider, instance_id, 'submit_statement')}").get_json()
        assert task["context"]["listing"]["ground_label"] == GROUNDS[ground]
        assert task["context"]["facts"] == "经查实，该服务商存在上述情形。"
        complete(provider, instance_id, "submit_statement", {"waive": True})
    else:
        assert provider.get("/tasks").get_json() == []  # a voluntary exit is not argued against
    assert credit_code_of("applicant1") in pool(app)  # nothing happens before the city decides
    complete(city, instance_id, "city_decision", {"decision": "approve", "opinion": "情形属实，予以出库"})

    body = case(city, instance_id)
    assert (body["status"], body["outcome"]) == ("completed", "removed")
    assert GROUNDS[ground] in body["outcome_reason"] and "予以出库" in body["outcome_reason"]
    assert pool(app) == []
    [notice] = announcements(app)
    assert notice["subject"] == PROVIDER and PROVIDER in notice["title"]
    assert GROUNDS[ground] in notice["body"] and credit_code_of("applicant1") in notice["body"]
    assert notice["ends_at"] is None
    with app.app_context():
        [entry] = PoolEntry.query.all()  # marked, never deleted
        assert entry.removal_ground == ground and entry.removed_at is not None


def test_statement_is_shown_to_the_city_before_it_decides(app, as_user):
    admit(app, as_user)
    city, provider = as_user("city"), as_user("applicant1")
    instance_id = start_removal(city, "fraud", facts="申报材料中的在津案例合同系伪造。")["id"]
    task_id = task_for(provider, instance_id, "submit_statement")
    task = provider.get(f"/tasks/{task_id}").get_json()
    assert task["form"]["key"] == "delisting_statement"
    assert task["context"]["statement_period"] == "P15D"
    due = datetime.fromisoformat(task["due_at"]) - datetime.now(UTC)
    assert timedelta(days=14, hours=23) < due <= timedelta(days=15)
    assert city.get("/tasks").get_json() == []  # the city waits for the statement

    response = provider.post(f"/tasks/{task_id}/complete", {"data": {}})
    assert response.status_code == 422 and "statement" in response.get_json()["errors"]
    proof = provider.upload("合同原件扫描.pdf").get_json()["id"]
    complete(provider, instance_id, "submit_statement",
             {"statement": "合同真实有效，附原件扫描件。", "statement_files": [proof]})

    decision = city.get(f"/tasks/{task_for(city, instance_id, 'city_decision')}").get_json()
    assert decision["context"]["statement"] == "合同真实有效，附原件扫描件。"
    assert decision["context"]["statement_files"] == [proof]
    assert decision["context"]["statement_status"] == "submitted"
    assert decision["context"]["facts"] == "申报材料中的在津案例合同系伪造。"
    assert city.get(f"/attachments/{proof}").status_code == 200
    response = city.post(f"/tasks/{decision['id']}/complete", {"data": {"decision": "approve"}})
    assert response.status_code == 422 and "opinion" in response.get_json()["errors"]


def test_statement_period_passes_without_a_statement(app, as_user):
    admit(app, as_user)
    city, provider = as_user("city"), as_user("applicant1")
    instance_id = start_removal(city, "refused_supervision")["id"]
    started = datetime.fromisoformat(case(city, instance_id)["started_at"])
    assert {"submit_statement", "statement_timer"} <= set(case(city, instance_id)["active"])

    assert run_timers(app, started + timedelta(days=14, hours=23)) == 0
    assert task_for(provider, instance_id, "submit_statement")
    assert run_timers(app, started + timedelta(days=15, minutes=1)) == 1
    assert provider.get("/tasks").get_json() == []  # too late now
    body = case(city, instance_id)
    assert "city_decision" in body["active"] and "submit_statement" not in body["active"]
    context = city.get(f"/tasks/{task_for(city, instance_id, 'city_decision')}").get_json()["context"]
    assert context["statement_status"] == "lapsed" and context["statement"] is None
    history = city.get(f"/process-instances/{instance_id}/history").get_json()
    assert any(e["action"] == "timer" and e["element_id"] == "statement_timer" for e in history)
    complete(city, instance_id, "city_decision", {"decision": "approve", "opinion": "期满未申辩，予以出库"})
    assert case(city, instance_id)["outcome"] == "removed" and pool(app) == []


def test_city_decides_to_keep_the_provider(app, as_user):
    admit(app, as_user)
    city, provider = as_user("city"), as_user("applicant1")
    instance_id = start_removal(city, "major_accident")["id"]
    complete(provider, instance_id, "submit_statement", {"statement": "事故责任在第三方，附鉴定报告。"})
    complete(city, instance_id, "city_decision", {"decision": "reject", "opinion": "申辩理由成立，保留在库"})
    body = case(provider, instance_id)  # the provider follows its own case
    assert (body["status"], body["outcome"], body["outcome_reason"]) == ("completed", "kept", "申辩理由成立，保留在库")
    assert pool(app) == [credit_code_of("applicant1")]
    assert announcements(app) == []
    with app.app_context():
        assert PoolEntry.query.one().removed_at is None


def test_city_records_facts_and_evidence_when_started_with_only_a_ground(app, as_user):
    admit(app, as_user)
    city, provider = as_user("city"), as_user("applicant1")
    instance_id = start_removal(city, "violation", facts=None)["id"]
    assert case(city, instance_id)["active"] == ["record_facts"]
    assert provider.get("/tasks").get_json() == []
    task_id = task_for(city, instance_id, "record_facts")
    response = city.post(f"/tasks/{task_id}/complete", {"data": {"facts": "被市场监管部门通报"}})
    assert response.status_code == 422 and "evidence" in response.get_json()["errors"]
    evidence = city.upload("通报文件.pdf").get_json()["id"]
    complete(city, instance_id, "record_facts", {"facts": "2026年被市场监管部门通报批评。", "evidence": [evidence]})
    context = provider.get(f"/tasks/{task_for(provider, instance_id, 'submit_statement')}").get_json()["context"]
    assert context["facts"] == "2026年被市场监管部门通报批评。" and context["evidence"] == [evidence]
    assert provider.get(f"/attachments/{evidence}").status_code == 200  # the provider sees the evidence


def test_evidence_given_at_start_belongs_to_the_case(app, as_user):
    admit(app, as_user)
    city, provider = as_user("city"), as_user("applicant1")
    evidence = city.upload("检查记录.pdf").get_json()["id"]
    stolen = provider.upload("别人的文件.pdf").get_json()["id"]
    response = start_removal(city, "refused_supervision", evidence=[stolen], expect=422)
    assert "evidence" in response["errors"]
    instance_id = start_removal(city, "refused_supervision", evidence=[evidence])["id"]
    assert provider.get(f"/attachments/{evidence}").status_code == 200
    assert task_for(provider, instance_id, "submit_statement")


def test_provider_asks_to_leave_the_pool_itself(app, as_user):
    admit(app, as_user)
    city, provider = as_user("city"), as_user("applicant1")
    response = provider.post("/process-instances", {"process": "provider_delisting",
                                                    "data": {"ground": "voluntary_exit", "facts": "业务调整"}})
    assert response.status_code == 201, response.get_json()
    instance_id = response.get_json()["id"]
    assert response.get_json()["subject"] == PROVIDER
    assert provider.get("/tasks").get_json() == []  # no statement against its own request
    task = city.get(f"/tasks/{task_for(city, instance_id, 'city_decision')}").get_json()
    assert task["context"]["listing"]["started_by"] == "applicant"
    complete(city, instance_id, "city_decision", {"decision": "approve", "opinion": "同意主动退出"})
    assert case(provider, instance_id)["outcome"] == "removed"
    assert pool(app) == [] and GROUNDS["voluntary_exit"] in announcements(app)[0]["body"]


def test_who_may_start_a_removal_and_with_what(app, as_user):
    admit(app, as_user)
    city, provider = as_user("city"), as_user("applicant1")
    before = len(city.get("/process-instances?process=provider_delisting").get_json())
    # A provider may only ask to leave: any other ground is the city's to find.
    for ground in ("fraud", "violation"):
        response = provider.post("/process-instances", {"process": "provider_delisting",
                                                        "data": {"ground": ground, "facts": "x"}})
        assert response.status_code == 403, response.get_json()
    response = provider.post("/process-instances", {"process": "provider_delisting",
                                                    "data": {"ground": "voluntary_exit"}})
    assert response.status_code == 422 and "facts" in response.get_json()["errors"]
    response = provider.post("/process-instances", {"process": "provider_delisting", "organization":
                                                    credit_code_of("applicant2"), "data": {"ground": "voluntary_exit",
                                                                                           "facts": "x"}})
    assert response.status_code == 422  # never for another organisation
    assert as_user("district-hexi").post("/process-instances", {
        "process": "provider_delisting", "organization": credit_code_of("applicant1"),
        "data": {"ground": "fraud", "facts": "x"}}).status_code == 403
    assert as_user("expert1").post("/process-instances", {
        "process": "provider_delisting", "organization": credit_code_of("applicant1"),
        "data": {"ground": "fraud", "facts": "x"}}).status_code == 403
    # The city must name the provider and one of the eight grounds.
    response = start_removal(city, "fraud", organization=None, expect=422)
    assert "organization" in response["errors"]
    response = start_removal(city, "bankruptcy", expect=422)
    assert "ground" in response["errors"]
    response = city.post("/process-instances", {"process": "provider_delisting",
                                                "organization": credit_code_of("applicant1"), "data": {}})
    assert response.status_code == 422 and "ground" in response.get_json()["errors"]
    assert len(city.get("/process-instances?process=provider_delisting").get_json()) == before
    assert pool(app) == [credit_code_of("applicant1")]


def test_a_provider_outside_the_pool_cannot_be_removed(app, as_user):
    city = as_user("city")
    body = start_removal(city, "fraud", organization="applicant2")  # never admitted
    assert (body["status"], body["outcome"]) == ("completed", "not_in_pool")
    assert "天津南开工业互联网有限公司" in body["outcome_reason"]
    applicant2 = as_user("applicant2")
    response = applicant2.post("/process-instances", {"process": "provider_delisting",
                                                      "data": {"ground": "voluntary_exit", "facts": "退出"}})
    assert response.status_code == 201 and response.get_json()["outcome"] == "not_in_pool"
    assert city.get("/tasks").get_json() == [] and applicant2.get("/tasks").get_json() == []


def test_removing_twice_is_refused(app, as_user):
    admit(app, as_user)
    city, provider = as_user("city"), as_user("applicant1")
    first = start_removal(city, "fraud")["id"]
    second = start_removal(city, "violation")["id"]  # started while the first is still open
    for instance_id in (first, second):
        complete(provider, instance_id, "submit_statement", {"waive": True})
    complete(city, first, "city_decision", {"decision": "approve", "opinion": "予以出库"})
    assert case(city, first)["outcome"] == "removed"
    complete(city, second, "city_decision", {"decision": "approve", "opinion": "予以出库"})
    body = case(city, second)
    assert (body["outcome"], "remove_from_pool" in body["completed"]) == ("not_in_pool", True)
    assert "end_already_removed" in body["completed"] and "publish_announcement" not in body["completed"]

    again = start_removal(city, "major_accident")
    assert (again["status"], again["outcome"]) == ("completed", "not_in_pool")
    assert "end_not_in_pool" in again["completed"] and "submit_statement" not in again["completed"]
    assert len(announcements(app)) == 1
    with app.app_context():
        [entry] = PoolEntry.query.all()
        assert entry.removal_ground == "fraud"  # the first removal stands


def test_removed_provider_can_apply_again_in_a_later_round(app, as_user):
    admit(app, as_user, year=2026)
    city = as_user("city")
    instance_id = start_removal(city, "voluntary_exit", facts="申请退出")["id"]
    complete(city, instance_id, "city_decision", {"decision": "approve", "opinion": "同意"})
    assert pool(app) == []
    admit(app, as_user, year=2027)
    assert pool(app) == [credit_code_of("applicant1")]
    with app.app_context():
        entries = PoolEntry.query.order_by(PoolEntry.id).all()
        assert [(e.removal_ground, e.removed_at is None) for e in entries] == [
            ("voluntary_exit", False), (None, True)]
    # ...and the new membership can be removed in its turn.
    body = start_removal(city, "fraud")
    assert body["status"] == "running" and "submit_statement" in body["active"]


def test_another_process_starts_a_removal(app, as_user):
    """Grading (不合格, or no report) starts removal with cases.start: ground and facts, no person."""
    admit(app, as_user)
    with app.app_context():
        from webapp.engine.runtime import start_for
        org = Organization.query.filter_by(credit_code=credit_code_of("applicant1")).one()
        instance = start_for("provider_delisting", org, "case:1",
                             {"ground": "non_cooperation", "facts": "未按要求报送年度服务情况"})
        db.session.commit()
        instance_id = instance.id
        assert Attachment.query.filter_by(instance_id=instance_id).count() == 0
    provider, city = as_user("applicant1"), as_user("city")
    body = case(city, instance_id)
    assert body["data"]["listing"]["started_by"] == "system" and "submit_statement" in body["active"]
    complete(provider, instance_id, "submit_statement", {"statement": "已补报"})
    complete(city, instance_id, "city_decision", {"decision": "approve", "opinion": "予以出库"})
    assert case(city, instance_id)["outcome"] == "removed"
    assert GROUNDS["non_cooperation"] in announcements(app)[0]["body"]
