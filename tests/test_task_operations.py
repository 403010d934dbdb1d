"""转办 委派 抄送 催办 撤回 暂存 through the API, with their refusals; each in the history and told to
whoever it concerns (站内信)."""

from selection import application, apply, complete, open_round, recommend, task_for


def _history(api, instance_id, action):
    return [h for h in api.get(f"/process-instances/{instance_id}/history").get_json() if h["action"] == action]


def _notes(api, kind):
    return [n for n in api.get("/notifications?unread=true").get_json() if n["kind"] == kind]


def test_a_district_task_arrives_for_every_official_of_the_district_and_nobody_else(as_user):
    instance_id, _ = apply(as_user)
    for name in ("district-hexi", "district-hexi2"):
        arrived = _notes(as_user(name), "task")
        assert [n["instance_id"] for n in arrived] == [instance_id]
        assert "区级初审" in arrived[0]["title"] and arrived[0]["task_id"]
    assert _notes(as_user("district-nankai"), "task") == []


def test_transfer_moves_the_task_to_a_colleague_of_the_same_district_only(as_user):
    instance_id, _ = apply(as_user)
    hexi, hexi2 = as_user("district-hexi"), as_user("district-hexi2")
    task_id = task_for(hexi, instance_id, "district_review")
    refused = hexi.post(f"/tasks/{task_id}/transfer", {"to": "district-nankai", "comment": "请办理"})
    assert refused.status_code == 422 and "to" in refused.get_json()["errors"]
    assert as_user("district-nankai").post(f"/tasks/{task_id}/transfer", {"to": "district-hexi2"}).status_code == 404

    moved = hexi.post(f"/tasks/{task_id}/transfer", {"to": "district-hexi2", "comment": "本周由你负责"})
    assert moved.status_code == 200 and moved.get_json()["assignee"] == "district-hexi2"
    assert task_id not in [t["id"] for t in hexi.get("/tasks").get_json()]
    assert hexi.post(f"/tasks/{task_id}/complete", {"data": {"decision": "reject"}}).status_code in (403, 404, 409)
    [note] = _notes(hexi2, "transfer")
    assert "本周由你负责" in note["body"] and note["task_id"] == task_id
    [entry] = _history(hexi2, instance_id, "transfer")
    assert entry["actor"] == "district-hexi" and entry["data"]["to"] == "district-hexi2"
    recommend(hexi2, instance_id)


def test_a_delegate_fills_in_and_the_task_comes_back_to_its_holder_with_the_values(as_user):
    instance_id, _ = apply(as_user)
    hexi, hexi2 = as_user("district-hexi"), as_user("district-hexi2")
    task_id = task_for(hexi, instance_id, "district_review")
    assert hexi.post(f"/tasks/{task_id}/delegate", {"to": "district-hexi2", "comment": "请先核查"}).status_code == 200
    letter = hexi2.upload("推荐函.pdf").get_json()["id"]
    done = hexi2.post(f"/tasks/{task_id}/complete",
                      {"data": {"decision": "approve", "opinion": "核查无误", "recommendation_letter": letter}})
    assert done.status_code == 200
    back = hexi.get(f"/tasks/{task_id}").get_json()
    assert back["state"] == "open" and back["assignee"] == "district-hexi" and back["delegated_by"] is None
    values = {f["name"]: f.get("value") for f in back["form"]["fields"]}
    assert values["opinion"] == "核查无误" and values["decision"] == "approve"
    assert _notes(hexi, "resolve") and _history(hexi, instance_id, "resolve")[0]["actor"] == "district-hexi2"
    assert "district_review" in hexi.get(f"/process-instances/{instance_id}").get_json()["active"]
    complete(hexi, instance_id, "district_review",
             {"decision": "approve", "opinion": "同意推荐", "recommendation_letter": letter})


def test_cc_lets_another_official_read_the_case_and_lists_it_as_copied_to_them(as_user):
    instance_id, _ = apply(as_user)
    hexi, nankai = as_user("district-hexi"), as_user("district-nankai")
    task_id = task_for(hexi, instance_id, "district_review")
    assert nankai.get(f"/process-instances/{instance_id}").status_code == 404
    assert hexi.post(f"/tasks/{task_id}/cc", {"to": ["applicant2"]}).status_code == 422
    assert hexi.post(f"/tasks/{task_id}/cc", {"to": ["district-nankai"], "comment": "供参考"}).status_code == 200
    assert nankai.get(f"/process-instances/{instance_id}").status_code == 200
    [copy] = nankai.get("/tasks?state=cc").get_json()
    assert copy["id"] == task_id and copy["sent_by"] == "district-hexi" and copy["read"] is False
    assert nankai.post(f"/tasks/{task_id}/complete", {"data": {"decision": "reject"}}).status_code in (403, 404)
    assert _notes(nankai, "cc")


