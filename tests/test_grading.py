"""Annual grading (Art. 7) and the removals it starts (Art. 8 (二), (七)), through the HTTP API."""

from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path

import pytest
from selection import admit, apply, case, complete, run_timers, sheet, task_for

from webapp.extensions import db
from webapp.models import Organization, PoolEntry

ROOT = Path(__file__).resolve().parent.parent
BPMN = ROOT / "processes" / "provider_grading.bpmn"
DMN = ROOT / "processes" / "provider_grading.dmn"


def open_grading(city, year=2026, days=30):
    closes = datetime.now(UTC) + timedelta(days=days)
    response = city.post("/rounds", {"kind": "provider_grading", "year": year, "title": f"{year}年度服务商评价",
                                     "closes_at": closes.isoformat()})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def grading_cases(api, round_id):
    return [c for c in api.get("/process-instances?process=provider_grading").get_json()
            if c["round_id"] == round_id]


def removals(api):
    return api.get("/process-instances?process=provider_delisting").get_json()


def report(api):
    return {
        "services_delivered": "为制造企业提供数字化诊断与智能工厂改造", "enterprises_served": 36,
        "tianjin_enterprises_served": 30, "service_revenue": 2300.5,
        "cases": [{"client": "天津某汽车零部件有限公司", "contract_amount": 320, "status": "completed"}],
        "complaints_received": 1, "complaints_handled": 1, "complaint_handling": "已回访整改",
        "report_file": api.upload("年度服务报告.pdf").get_json()["id"], "attest_truthful": True,
    }


def grade(as_user, instance_id, scores):
    """The provider reports, the city assigns one expert per score, each expert scores."""
    applicant, city = as_user("applicant1"), as_user("city")
    complete(applicant, instance_id, "submit_report", report(applicant))
    experts = [f"expert{i + 1}" for i in range(len(scores))]
    complete(city, instance_id, "assign_experts", {"experts": experts})
    for expert, value in zip(experts, scores, strict=True):
        complete(as_user(expert), instance_id, "grading_review",
                 sheet("grading_review", value, opinion="年度服务情况良好"))
    return case(city, instance_id)  # the city reads the scores; the provider does not (readableBy)


def graded_case(app, as_user, scores, year=2026):
    """applicant1 admitted, a grading round opened, graded with `scores`; returns the case."""
    admit(app, as_user)
    round_ = open_grading(as_user("city"), year)
    [instance] = grading_cases(as_user("applicant1"), round_["id"])
    return grade(as_user, instance["id"], scores)


def test_round_starts_one_case_per_active_pool_member(app, as_user):
    admit(app, as_user)
    admit(app, as_user, "applicant2", "nankai")
    apply(as_user, "applicant3")  # applied, not admitted
    with app.app_context():
        gone = Organization(name="已出库服务商有限公司", credit_code="911201010000000001", district="heping")
        db.session.add(gone)
        db.session.flush()
        db.session.add(PoolEntry(organization_id=gone.id, name=gone.name, credit_code=gone.credit_code,
                                 categories=["consulting"], district="heping", removed_at=datetime.now(UTC),
                                 removal_ground="voluntary_exit"))
        db.session.commit()
        districts = {o.name: o.district for o in Organization.query}
    city = as_user("city")
    round_ = open_grading(city)
    cases = grading_cases(city, round_["id"])
    pool = {p["name"] for p in app.test_client().get("/api/v1/public/resource-pool").get_json()}
    assert sorted(c["subject"] for c in cases) == sorted(pool) == sorted(
        ["天津智造数字科技有限公司", "天津南开工业互联网有限公司"])
    for c in cases:
        assert c["status"] == "running" and c["active"] == ["report_overdue", "submit_report"]
        assert c["district"] == districts[c["subject"]]
        assert c["data"]["round_info"]["id"] == round_["id"] and c["data"]["round_info"]["year"] == 2026
    for username in ("applicant1", "applicant2"):
        api = as_user(username)
        [mine] = grading_cases(api, round_["id"])
        assert task_for(api, mine["id"], "submit_report")
        form = api.get(f"/tasks/{task_for(api, mine['id'], 'submit_report')}").get_json()["form"]
        assert form["key"] == "grading_report"
    assert grading_cases(as_user("applicant3"), round_["id"]) == []
    # Only a round starts grading cases: nobody starts one by hand.
    for username in ("applicant1", "city"):
        response = as_user(username).post("/process-instances", {"process": "provider_grading",
                                                                  "round_id": round_["id"]})
        assert response.status_code == 403


