"""Provider selection (Art. 5-6) end to end through the HTTP API, as the demo users."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from selection import (
    admit,
    apply,
    assign_experts,
    case,
    complete,
    recommend,
    run_timers,
    score,
    sheet,
    task_for,
    to_notice,
)
from web import Session

from webapp.extensions import db
from webapp.models import AuditEvent, HumanTask, PoolEntry, ProcessInstance

CHINA = ZoneInfo("Asia/Shanghai")


def test_happy_path_to_admission_after_seven_days(app, as_user):
    instance_id, applicant, notice = to_notice(as_user)
    started, ends = datetime.fromisoformat(notice["starts_at"]), datetime.fromisoformat(notice["ends_at"])
    # The period runs from the day after publication to the end of its 7th day, China time (as dates).
    assert (ends.astimezone(CHINA).date() - started.astimezone(CHINA).date()).days == 7
    assert ends.astimezone(CHINA).time() == time(23, 59, 59)
    assert notice["open"] and notice["kind"] == "selection_notice"
    body = case(applicant, instance_id)
    assert {"notice_timer", "upheld_in_notice"} <= set(body["active"])
    assert not {"average_score", "expert_reviews", "experts"} & set(body["data"])  # not the applicant's to read
    assert case(as_user("city"), instance_id)["data"]["average_score"] == 90.0

    assert run_timers(app, ends - timedelta(seconds=2)) == 0
    assert case(applicant, instance_id)["status"] == "running"
    assert app.test_client().get("/api/v1/public/notices").get_json()[0]["open"] is True
    assert app.test_client().get("/api/v1/public/resource-pool").get_json() == []

    assert run_timers(app, ends + timedelta(seconds=2)) == 1
    body = case(applicant, instance_id)
    assert body["status"] == "completed" and body["outcome"] == "admitted"
    assert {"admit_to_pool", "end_admitted", "expert_review"} <= set(body["completed"])
    assert body["active"] == []
    pool = app.test_client().get("/api/v1/public/resource-pool").get_json()
    assert [(p["name"], p["categories"], p["district"]) for p in pool] == [
        ("天津智造数字科技有限公司", ["consulting", "testing"], "hexi")]
    assert run_timers(app, ends + timedelta(days=1)) == 0  # idempotent
    with app.app_context():  # the finished case keeps data and history; the engine's working state is gone
        finished = db.session.get(ProcessInstance, instance_id)
        assert finished.state == {} and finished.data["average_score"] == 90.0
    html = Session(app, "city").text(f"/cases/{instance_id}")
    assert "end_admitted" in html and "纳入资源池" in html  # its page still draws the path and the history

    history = applicant.get(f"/process-instances/{instance_id}/history").get_json()
    actions = [e["action"] for e in history]
    assert actions[0] == "start" and actions.count("complete") == 6 and "timer" in actions and actions[-1] == "end"
    decisions = {e["element_id"]: e["data"]["to"] for e in history if e["action"] == "decision"}
    assert decisions["gw_district"] == ["形式审查并指派专家"] and decisions["gw_pending"] == ["纳入资源池"]
    completion = next(e for e in history if e["action"] == "complete" and e["element_id"] == "district_review")
    assert (completion["actor"], completion["data"]["decision"]) == ("district-hexi", "approve")
    # the timer's step: its service calls, then the timer, the decision it led to and the end, in that order
    last_step = [(e["action"], e["name"] if e["action"] == "service" else e["element_id"]) for e in history][-7:]
    assert last_step == [("service", "objections.pending"), ("service", "pool.admit"), ("timer", "notice_timer"),
                         ("decision", "gw_notice"), ("decision", "gw_pending"), ("decision", "gw_admitted"),
                         ("end", "end_admitted")]
    admission = next(e for e in history if e["action"] == "service" and e["name"] == "pool.admit")
    with app.app_context():
        assert admission["data"]["result"]["id"] == PoolEntry.query.filter_by(instance_id=instance_id).one().id


def test_return_for_supplementation_and_resubmission(app, as_user):
    instance_id, applicant = apply(as_user)
    district = as_user("district-hexi")
    complete(district, instance_id, "district_review", {"decision": "return", "opinion": "请补充近两年审计报告"})
    task_id = task_for(applicant, instance_id, "submit_application")
    task = applicant.get(f"/tasks/{task_id}").get_json()
    assert task["context"]["return_opinion"] == "请补充近两年审计报告"
    assert task["form"]["key"] == "provider_application"
    from selection import application
    complete(applicant, instance_id, "submit_application",
             application(applicant, audit_reports=[applicant.upload("审计报告.pdf").get_json()["id"]]))
    recommend(district, instance_id)
    assert "city_formal_check" in case(applicant, instance_id)["active"]


def test_return_needs_opinion_and_is_bounded(app, as_user):
    instance_id, applicant = apply(as_user)
    district = as_user("district-hexi")
    response = district.post(f"/tasks/{task_for(district, instance_id, 'district_review')}/complete",
                             {"data": {"decision": "return"}})
    assert response.status_code == 422 and "opinion" in response.get_json()["errors"]
    from selection import application
    for _ in range(3):
        complete(district, instance_id, "district_review", {"decision": "return", "opinion": "材料不全"})
        complete(applicant, instance_id, "submit_application", application(applicant))
    complete(district, instance_id, "district_review", {"decision": "return", "opinion": "仍然不全"})
    body = case(applicant, instance_id)
    assert body["status"] == "completed" and body["outcome"] == "not_recommended"
    assert "3" in body["outcome_reason"] and "仍然不全" in body["outcome_reason"]


def test_rejected_by_district(app, as_user):
    instance_id, applicant = apply(as_user)
    complete(as_user("district-hexi"), instance_id, "district_review",
             {"decision": "reject", "opinion": "不具备在津固定办公场所"})
    body = case(applicant, instance_id)
    assert (body["status"], body["outcome"], body["outcome_reason"]) == (
        "completed", "not_recommended", "不具备在津固定办公场所")
    assert applicant.get("/tasks").get_json() == []


def test_rejected_by_city_after_expert_review(app, as_user):
    instance_id, applicant = apply(as_user)
    recommend(as_user("district-hexi"), instance_id)
    city = as_user("city")
    assign_experts(city, instance_id)
    score(as_user, instance_id, (("expert1", 55), ("expert2", 61)))
    task = city.get(f"/tasks/{task_for(city, instance_id, 'city_decision')}").get_json()
    assert task["context"]["average_score"] == 58.0
    assert sorted(r["score"] for r in task["context"]["expert_reviews"]) == [55.0, 61.0]
    complete(city, instance_id, "city_decision", {"decision": "reject", "opinion": "专家评分未达要求"})
    body = case(applicant, instance_id)
    assert (body["outcome"], body["outcome_reason"]) == ("rejected", "专家评分未达要求")
    assert app.test_client().get("/api/v1/public/notices").get_json() == []


def test_objection_upheld_ends_case_not_admitted(app, as_user):
    instance_id, applicant, notice = to_notice(as_user)
    public = app.test_client()
    response = public.post(f"/api/v1/public/notices/{notice['id']}/objections",
                           json={"name": "李四", "contact": "13900000000", "content": "该企业案例材料造假"})
    assert response.status_code == 201, response.get_json()
    city = as_user("city")
    task = city.get(f"/tasks/{task_for(city, instance_id, 'verify_objection')}").get_json()
    assert task["context"]["objection"]["content"] == "该企业案例材料造假"
    complete(city, instance_id, "verify_objection", {"decision": "upheld", "opinion": "经核实案例材料不实"})
    body = case(applicant, instance_id)
    assert (body["status"], body["outcome"]) == ("completed", "not_admitted")
    assert public.get("/api/v1/public/resource-pool").get_json() == []
    assert public.get("/api/v1/public/notices").get_json()[0]["open"] is False
    closed = public.post(f"/api/v1/public/notices/{notice['id']}/objections",
                         json={"name": "王五", "contact": "1390000", "content": "再次异议"})
    assert closed.status_code == 409
    with app.app_context():
        assert db.session.query(HumanTask).filter_by(instance_id=instance_id, state="open").count() == 0


def test_objection_dismissed_then_admitted_only_after_verification(app, as_user):
    instance_id, applicant, notice = to_notice(as_user)
    public = app.test_client()
    assert public.post(f"/api/v1/public/notices/{notice['id']}/objections",
                       json={"name": "李四", "contact": "13900000000", "content": "存疑"}).status_code == 201
    end = datetime.fromisoformat(notice["ends_at"])
    # The period passes while the objection is still being verified: no admission yet.
    assert run_timers(app, end + timedelta(seconds=1)) == 1
    body = case(applicant, instance_id)
    assert body["status"] == "running" and "wait_settled" in body["active"]
    complete(as_user("city"), instance_id, "verify_objection", {"decision": "dismissed", "opinion": "异议不成立"})
    body = case(applicant, instance_id)
    assert (body["status"], body["outcome"]) == ("completed", "admitted")
    assert len(public.get("/api/v1/public/resource-pool").get_json()) == 1


def test_other_district_and_unassigned_expert_see_nothing(app, as_user):
    instance_id, applicant = apply(as_user)
    attachment_id = applicant.get(f"/process-instances/{instance_id}").get_json()["data"]["business_license"]
    nankai, hexi = as_user("district-nankai"), as_user("district-hexi")
    task_id = task_for(hexi, instance_id, "district_review")
    assert nankai.get(f"/process-instances/{instance_id}").status_code == 404
    assert nankai.get(f"/process-instances/{instance_id}/history").status_code == 404
    assert nankai.get(f"/tasks/{task_id}").status_code == 404
    assert nankai.post(f"/tasks/{task_id}/complete", {"data": {"decision": "approve"}}).status_code == 404
    assert nankai.post(f"/tasks/{task_id}/claim").status_code == 404
    assert nankai.get(f"/attachments/{attachment_id}").status_code == 404
    assert nankai.get("/tasks").get_json() == [] and nankai.get("/process-instances").get_json() == []
    assert hexi.get(f"/attachments/{attachment_id}").status_code == 200
    assert as_user("applicant2").get(f"/process-instances/{instance_id}").status_code == 404

    recommend(hexi, instance_id)
    assign_experts(as_user("city"), instance_id)
    outsider = as_user("expert3")
    assert outsider.get(f"/process-instances/{instance_id}").status_code == 404
    assert outsider.get("/tasks").get_json() == []
    expert1_task = task_for(as_user("expert1"), instance_id, "expert_review")
    assert outsider.get(f"/tasks/{expert1_task}").status_code == 404
    assert outsider.post(f"/tasks/{expert1_task}/complete",
                         {"data": sheet("expert_review", 99)}).status_code == 404
    assert as_user("expert1").get(f"/process-instances/{instance_id}").status_code == 200


def test_claim_blocks_other_officials(app, as_user):
    instance_id, _ = apply(as_user)
    recommend(as_user("district-hexi"), instance_id)
    city = as_user("city")
    task_id = task_for(city, instance_id, "city_formal_check")
    assert city.post(f"/tasks/{task_id}/claim").get_json()["claimed_by"] == "city"
    city2 = as_user("city2")  # the demo's second city official
    assert city2.post(f"/tasks/{task_id}/claim").status_code == 409
    assert city2.post(f"/tasks/{task_id}/complete",
                      {"data": {"decision": "approve", "experts": ["expert1"]}}).status_code == 409
    assert city.post(f"/tasks/{task_id}/unclaim").status_code == 200
    assert city2.post(f"/tasks/{task_id}/claim").status_code == 200


def test_invalid_input_is_refused_and_changes_nothing(app, as_user):
    from selection import application, open_round
    round_id = open_round(as_user("city"))
    applicant = as_user("applicant1")
    instance_id = applicant.post("/process-instances", {"process": "provider_selection",
                                                        "round_id": round_id}).get_json()["id"]
    task_id = task_for(applicant, instance_id, "submit_application")
    with app.app_context():
        events_before = db.session.query(AuditEvent).filter(AuditEvent.result.is_(None)).count()
    bad_code = application(applicant, credit_code="91120103MA05K8XQ1X")
    response = applicant.post(f"/tasks/{task_id}/complete", {"data": bad_code})
    assert response.status_code == 422 and "credit_code" in response.get_json()["errors"]
    missing = application(applicant)
    del missing["business_license"]
    response = applicant.post(f"/tasks/{task_id}/complete", {"data": missing})
    assert response.status_code == 422 and "business_license" in response.get_json()["errors"]
    stolen = application(applicant, business_license=as_user("applicant2").upload().get_json()["id"])
    assert applicant.post(f"/tasks/{task_id}/complete", {"data": stolen}).status_code == 422
    comprehensive = application(applicant, category="comprehensive", other_categories=["testing", "rnd"])
    response = applicant.post(f"/tasks/{task_id}/complete", {"data": comprehensive})
    assert response.status_code == 422 and "other_categories" in response.get_json()["errors"]
    for body in ("not json", [1, 2], {"data": "x"}):
        kwargs = {"data": body, "content_type": "application/json"} if isinstance(body, str) else {"json": body}
        response = applicant.client.post(f"/api/v1/tasks/{task_id}/complete", headers=applicant.headers, **kwargs)
        assert response.status_code == 400
    body = case(applicant, instance_id)
    assert body["active"] == ["submit_application"]
    with app.app_context():
        assert db.session.query(AuditEvent).filter(AuditEvent.result.is_(None)).count() == events_before
        assert db.session.get(HumanTask, task_id).state == "open"
        assert db.session.query(PoolEntry).count() == 0


def test_start_needs_open_round_and_applicant_role(app, as_user):
    applicant = as_user("applicant1")
    response = applicant.post("/process-instances", {"process": "provider_selection"})
    assert response.status_code == 422
    assert as_user("city").post("/process-instances", {"process": "provider_selection"}).status_code == 403
    assert applicant.post("/process-instances", {"process": "nope"}).status_code == 404
    from selection import open_round
    round_id = open_round(as_user("city"))
    assert applicant.post("/process-instances", {"process": "provider_selection",
                                                 "round_id": round_id}).status_code == 201
    second = applicant.post("/process-instances", {"process": "provider_selection", "round_id": round_id})
    assert second.status_code == 409


def test_objection_on_one_case_does_not_rewire_the_next(app, as_user):
    """Cases share the version's parsed spec; an event subprocess triggered in one must not show up in another."""
    first, _, notice = to_notice(as_user)
    public = app.test_client()
    assert public.post(f"/api/v1/public/notices/{notice['id']}/objections",
                       json={"name": "李四", "contact": "13900000000", "content": "存疑"}).status_code == 201
    second = admit(app, as_user, "applicant2", "nankai", year=2027)
    city = as_user("city")
    assert "verify_objection" not in city.get(f"/process-instances/{second}").get_json()["completed"]
    complete(city, first, "verify_objection", {"decision": "dismissed", "opinion": "异议不成立"})
    assert case(city, first)["outcome"] == "admitted"
