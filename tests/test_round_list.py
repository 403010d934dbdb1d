"""A round's list (拟入库名单, Art. 6 (三)) published as one notice: two units, each with category, district and
credit code; the period as dates; an objection names its unit and only that unit's case waits for it; the
objector follows it by its 受理编号."""

from datetime import datetime, timedelta

from selection import (
    application,
    assign_experts,
    case,
    complete,
    credit_code_of,
    open_round,
    recommend,
    run_timers,
    score,
    task_for,
)

from webapp.demo import APPLICANTS


def listed(as_user, round_id, username):
    """A case of `username` in the round, taken through to the city's decision to list it."""
    applicant = as_user(username)
    instance_id = applicant.post("/process-instances", {"process": "provider_selection", "round_id": round_id}
                                 ).get_json()["id"]
    district = next(a[2] for a in APPLICANTS if a[0] == username)
    complete(applicant, instance_id, "submit_application", application(applicant, username, district=district))
    recommend(as_user(f"district-{district}"), instance_id)
    assign_experts(as_user("city"), instance_id)
    score(as_user, instance_id)
    complete(as_user("city"), instance_id, "city_decision", {"decision": "approve", "opinion": "列入初选名单"})
    return instance_id


def test_the_city_publishes_two_units_as_one_notice_and_an_objection_holds_only_its_unit(app, as_user):
    city, public = as_user("city"), app.test_client()
    round_id = open_round(city)
    first, second = listed(as_user, round_id, "applicant1"), listed(as_user, round_id, "applicant2")
    assert public.get("/api/v1/public/notices").get_json() == []  # nothing is public before the city publishes
    assert case(city, first)["active"] == ["list_published"]

    draft = city.get(f"/rounds/{round_id}/list").get_json()
    assert [(u["name"], u["credit_code"], u["district"], u["categories"]) for u in draft["units"]] == [
        ("天津智造数字科技有限公司", credit_code_of("applicant1"), "河西区", "咨询、评测"),
        ("天津南开工业互联网有限公司", credit_code_of("applicant2"), "南开区", "咨询、评测")]
    parts = draft["notice"]["parts"]
    assert parts["title"] == "关于2026年度天津市制造业数字化转型服务商拟入库名单的公示"
    assert "2家单位" in parts["body"] and "实名" in parts["body"] and "事实依据" in parts["body"]
    assert parts["issuer"] == "天津市工业和信息化局" and parts["supervision_phone"]
    assert as_user("applicant1").get(f"/rounds/{round_id}/list").status_code == 403
    assert as_user("owner").post(f"/rounds/{round_id}/list").status_code == 403  # the city publishes

    response = city.post(f"/rounds/{round_id}/list")
    assert response.status_code == 201, response.get_json()
    notice = response.get_json()
    assert notice["subjects"] == ["天津智造数字科技有限公司", "天津南开工业互联网有限公司"]
    assert [n["id"] for n in public.get("/api/v1/public/notices").get_json()] == [notice["id"]]
    assert f"至{datetime.fromisoformat(notice['ends_at']).astimezone().year}年" in notice["body"]
    assert city.post(f"/rounds/{round_id}/list").status_code == 409  # nothing left to publish
    assert {"notice_timer", "upheld_in_notice"} <= set(case(city, first)["active"])

    url = f"/api/v1/public/notices/{notice['id']}/objections"
    objection = {"name": "李四", "contact": "13900000000", "content": "该企业案例材料存疑"}
    refused = public.post(url, json=objection)  # which unit? the list names two
    assert refused.status_code == 422 and "unit" in refused.get_json()["errors"]
    filed = public.post(url, json={**objection, "unit": credit_code_of("applicant2")})
    assert filed.status_code == 201, filed.get_json()
    receipt = filed.get_json()["receipt"]
    assert receipt.startswith("YY-")
    status = public.get(f"/api/v1/public/objections/{receipt}").get_json()
    assert (status["status"], status["outcome"]) == ("pending", None) and "contact" not in status
    assert public.get("/api/v1/public/objections/YY-00000000-NOPE").status_code == 404

    # Only the unit named waits for the verification; the verifier sees who objected and how to reach them.
    assert [t["instance_id"] for t in city.get("/tasks").get_json() if t["element_id"] == "verify_objection"] \
        == [second]
    task = city.get(f"/tasks/{task_for(city, second, 'verify_objection')}").get_json()
    assert (task["context"]["objection"]["name"], task["context"]["objection"]["contact"]) == ("李四", "13900000000")
    assert "objection" not in case(as_user("applicant2"), second)["data"]  # the unit concerned does not

    assert run_timers(app, datetime.fromisoformat(notice["ends_at"]) + timedelta(seconds=2)) == 2
    assert (case(city, first)["status"], case(city, first)["outcome"]) == ("completed", "admitted")
    assert case(city, second)["status"] == "running"  # waits for its objection's verification
    complete(city, second, "verify_objection", {"decision": "dismissed", "opinion": "经核实，案例真实有效"})
    assert case(city, second)["outcome"] == "admitted"
    status = public.get(f"/api/v1/public/objections/{receipt.lower()}").get_json()
    assert (status["status"], status["outcome"]) == ("dismissed", "经核实，案例真实有效")