@pytest.mark.parametrize(("points", "expected"), [
    (90, "excellent"), (89.99, "good"), (80, "good"), (79.99, "qualified"), (70, "qualified"),
    (69.99, "unqualified"),
])
def test_grade_at_each_band_boundary(app, as_user, points, expected):
    body = graded_case(app, as_user, (points, points))
    assert body["status"] == "completed", body
    assert body["data"]["average_score"] == points and body["data"]["grade"] == expected
    assert body["outcome"] == f"graded_{expected}"
    [entry] = app.test_client().get("/api/v1/public/resource-pool").get_json()
    assert (entry["grade"], entry["grade_year"]) == (expected, 2026)


def test_grade_and_year_are_public_and_the_provider_sees_the_result(app, as_user):
    admit(app, as_user)
    public = app.test_client()
    assert [(p["grade"], p["grade_year"]) for p in public.get("/api/v1/public/resource-pool").get_json()] == [
        (None, None)]
    round_ = open_grading(as_user("city"))
    [instance] = grading_cases(as_user("applicant1"), round_["id"])
    body = grade(as_user, instance["id"], (84, 87))
    assert public.get("/api/v1/public/resource-pool?grade=good").get_json()[0]["grade_year"] == 2026
    [entry] = public.get("/api/v1/public/resource-pool").get_json()
    assert (entry["name"], entry["grade"], entry["grade_year"]) == ("天津智造数字科技有限公司", "good", 2026)
    assert body["outcome"] == "graded_good"
    assert body["outcome_reason"] == "2026年度评价等级：良好（专家平均分 85.50）"
    assert {"decide_grade", "record_grade", "end_graded"} <= set(body["completed"])
    assert sorted(r["score"] for r in body["data"]["expert_reviews"]) == [84.0, 87.0]
    assert as_user("expert3").get(f"/process-instances/{instance['id']}").status_code == 404
    # The report was in on time: the deadline passing changes nothing and starts no removal.
    closes = datetime.fromisoformat(round_["closes_at"])
    assert run_timers(app, closes + timedelta(days=1)) == 0
    assert removals(as_user("city")) == []


def test_unqualified_grade_starts_removal(app, as_user):
    body = graded_case(app, as_user, (60, 65))
    city = as_user("city")
    assert (body["status"], body["outcome"], body["data"]["grade"]) == ("completed", "graded_unqualified",
                                                                         "unqualified")
    [removal] = removals(city)
    assert removal["subject"] == "天津智造数字科技有限公司" and removal["status"] == "running"
    assert removal["data"]["start_data"]["ground"] == "unqualified_grade"
    assert "62.50" in removal["data"]["start_data"]["facts"]
    assert body["data"]["removal_case"]["id"] == removal["id"]
    assert f"案件 {removal['id']}" in body["outcome_reason"] and "不合格" in body["outcome_reason"]
    assert removal["id"] in [c["id"] for c in removals(as_user("applicant1"))]


def test_missed_report_deadline_starts_removal_for_non_cooperation(app, as_user):
    admit(app, as_user)
    applicant, city = as_user("applicant1"), as_user("city")
    round_ = open_grading(city)
    [instance] = grading_cases(applicant, round_["id"])
    report_task = task_for(applicant, instance["id"], "submit_report")
    closes = datetime.fromisoformat(round_["closes_at"])
    assert run_timers(app, closes - timedelta(minutes=1)) == 0
    assert case(applicant, instance["id"])["status"] == "running" and removals(city) == []

    assert run_timers(app, closes + timedelta(seconds=1)) == 1
    body = case(applicant, instance["id"])
    assert (body["status"], body["outcome"]) == ("completed", "report_missing")
    assert "report_overdue" in body["completed"] and "assign_experts" not in body["completed"]
    assert [t for t in applicant.get("/tasks").get_json() if t["instance_id"] == instance["id"]] == []
    [removal] = removals(city)
    assert removal["subject"] == "天津智造数字科技有限公司"
    assert removal["data"]["start_data"]["ground"] == "non_cooperation"
    assert f"案件 {removal['id']}" in body["outcome_reason"]
    late = applicant.post(f"/tasks/{report_task}/complete", {"data": report(applicant)})
    assert late.status_code in (404, 409)
    assert run_timers(app, closes + timedelta(days=1)) == 0