def test_urge_by_the_city_and_the_own_district_at_most_once_an_hour(as_user):
    instance_id, _ = apply(as_user)
    hexi, city = as_user("district-hexi"), as_user("city")
    task_id = task_for(hexi, instance_id, "district_review")
    assert as_user("applicant1").post(f"/tasks/{task_id}/urge", {"message": "快点"}).status_code in (403, 404)
    assert as_user("district-nankai").post(f"/tasks/{task_id}/urge", {}).status_code == 404
    assert city.post(f"/tasks/{task_id}/urge", {"message": "请于本周内完成初审"}).status_code == 200
    assert city.post(f"/tasks/{task_id}/urge", {"message": "再催"}).status_code == 429
    for name in ("district-hexi", "district-hexi2"):
        assert "请于本周内完成初审" in _notes(as_user(name), "urge")[0]["body"]
    assert _history(city, instance_id, "urge")[0]["data"]["to"] == ["district-hexi", "district-hexi2"]


def test_the_applicant_withdraws_until_an_official_has_acted(as_user):
    instance_id, applicant = apply(as_user)
    assert as_user("applicant2").post(f"/process-instances/{instance_id}/withdraw", {}).status_code == 404
    assert as_user("district-hexi").post(f"/process-instances/{instance_id}/withdraw", {}).status_code == 403
    gone = applicant.post(f"/process-instances/{instance_id}/withdraw", {"reason": "材料需重新准备"})
    assert gone.status_code == 200 and gone.get_json()["status"] == "terminated"
    assert gone.get_json()["outcome"] == "withdrawn" and gone.get_json()["active"] == []
    assert as_user("district-hexi").get("/tasks").get_json() == []
    assert _notes(as_user("district-hexi2"), "withdraw")
    assert applicant.post(f"/process-instances/{instance_id}/withdraw", {}).status_code == 409

    second, _ = apply(as_user, year=2027)
    recommend(as_user("district-hexi"), second)
    refused = applicant.post(f"/process-instances/{second}/withdraw", {"reason": "不想申报了"})
    assert refused.status_code == 409 and "区级初审" in refused.get_json()["error"]
    history = _history(applicant, instance_id, "withdraw")
    assert history[0]["data"]["reason"] == "材料需重新准备"
    completed = set(applicant.get(f"/process-instances/{instance_id}").get_json()["completed"])
    assert {"withdraw_in_review", "end_withdrawn"} <= completed  # the diagram's path, not a side door


def test_where_the_applicant_may_withdraw_is_the_diagram_s_to_say(as_user):
    """With the boundary event on 区级初审 waiting for another message than withdraw, a submitted application
    can no longer be withdrawn; an end event's status other than completed/terminated is refused at deploy."""
    from test_countersign import SELECTION, deploy
    start = SELECTION.index('<bpmn:boundaryEvent id="withdraw_in_review"')
    end = SELECTION.index("</bpmn:boundaryEvent>", start)
    elsewhere = (SELECTION[:start] + SELECTION[start:end].replace('messageRef="msg_withdraw"', 'messageRef="msg_other"')
             + SELECTION[end:]).replace('<bpmn:message id="msg_withdraw" name="withdraw" />',
                                        '<bpmn:message id="msg_withdraw" name="withdraw" />\n'
                                        '<bpmn:message id="msg_other" name="not_withdraw" />')
    assert deploy(as_user, elsewhere).status_code == 201
    instance_id, applicant = apply(as_user)
    refused = applicant.post(f"/process-instances/{instance_id}/withdraw", {"reason": "不想申报了"})
    assert refused.status_code == 409 and "当前环节不能撤回" in refused.get_json()["error"]
    assert 'id="withdraw-form"' not in applicant.client.get(f"/cases/{instance_id}").get_data(as_text=True)

    bad = SELECTION.replace('name="status" value="&quot;terminated&quot;"', 'name="status" value="&quot;gone&quot;"')
    response = deploy(as_user, bad)
    assert response.status_code == 422
    assert any("status" in f["message"] and f["element_id"] == "end_withdrawn" for f in response.get_json()["findings"])


