"""专家库 and 回避: an expert of the applicant's own unit, district or a declared relation cannot be assigned;
the random draw picks from the eligible ones only, with its seed in the history so it can be repeated."""

import random

from selection import apply, case, complete, credit_code_of, recommend, sheet, task_for
from web import Session, csrf_token

from webapp.extensions import db
from webapp.models import User


def _set(app, username, **fields):
    with app.app_context():
        user = User.query.filter_by(username=username).one()
        for key, value in fields.items():
            setattr(user, key, value)
        db.session.commit()


def _to_assignment(as_user):
    instance_id, _ = apply(as_user)  # applicant1, 河西区
    recommend(as_user("district-hexi"), instance_id)
    return instance_id


def test_experts_who_must_stand_aside_are_refused_with_the_reason(app, as_user):
    _set(app, "expert3", district="hexi")
    _set(app, "expert4", related_codes=[credit_code_of("applicant1")])
    _set(app, "expert5", unit="天津智造数字科技有限公司")  # applicant1's own name
    instance_id = _to_assignment(as_user)
    city = as_user("city")
    for expert, reason in (("expert3", "同区"), ("expert4", "关联"), ("expert5", "同一单位")):
        refused = complete(city, instance_id, "city_formal_check", {"decision": "approve", "experts": [expert]},
                           expect=422)
        assert expert in refused["errors"]["experts"][0] and reason in refused["errors"]["experts"][0]
    complete(city, instance_id, "city_formal_check", {"decision": "approve", "experts": ["expert1"]})


def test_the_draw_picks_eligible_experts_and_records_a_seed_that_repeats_it(app, as_user):
    _set(app, "expert2", district="hexi")
    instance_id = _to_assignment(as_user)
    city = as_user("city")
    task_id = task_for(city, instance_id, "city_formal_check")
    drawn = city.post(f"/tasks/{task_id}/draw")
    assert drawn.status_code == 200
    experts, seed = drawn.get_json()["experts"], drawn.get_json()["seed"]
    assert len(experts) == 1 and "expert2" not in experts
    [entry] = [h for h in city.get(f"/process-instances/{instance_id}/history").get_json() if h["action"] == "draw"]
    assert entry["data"]["seed"] == seed and "expert2" not in entry["data"]["eligible"]
    assert sorted(random.Random(seed).sample(entry["data"]["eligible"], entry["data"]["count"])) == experts
    field = next(f for f in city.get(f"/tasks/{task_id}").get_json()["form"]["fields"] if f["name"] == "experts")
    assert field["value"] == experts  # the draw is the city's draft; it completes the assignment as usual
    complete(city, instance_id, "city_formal_check", {"decision": "approve", "experts": experts})
    assert as_user("district-hexi").post(f"/tasks/{task_id}/draw").status_code in (403, 404, 409)


def test_the_draw_says_when_too_few_experts_are_eligible(app, as_user):
    for n in range(1, 6):
        _set(app, f"expert{n}", district="hexi")
    instance_id = _to_assignment(as_user)
    city = as_user("city")
    refused = city.post(f"/tasks/{task_for(city, instance_id, 'city_formal_check')}/draw")
    assert refused.status_code == 409 and "可抽取的专家只有 0 名" in refused.get_json()["error"]


def test_the_city_keeps_the_expert_pool_on_its_page(app):
    city = Session(app, "city")
    page = city.text("/experts/expert1")
    saved = city.client.post("/experts/expert1", follow_redirects=True, data={
        "unit": "南开大学", "district": "nankai", "expertise": ["consulting"],
        "related_codes": credit_code_of("applicant2"), "csrf_token": csrf_token(page)})
    assert "已保存专家信息" in saved.get_data(as_text=True)
    listing = city.text("/experts/")
    assert "南开大学" in listing and "南开区" in listing
    bad = city.client.post("/experts/expert1", data={"related_codes": "not-a-code", "csrf_token": csrf_token(page)})
    assert "统一社会信用代码无效" in bad.get_data(as_text=True)
    assert Session(app, "district-hexi").get("/experts/").status_code == 403
    with app.app_context():
        assert User.query.filter_by(username="expert1").one().related_codes == [credit_code_of("applicant2")]


def test_the_draw_in_the_history_is_the_citys_to_read(app, as_user):
    instance_id = _to_assignment(as_user)
    city = as_user("city")
    city.post(f"/tasks/{task_for(city, instance_id, 'city_formal_check')}/draw")
    for username, sees in (("city", True), ("applicant1", False), ("district-hexi", False)):
        entries = [h for h in as_user(username).get(f"/process-instances/{instance_id}/history").get_json()
                   if h["action"] == "draw"]
        assert all((h["data"] is not None) == sees for h in entries) and (entries or not sees)