def deploy(api, bpmn, dmn):
    # A table whose bands differ from Art. 7 is a policy change: deployed only when confirmed with a reason.
    data = {"bpmn": (BytesIO(bpmn), "provider_grading.bpmn"), "dmn": (BytesIO(dmn), "provider_grading.dmn"),
            "confirm_policy_change": "true", "reason": "test: a deliberate change of the grade bands"}
    return api.client.post("/api/v1/process-definitions", headers=api.headers, data=data,
                           content_type="multipart/form-data")


def test_changing_the_bands_is_a_dmn_edit_only(app, as_user):
    admit(app, as_user)
    owner, city, applicant = as_user("owner"), as_user("city"), as_user("applicant1")
    round_2026 = open_grading(city, 2026)
    [running] = grading_cases(applicant, round_2026["id"])

    stricter = DMN.read_text(encoding="utf-8").replace("<text>&gt;= 90</text>", "<text>&gt;= 95</text>").replace(
        "<text>80 &lt;= ? &lt; 90</text>", "<text>80 &lt;= ? &lt; 95</text>")
    assert stricter != DMN.read_text(encoding="utf-8")
    response = deploy(owner, BPMN.read_bytes(), stricter.encode())
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["version"] == 2
    xml = [owner.get(f"/process-definitions/provider_grading/xml?version={v}").get_data() for v in (1, 2)]
    assert xml[0] == xml[1] == BPMN.read_bytes()  # the diagram is untouched; only the table changed

    round_2027 = open_grading(city, 2027)
    [instance] = grading_cases(applicant, round_2027["id"])
    body = grade(as_user, instance["id"], (92, 92))
    assert (body["version"], body["data"]["grade"], body["outcome"]) == (2, "good", "graded_good")
    [entry] = app.test_client().get("/api/v1/public/resource-pool").get_json()
    assert (entry["grade"], entry["grade_year"]) == ("good", 2027)

    # The case started before the change keeps the table it started with (Art. 16); finishing
    # late, its 2026 grade does not replace the 2027 one on the public pool.
    body = grade(as_user, running["id"], (92, 92))
    assert (body["version"], body["data"]["grade"], body["outcome"]) == (1, "excellent", "graded_excellent")
    assert body["data"]["graded"]["recorded"] is False
    [entry] = app.test_client().get("/api/v1/public/resource-pool").get_json()
    assert (entry["grade"], entry["grade_year"]) == ("good", 2027)


def test_a_table_that_emits_an_unknown_grade_stops_the_case(app, as_user):
    broken = DMN.read_text(encoding="utf-8").replace('"good"', '"very_good"')
    assert deploy(as_user("owner"), BPMN.read_bytes(), broken.encode()).status_code == 201
    admit(app, as_user)
    round_ = open_grading(as_user("city"))
    [instance] = grading_cases(as_user("applicant1"), round_["id"])
    applicant, city = as_user("applicant1"), as_user("city")
    complete(applicant, instance["id"], "submit_report", report(applicant))
    complete(city, instance["id"], "assign_experts", {"experts": ["expert1"]})
    response = as_user("expert1").post(f"/tasks/{task_for(as_user('expert1'), instance['id'], 'grading_review')}"
                                       "/complete", {"data": sheet("grading_review", 85)})
    assert response.status_code == 422 and "very_good" in response.get_json()["error"]
    [entry] = app.test_client().get("/api/v1/public/resource-pool").get_json()
    assert entry["grade"] is None


def test_an_extended_round_moves_the_report_deadline_and_its_timer(app, as_user):
    """The city extends the grading round: the report is due at the new closing, and 报告逾期 does not fire
    at the old one (no removal for a provider still within its time)."""
    admit(app, as_user)
    applicant, city = as_user("applicant1"), as_user("city")
    round_ = open_grading(city)
    [instance] = grading_cases(applicant, round_["id"])
    closes = datetime.fromisoformat(round_["closes_at"])
    later = (closes + timedelta(days=10)).replace(microsecond=0)
    changed = city.client.patch(f"/api/v1/rounds/{round_['id']}", headers=city.headers,
                                json={"closes_at": later.isoformat()})
    assert changed.status_code == 200, changed.get_json()

    assert run_timers(app, closes + timedelta(days=1)) == 0
    assert case(applicant, instance["id"])["status"] == "running" and removals(city) == []
    assert case(city, instance["id"])["data"]["round_info"]["closes_at"] == later.isoformat()
    assert run_timers(app, later + timedelta(seconds=1)) == 1
    assert case(applicant, instance["id"])["outcome"] == "report_missing"