def test_a_draft_is_kept_for_its_author_alone_and_reopens_the_form(app, as_user):
    city = as_user("city")
    round_id = open_round(city)
    applicant = as_user("applicant1")
    instance_id = applicant.post("/process-instances", {"process": "provider_selection", "round_id": round_id}
                                 ).get_json()["id"]
    task_id = task_for(applicant, instance_id, "submit_application")
    half = {"contact_name": "李工", "staff_total": 88, "revenue_last_year": "not a number"}
    saved = applicant.client.put(f"/api/v1/tasks/{task_id}/draft", json={"data": half}, headers=applicant.headers)
    assert saved.status_code == 200
    assert saved.get_json()["data"] == {"contact_name": "李工", "staff_total": 88}  # the bad number is not kept
    values = {f["name"]: f.get("value") for f in applicant.get(f"/tasks/{task_id}").get_json()["form"]["fields"]}
    assert values["contact_name"] == "李工" and values["staff_total"] == 88
    other = as_user("district-hexi").client.put(f"/api/v1/tasks/{task_id}/draft", json={"data": half},
                                                headers=as_user("district-hexi").headers)
    assert other.status_code in (403, 404)
    complete(applicant, instance_id, "submit_application", application(applicant))
    with app.app_context():  # the completed task's draft is done with: the scheduler's housekeeping removes it
        from webapp.models import TaskDraft
        from webapp.security import housekeeping
        assert TaskDraft.query.filter_by(task_id=task_id).count() == 1
        assert housekeeping.sweep()["drafts"] == 1 and TaskDraft.query.filter_by(task_id=task_id).count() == 0


def test_returned_for_correction_tells_the_applicant(as_user):
    instance_id, applicant = apply(as_user)
    complete(as_user("district-hexi"), instance_id, "district_review", {"decision": "return", "opinion": "补充案例"})
    [note] = _notes(applicant, "returned")
    assert note["instance_id"] == instance_id and "退回补正" in note["title"]
    assert applicant.post(f"/notifications/{note['id']}/read").status_code == 204
    assert _notes(applicant, "returned") == []
    assert as_user("applicant2").post(f"/notifications/{note['id']}/read").status_code == 404


def test_an_official_takes_back_a_step_until_the_next_holder_opens_it(as_user):
    instance_id, _ = apply(as_user)
    hexi, city = as_user("district-hexi"), as_user("city")
    task_id = task_for(hexi, instance_id, "district_review")
    recommend(hexi, instance_id)
    assert city.post(f"/tasks/{task_id}/take-back", {}).status_code in (403, 404, 409)  # not the city's step
    back = hexi.post(f"/tasks/{task_id}/take-back", {"reason": "推荐函附错了"})
    assert back.status_code == 200 and back.get_json()["state"] == "open"
    assert hexi.get(f"/process-instances/{instance_id}").get_json()["active"] == ["district_review"]
    values = {f["name"]: f.get("value") for f in hexi.get(f"/tasks/{task_id}").get_json()["form"]["fields"]}
    assert values["opinion"] == "同意推荐"  # what was submitted is the draft to correct
    assert city.get("/tasks").get_json() == [] and _notes(city, "taken_back")
    assert _history(hexi, instance_id, "take_back")[0]["actor"] == "district-hexi"

    recommend(hexi, instance_id)
    city.get(f"/tasks/{task_for(city, instance_id, 'city_formal_check')}")  # the city opens its task
    refused = hexi.post(f"/tasks/{task_id}/take-back", {})
    assert refused.status_code == 409 and "不能拿回" in refused.get_json()["error"]


def test_a_step_whose_diagram_says_takeBack_False_cannot_be_taken_back(as_user):
    from test_countersign import SELECTION, deploy
    district = '<spiffworkflow:property name="formKey" value="district_review" />'
    final = SELECTION.replace(district, district + '\n<spiffworkflow:property name="takeBack" value="False" />', 1)
    assert deploy(as_user, final.replace('value="False"', 'value="no"')).status_code == 422
    assert deploy(as_user, final).status_code == 201
    instance_id, _ = apply(as_user)
    hexi = as_user("district-hexi")
    task_id = task_for(hexi, instance_id, "district_review")
    recommend(hexi, instance_id)
    assert hexi.post(f"/tasks/{task_id}/take-back", {"reason": "推荐函附错了"}).status_code == 409