def test_the_city_replaces_an_expert_and_the_average_counts_who_really_scored(app, as_user):
    instance_id = _to_assignment(as_user)
    city = as_user("city")
    complete(city, instance_id, "city_formal_check", {"decision": "approve", "experts": ["expert1", "expert2"]})
    task_id = task_for(as_user("expert2"), instance_id, "expert_review")
    outsider = as_user("district-hexi").post(f"/tasks/{task_id}/replace-expert", {"to": "expert3"})
    assert outsider.status_code in (403, 404)
    assert city.post(f"/tasks/{task_id}/replace-expert", {"to": "expert1"}).status_code == 422  # already reviewing
    _set(app, "expert4", district="hexi")
    assert city.post(f"/tasks/{task_id}/replace-expert", {"to": "expert4"}).status_code == 422  # must stand aside
    moved = city.post(f"/tasks/{task_id}/replace-expert", {"to": "expert3", "comment": "原专家出差"})
    assert moved.status_code == 200 and moved.get_json()["assignee"] == "expert3"
    assert [t for t in as_user("expert2").get("/tasks").get_json() if t["instance_id"] == instance_id] == []
    assert [n for n in as_user("expert2").get("/notifications").get_json() if n["kind"] == "reassigned"]
    complete(as_user("expert1"), instance_id, "expert_review", sheet("expert_review", 80))
    complete(as_user("expert3"), instance_id, "expert_review", sheet("expert_review", 90))
    data = case(city, instance_id)["data"]
    assert sorted(r["expert"] for r in data["expert_reviews"]) == ["expert1", "expert3"]
    assert data["average_score"] == 85
    assert [h for h in city.get(f"/process-instances/{instance_id}/history").get_json()
            if h["action"] == "reassign"][0]["data"]["from"] == "expert2"


def test_the_city_adds_an_expert_to_an_open_review_and_the_average_counts_them(app, as_user):
    instance_id = _to_assignment(as_user)
    city = as_user("city")
    complete(city, instance_id, "city_formal_check", {"decision": "approve", "experts": ["expert1", "expert2"]})
    task_id = task_for(as_user("expert1"), instance_id, "expert_review")
    assert city.post(f"/tasks/{task_id}/add-expert", {"to": "expert2"}).status_code == 422  # already reviewing
    added = city.post(f"/tasks/{task_id}/add-expert", {"to": "expert3", "comment": "增加一名评测专家"})
    assert added.status_code == 200 and added.get_json()["assignee"] == "expert3"
    for expert, score in (("expert1", 80), ("expert2", 90), ("expert3", 70)):
        complete(as_user(expert), instance_id, "expert_review", sheet("expert_review", score))
    data = case(city, instance_id)["data"]
    assert sorted(r["expert"] for r in data["expert_reviews"]) == ["expert1", "expert2", "expert3"]
    assert data["average_score"] == 80
    assert case(city, instance_id)["active"] == ["city_decision"]


def test_the_city_removes_an_expert_and_the_review_goes_on_with_the_others(app, as_user):
    """减签: the removed expert's task is withdrawn and they are told; when the others have scored, the step
    completes and the average counts them alone; the last reviewer (experts_min is 1) cannot be removed."""
    instance_id = _to_assignment(as_user)
    city = as_user("city")
    complete(city, instance_id, "city_formal_check",
             {"decision": "approve", "experts": ["expert1", "expert2", "expert3"]})
    complete(as_user("expert1"), instance_id, "expert_review", sheet("expert_review", 70))
    complete(as_user("expert3"), instance_id, "expert_review", sheet("expert_review", 90))
    second = task_for(as_user("expert2"), instance_id, "expert_review")
    assert as_user("district-hexi").post(f"/tasks/{second}/remove-expert", {}).status_code in (403, 404)
    assert city.post(f"/tasks/{second}/remove-expert", {"comment": "专家临时出差"}).status_code == 200
    assert as_user("expert2").get("/tasks").get_json() == []
    [note] = [n for n in as_user("expert2").get("/notifications").get_json() if n["kind"] == "removed"]
    assert note["instance_id"] == instance_id
    data = case(city, instance_id)["data"]
    assert sorted(r["expert"] for r in data["expert_reviews"]) == ["expert1", "expert3"]
    assert data["average_score"] == 80 and data["experts"] == ["expert1", "expert3"]
    assert case(city, instance_id)["active"] == ["city_decision"]
    history = city.get(f"/process-instances/{instance_id}/history").get_json()
    assert [e["data"]["from"] for e in history if e["action"] == "remove_reviewer"] == ["expert2"]

    alone, _ = apply(as_user, year=2027)
    recommend(as_user("district-hexi"), alone)
    complete(city, alone, "city_formal_check", {"decision": "approve", "experts": ["expert4"]})
    only = task_for(as_user("expert4"), alone, "expert_review")
    refused = city.post(f"/tasks/{only}/remove-expert", {})
    assert refused.status_code == 409 and "至少须有 1 人" in refused.get_json()["error"]
    assert task_for(as_user("expert4"), alone, "expert_review") == only  # nothing of the refusal stayed
