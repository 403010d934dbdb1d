"""Promotion centers (Art. 3, 9-13): creation and the yearly self-assessment, through the HTTP API as the demo users."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from selection import case, complete, credit_code_of, sheet, task_for

from webapp.engine import forms
from webapp.extensions import db
from webapp.models import Center, CenterAssessment

CENTER_NAME = "天津市汽车零部件行业制造业数字化转型促进中心"
AGREEMENT_MESSAGE = "联合建设协议"


# ---------------------------------------------------------------- steps


def open_round(city, kind="center_creation", year=2026):
    closes = (datetime.now(UTC) + timedelta(days=60)).isoformat()
    response = city.post("/rounds", {"kind": kind, "year": year, "title": f"{year}年度促进中心工作通知",
                                     "closes_at": closes})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def center_application(api, username="applicant1", **changes):
    upload = lambda name="材料.pdf": api.upload(name).get_json()["id"]  # noqa: E731 - one upload per field
    data = {
        "center_name": CENTER_NAME, "contact_name": "张经理", "contact_phone": "13812345678",
        "contact_email": "zhang@example.cn", "industries": "汽车零部件、装备制造",
        "attest_legal_person": True, "attest_good_standing": True, "build_mode": "single",
        "function_resource_integration": "汇聚政产学研用金资源", "function_ecosystem": "供需、产融、产教合作",
        "function_professional_services": "评估咨询、方案开发、改造总包",
        "content_assessment": "年度诊断200家", "content_solutions": "打造货架式方案",
        "content_implementation": "工程总包", "content_matchmaking": "进园区进集群",
        "content_facilities": "共享测试验证平台", "content_data": "建设行业数据集",
        "content_training": "实训基地", "content_policy": "政策标准宣贯",
        "premises_address": "天津市河西区友谊路1号", "premises_area": 1200, "facilities": "测试验证实验室",
        "data_security": "等保三级", "team_total": 45, "industry_specialists": 18, "digital_specialists": 22,
        "management_team": "主要负责人从业15年", "revenue_last_year": 9800, "planned_investment": 3000,
        "operating_model": "市场化运营", "sme_discounts": "中小企业诊断免费、方案八折",
        "business_license": upload(), "truthfulness_pledge": upload(),
    }
    data.update(changes)
    return data


def consortium(api, with_agreement=True, **changes):
    members = [{"member_name": "天津南开工业互联网有限公司", "member_credit_code": credit_code_of("applicant2"),
                "member_type": "enterprise", "responsibilities": "工业互联网平台"},
               {"member_name": "天津某大学", "member_credit_code": credit_code_of("applicant3"),
                "member_type": "university", "responsibilities": "人才培训"}]
    agreement = api.upload("联合建设协议.pdf").get_json()["id"] if with_agreement else None
    return center_application(api, build_mode="consortium", members=members, joint_agreement=agreement, **changes)


def start_application(as_user, username="applicant1", round_id=None):
    round_id = round_id or open_round(as_user("city"))
    applicant = as_user(username)
    response = applicant.post("/process-instances", {"process": "center_creation", "round_id": round_id})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"], applicant


def apply(as_user, username="applicant1", data=None, round_id=None):
    instance_id, applicant = start_application(as_user, username, round_id)
    complete(applicant, instance_id, "submit_application", data or center_application(applicant, username))
    return instance_id, applicant


def recommend(district, instance_id):
    letter = district.upload("推荐意见函.pdf").get_json()["id"]
    complete(district, instance_id, "district_review", {"decision": "approve", "authentic": True, "complete": True,
                                                         "recommendation_letter": letter})


def confirm(as_user, instance_id, experts=()):
    city = as_user("city")
    complete(city, instance_id, "city_review", {"with_experts": bool(experts), "experts": list(experts)})
    for expert in experts:
        complete(as_user(expert), instance_id, "expert_review", sheet("center_expert_review", 86))
    complete(city, instance_id, "city_decision", {"decision": "approve"})


def public_centers(app):
    response = app.test_client().get("/api/v1/public/centers")
    assert response.status_code == 200
    return response.get_json()


def create_center(as_user, username="applicant1", district="district-hexi"):
    instance_id, _ = apply(as_user, username)
    recommend(as_user(district), instance_id)
    confirm(as_user, instance_id)
    return instance_id


def center_rows(app):
    with app.app_context():
        return db.session.query(Center).count()


# ---------------------------------------------------------------- creation


def test_single_entity_center_is_created_and_listed_publicly(app, as_user):
    instance_id, applicant = apply(as_user)
    recommend(as_user("district-hexi"), instance_id)
    assert "city_review" in case(applicant, instance_id)["active"]
    assert public_centers(app) == []
    confirm(as_user, instance_id)

    body = case(applicant, instance_id)
    assert (body["status"], body["outcome"]) == ("completed", "center_confirmed")
    assert "expert_review" not in body["completed"] and "create_center" in body["completed"]
    [center] = public_centers(app)
    assert (center["name"], center["lead_unit"], center["district"], center["build_mode"], center["members"]) == (
        CENTER_NAME, "天津智造数字科技有限公司", "hexi", "single", [])
    assert center["credit_code"] == credit_code_of("applicant1") and center["latest_assessment"] is None
    assert center["industries"] == "汽车零部件、装备制造"
    page = app.test_client().get("/centers")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert CENTER_NAME in html and "单独组建" in html and "河西区" in html and 'href="/centers"' in html


def test_consortium_without_agreement_is_refused_by_the_form(app, as_user):
    instance_id, applicant = start_application(as_user)
    task_id = task_for(applicant, instance_id, "submit_application")
    response = applicant.post(f"/tasks/{task_id}/complete", {"data": consortium(applicant, with_agreement=False)})
    assert response.status_code == 422 and "joint_agreement" in response.get_json()["errors"]
    assert case(applicant, instance_id)["active"] == ["submit_application"]
    assert as_user("district-hexi").get("/tasks").get_json() == []
    assert center_rows(app) == 0


@pytest.fixture
def form_without_agreement_rule(monkeypatch):
    """The application form as a process owner might edit it: the agreement no longer required by the form."""
    original = forms.form_for

    def relaxed(task):
        form = original(task)
        if form.key != "center_application":
            return form
        fields = tuple(replace(f, required_if=None) if f.name == "joint_agreement" else f for f in form.fields)
        return replace(form, fields=fields)

    monkeypatch.setattr(forms, "form_for", relaxed)


def test_consortium_without_agreement_is_sent_back_by_the_diagram(app, as_user, form_without_agreement_rule):
    instance_id, applicant = start_application(as_user)
    complete(applicant, instance_id, "submit_application", consortium(applicant, with_agreement=False))
    body = case(applicant, instance_id)
    assert body["status"] == "running" and body["active"] == ["submit_application"]
    assert "district_review" not in body["completed"]
    task = applicant.get(f"/tasks/{task_for(applicant, instance_id, 'submit_application')}").get_json()
    assert AGREEMENT_MESSAGE in task["context"]["return_opinion"] and "第十二条" in task["context"]["return_opinion"]
    assert as_user("district-hexi").get("/tasks").get_json() == []
    history = applicant.get(f"/process-instances/{instance_id}/history").get_json()
    assert any(e["action"] == "decision" and e["element_id"] == "gw_agreement"
               and e["data"]["to"] == ["退回补交协议"] for e in history)

    complete(applicant, instance_id, "submit_application", consortium(applicant))
    assert case(applicant, instance_id)["active"] == ["district_review"]
    assert center_rows(app) == 0


def test_consortium_without_agreement_ends_incomplete_after_the_return_limit(app, as_user,
                                                                              form_without_agreement_rule):
    instance_id, applicant = start_application(as_user)
    for _ in range(4):
        complete(applicant, instance_id, "submit_application", consortium(applicant, with_agreement=False))
    body = case(applicant, instance_id)
    assert (body["status"], body["outcome"]) == ("completed", "incomplete")
    assert AGREEMENT_MESSAGE in body["outcome_reason"] and "3" in body["outcome_reason"]
    assert center_rows(app) == 0 and public_centers(app) == []


def test_consortium_with_agreement_is_accepted_after_expert_review(app, as_user):
    instance_id, applicant = start_application(as_user)
    complete(applicant, instance_id, "submit_application", consortium(applicant))
    recommend(as_user("district-hexi"), instance_id)
    city = as_user("city")
    response = city.post(f"/tasks/{task_for(city, instance_id, 'city_review')}/complete",
                         {"data": {"with_experts": True}})
    assert response.status_code == 422 and "experts" in response.get_json()["errors"]
    complete(city, instance_id, "city_review", {"with_experts": True, "experts": ["expert1", "expert2"]})
    for expert, score in (("expert1", 80), ("expert2", 90)):
        complete(as_user(expert), instance_id, "expert_review", sheet("center_expert_review", score))
    task = city.get(f"/tasks/{task_for(city, instance_id, 'city_decision')}").get_json()
    assert task["context"]["average_score"] == 85.0
    complete(city, instance_id, "city_decision", {"decision": "approve"})

    assert case(applicant, instance_id)["outcome"] == "center_confirmed"
    [center] = public_centers(app)
    assert center["build_mode"] == "consortium"
    assert [(m["name"], m["type"]) for m in center["members"]] == [
        ("天津南开工业互联网有限公司", "enterprise"), ("天津某大学", "university")]
    html = app.test_client().get("/centers").get_data(as_text=True)
    assert "联合体共建" in html and "天津某大学" in html


def test_district_returns_for_supplementation_and_the_lead_unit_resubmits(app, as_user):
    instance_id, applicant = apply(as_user)
    district = as_user("district-hexi")
    response = district.post(f"/tasks/{task_for(district, instance_id, 'district_review')}/complete",
                             {"data": {"decision": "return"}})
    assert response.status_code == 422 and "opinion" in response.get_json()["errors"]
    complete(district, instance_id, "district_review", {"decision": "return", "opinion": "请补充场所产权证明"})
    task = applicant.get(f"/tasks/{task_for(applicant, instance_id, 'submit_application')}").get_json()
    assert task["context"]["return_opinion"] == "请补充场所产权证明"
    assert task["form"]["key"] == "center_application"
    complete(applicant, instance_id, "submit_application", center_application(applicant, premises_area=1500))
    assert case(applicant, instance_id)["active"] == ["district_review"]
    recommend(district, instance_id)
    assert case(applicant, instance_id)["active"] == ["city_review"]


def test_district_returns_are_bounded(app, as_user):
    instance_id, applicant = apply(as_user)
    district = as_user("district-hexi")
    for _ in range(3):
        complete(district, instance_id, "district_review", {"decision": "return", "opinion": "材料不全"})
        complete(applicant, instance_id, "submit_application", center_application(applicant))
    complete(district, instance_id, "district_review", {"decision": "return", "opinion": "仍然不全"})
    body = case(applicant, instance_id)
    assert (body["status"], body["outcome"]) == ("completed", "not_recommended")
    assert "仍然不全" in body["outcome_reason"]


def test_district_rejects(app, as_user):
    instance_id, applicant = apply(as_user)
    complete(as_user("district-hexi"), instance_id, "district_review",
             {"decision": "reject", "opinion": "无固定经营服务场所"})
    body = case(applicant, instance_id)
    assert (body["status"], body["outcome"], body["outcome_reason"]) == (
        "completed", "not_recommended", "无固定经营服务场所")
    assert as_user("city").get("/tasks").get_json() == []
    assert center_rows(app) == 0


def test_city_rejects(app, as_user):
    instance_id, applicant = apply(as_user)
    recommend(as_user("district-hexi"), instance_id)
    city = as_user("city")
    complete(city, instance_id, "city_review", {"with_experts": False})
    response = city.post(f"/tasks/{task_for(city, instance_id, 'city_decision')}/complete",
                         {"data": {"decision": "reject"}})
    assert response.status_code == 422 and "opinion" in response.get_json()["errors"]
    complete(city, instance_id, "city_decision", {"decision": "reject", "opinion": "运营模式不清晰"})
    body = case(applicant, instance_id)
    assert (body["outcome"], body["outcome_reason"]) == ("rejected", "运营模式不清晰")
    assert public_centers(app) == [] and center_rows(app) == 0


def test_another_district_cannot_see_the_case(app, as_user):
    instance_id, applicant = apply(as_user)
    hexi, nankai = as_user("district-hexi"), as_user("district-nankai")
    task_id = task_for(hexi, instance_id, "district_review")
    assert nankai.get(f"/process-instances/{instance_id}").status_code == 404
    assert nankai.get(f"/process-instances/{instance_id}/history").status_code == 404
    assert nankai.get(f"/tasks/{task_id}").status_code == 404
    refused = nankai.post(f"/tasks/{task_id}/complete", {"data": {"decision": "reject", "opinion": "x"}})
    assert refused.status_code == 404
    assert nankai.get("/tasks").get_json() == [] and nankai.get("/process-instances").get_json() == []
    assert as_user("applicant2").get(f"/process-instances/{instance_id}").status_code == 404
    assert hexi.get(f"/process-instances/{instance_id}").status_code == 200


def test_a_lead_unit_with_a_center_cannot_apply_again(app, as_user):
    create_center(as_user)
    instance_id, applicant = start_application(as_user)
    body = case(applicant, instance_id)
    assert (body["status"], body["outcome"]) == ("completed", "already_center")
    assert CENTER_NAME in body["outcome_reason"]
    assert len(public_centers(app)) == 1


# ---------------------------------------------------------------- self-assessment

INDICATORS = {"enterprises_diagnosed": 120, "solutions_developed": 15, "projects_implemented": 30,
              "matchmaking_events": 8, "shared_facilities": 4, "datasets": 6, "people_trained": 900,
              "policy_events": 12}


def self_assessment(**changes):
    return {**INDICATORS, "operating_revenue": 2600.5, "narrative": "全年诊断企业120家，组织对接活动8场。",
            "typical_cases": [{"client": "天津某汽车零部件有限公司", "content": "产线数字化改造"}], **changes}


def assessment_cases(city):
    return city.get("/process-instances?process=center_self_assessment").get_json()


def test_a_self_assessment_round_starts_one_case_per_center(app, as_user):
    city = as_user("city")
    open_round(city, "center_self_assessment")
    assert assessment_cases(city) == []

    first_round = open_round(city)
    create_center(as_user, "applicant1", "district-hexi")
    instance_id, _ = apply(as_user, "applicant3", round_id=first_round)
    recommend(as_user("district-binhai"), instance_id)
    confirm(as_user, instance_id)
    open_round(city, "center_self_assessment")

    cases = assessment_cases(city)
    assert sorted(c["subject"] for c in cases) == ["天津智造数字科技有限公司", "滨海新区智能制造服务有限公司"]
    assert all(c["active"] == ["submit_self_assessment"] and c["status"] == "running" for c in cases)
    for username in ("applicant1", "applicant3"):
        tasks = as_user(username).get("/tasks").get_json()
        assert [(t["process"], t["element_id"]) for t in tasks] == [
            ("center_self_assessment", "submit_self_assessment")]
    assert as_user("applicant2").get("/tasks").get_json() == []


def test_city_returns_a_self_assessment_once_then_accepts_and_the_center_keeps_it(app, as_user):
    create_center(as_user)
    city, center = as_user("city"), as_user("applicant1")
    open_round(city, "center_self_assessment", year=2026)
    [instance] = assessment_cases(city)
    instance_id = instance["id"]
    task = center.get(f"/tasks/{task_for(center, instance_id, 'submit_self_assessment')}").get_json()
    assert {f["name"] for f in task["form"]["fields"]} >= set(INDICATORS)
    complete(center, instance_id, "submit_self_assessment", self_assessment(datasets=2))

    response = city.post(f"/tasks/{task_for(city, instance_id, 'city_review')}/complete",
                         {"data": {"decision": "return"}})
    assert response.status_code == 422 and "opinion" in response.get_json()["errors"]
    complete(city, instance_id, "city_review", {"decision": "return", "opinion": "数据集数量与佐证不符"})
    task = center.get(f"/tasks/{task_for(center, instance_id, 'submit_self_assessment')}").get_json()
    assert task["context"]["return_opinion"] == "数据集数量与佐证不符"
    assert public_centers(app)[0]["latest_assessment"] is None
    complete(center, instance_id, "submit_self_assessment", self_assessment())
    complete(city, instance_id, "city_review", {"decision": "approve", "opinion": "同意"})

    body = case(city, instance_id)
    assert (body["status"], body["outcome"]) == ("completed", "assessment_accepted")
    latest = public_centers(app)[0]["latest_assessment"]
    assert latest["year"] == 2026
    assert {i["name"]: i["value"] for i in latest["indicators"]} == INDICATORS
    assert {i["name"]: i["label"] for i in latest["indicators"]}["datasets"] == "行业数据集（个）"
    html = app.test_client().get("/centers").get_data(as_text=True)
    assert "2026年度" in html and "评估诊断企业数（家）：120" in html
    with app.app_context():
        [record] = db.session.query(CenterAssessment).all()
        assert (record.year, record.opinion) == (2026, "同意")
        assert record.report["narrative"] == self_assessment()["narrative"]


def test_the_public_entry_shows_the_latest_year_assessed(app, as_user):
    create_center(as_user)
    city, center = as_user("city"), as_user("applicant1")
    for year, diagnosed in ((2027, 150), (2026, 120)):
        open_round(city, "center_self_assessment", year=year)
        instance_id = next(c["id"] for c in assessment_cases(city) if c["status"] == "running")
        complete(center, instance_id, "submit_self_assessment", self_assessment(enterprises_diagnosed=diagnosed))
        complete(city, instance_id, "city_review", {"decision": "approve"})
    latest = public_centers(app)[0]["latest_assessment"]
    assert latest["year"] == 2027
    assert {i["name"]: i["value"] for i in latest["indicators"]}["enterprises_diagnosed"] == 150


def test_a_self_assessment_for_an_organisation_without_a_center_ends_at_once(app, as_user):
    city = as_user("city")
    round_id = open_round(city, "center_self_assessment")
    response = city.post("/process-instances", {"process": "center_self_assessment", "round_id": round_id,
                                                "organization": credit_code_of("applicant2")})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["status"], body["outcome"]) == ("completed", "not_a_center")
    assert as_user("applicant2").get("/tasks").get_json() == []


def test_self_assessment_returns_are_bounded(app, as_user):
    create_center(as_user)
    city, center = as_user("city"), as_user("applicant1")
    open_round(city, "center_self_assessment")
    [instance] = assessment_cases(city)
    for _ in range(3):
        complete(center, instance["id"], "submit_self_assessment", self_assessment())
        complete(city, instance["id"], "city_review", {"decision": "return", "opinion": "佐证不足"})
    complete(center, instance["id"], "submit_self_assessment", self_assessment())
    complete(city, instance["id"], "city_review", {"decision": "return", "opinion": "仍不充分"})
    body = case(city, instance["id"])
    assert (body["status"], body["outcome"]) == ("completed", "assessment_not_accepted")
    assert "仍不充分" in body["outcome_reason"]
    assert public_centers(app)[0]["latest_assessment"] is None
