"""A fair and confidential review: each reviewer starts from an empty sheet and sees no other reviewer's
work until all have scored; the applicant and the district never learn who reviewed or how they scored;
the objected provider never reads the objection or who made it. The city sees everything. All of it as
the diagram (readableBy) and the forms (readable_by) declare, on the API, the pages and the history."""

from selection import apply, assign_experts, case, complete, recommend, score, sheet, task_for, to_notice
from web import Session

from webapp import engine
from webapp.extensions import db
from webapp.models import ProcessInstance, User

EXPERT_DATA = {"experts", "expert_reviews", "average_score", "expert", "review"}
OPINION_1 = "专家一的独立意见：案例扎实"


def at_review(as_user):
    """A case whose two experts are assigned; expert1 has scored, expert2 not yet."""
    instance_id, applicant = apply(as_user)
    recommend(as_user("district-hexi"), instance_id)
    assign_experts(as_user("city"), instance_id)
    complete(as_user("expert1"), instance_id, "expert_review", sheet("expert_review", 76, opinion=OPINION_1))
    return instance_id, applicant


def test_the_second_expert_starts_from_an_empty_sheet(app, as_user):
    instance_id, _ = at_review(as_user)
    expert2 = as_user("expert2")
    task_id = task_for(expert2, instance_id, "expert_review")
    task = expert2.get(f"/tasks/{task_id}").get_json()
    assert [f["name"] for f in task["form"]["fields"] if "value" in f] == []  # not expert1's 76.0 and text
    page = Session(app, "expert2").text(f"/tasks/{task_id}")
    assert OPINION_1 not in page and 'value="15.2"' not in page and 'value="76' not in page


def test_a_reviewer_sees_no_other_review_until_all_have_scored(app, as_user):
    instance_id, _ = at_review(as_user)
    expert2 = as_user("expert2")
    for path in (f"/cases/{instance_id}", f"/tasks/{task_for(expert2, instance_id, 'expert_review')}"):
        assert OPINION_1 not in Session(app, "expert2").text(path), path
    history = expert2.get(f"/process-instances/{instance_id}/history").get_json()
    [first] = [e for e in history if e["element_id"] == "expert_review" and e["action"] == "complete"]
    assert first["actor"] is None and first["data"] is None
    assert not {"expert_reviews", "review"} & set(case(expert2, instance_id)["data"])
    assert OPINION_1 in Session(app, "city").text(f"/cases/{instance_id}")  # the city sees it at once
    # expert1 reads its own review, not (yet) anyone else's
    assert OPINION_1 in Session(app, "expert1").text(f"/cases/{instance_id}")

    complete(expert2, instance_id, "expert_review", sheet("expert_review", 90, opinion="专家二的意见"))
    page = Session(app, "expert2").text(f"/cases/{instance_id}")
    assert OPINION_1 in page and "专家二的意见" in page  # all have scored: reviewers may read each other
    assert [r["score"] for r in case(expert2, instance_id)["data"]["expert_reviews"]] == [76.0, 90.0]


def test_the_applicant_and_the_district_never_learn_who_reviewed_or_how(app, as_user):
    instance_id, applicant = at_review(as_user)
    district = as_user("district-hexi")
    for api in (applicant, district):
        assert not EXPERT_DATA & set(case(api, instance_id)["data"])
    page = Session(app, "applicant1").text(f"/cases/{instance_id}")
    assert "当前环节：专家评审打分（评审专家）" in page and "expert2" not in page and OPINION_1 not in page
    complete(as_user("expert2"), instance_id, "expert_review", sheet("expert_review", 90))
    complete(as_user("city"), instance_id, "city_decision", {"decision": "approve", "opinion": "列入初选名单"})
    for api, username in ((applicant, "applicant1"), (district, "district-hexi")):
        body = case(api, instance_id)
        assert not EXPERT_DATA & set(body["data"]), body["data"].keys()
        history = api.get(f"/process-instances/{instance_id}/history").get_json()
        reviews = [e for e in history if e["element_id"] == "expert_review"]
        assert reviews and all(e["actor"] is None and e["data"] is None for e in reviews)
        assert "expert1" not in str(history) and not [k for e in history if isinstance(e["data"], dict)
                                                      for k in e["data"] if k.startswith("score") or k in EXPERT_DATA]
        page = Session(app, username).text(f"/cases/{instance_id}")
        assert "expert1" not in page and OPINION_1 not in page and "列入初选名单" in page
    city = case(as_user("city"), instance_id)["data"]
    assert city["experts"] == ["expert1", "expert2"] and city["average_score"] == 83.0


def test_the_applicants_own_task_context_passes_the_same_reader(app, as_user):
    """What the applicant's form is shown beside it: one Reader, whatever the step's data holds."""
    instance_id, _ = at_review(as_user)
    with app.app_context():
        applicant = User.query.filter_by(username="applicant1").one()
        reader = engine.reader(applicant, db.session.get(ProcessInstance, instance_id))
        context = {"experts": ["expert1"], "expert_reviews": [{"expert": "expert1", "score": 76}],
                   "average_score": 76, "return_opinion": "请补充", "decision": "return"}
        assert reader.data(context) == {"return_opinion": "请补充", "decision": "return"}


def test_the_objected_provider_reads_neither_the_objection_nor_the_objector(app, as_user):
    instance_id, applicant, notice = to_notice(as_user)
    public = app.test_client()
    response = public.post(f"/api/v1/public/notices/{notice['id']}/objections",
                           json={"name": "王某某", "contact": "13900001111", "content": "申报案例系伪造ABC"})
    assert response.status_code == 201
    verifying = Session(app, "city").text(f"/tasks/{task_for(as_user('city'), instance_id, 'verify_objection')}")
    assert "王某某" in verifying and "13900001111" in verifying  # the verifier reaches the objector
    complete(as_user("city"), instance_id, "verify_objection", {"decision": "dismissed", "opinion": "查无实据XYZ"})
    owner = as_user("owner")  # runs the rules, not the cases: the objector is the verifier's alone
    for text in (str(case(applicant, instance_id)["data"]),
                 str(applicant.get(f"/process-instances/{instance_id}/history").get_json()),
                 Session(app, "applicant1").text(f"/cases/{instance_id}"),
                 str(case(owner, instance_id)["data"]),
                 str(owner.get(f"/process-instances/{instance_id}/history").get_json()),
                 Session(app, "owner").text(f"/cases/{instance_id}")):
        assert "伪造ABC" not in text and "王某某" not in text and "13900001111" not in text and "XYZ" not in text
    city_page = Session(app, "city").text(f"/cases/{instance_id}")
    assert "查无实据XYZ" in city_page
    assert "伪造ABC" in str(as_user("city").get(f"/process-instances/{instance_id}/history").get_json())


def test_scores_go_into_the_average_and_the_city_reads_each_sheet(app, as_user):
    instance_id, _applicant = apply(as_user)
    recommend(as_user("district-hexi"), instance_id)
    assign_experts(as_user("city"), instance_id)
    score(as_user, instance_id, (("expert1", 70.5), ("expert2", 80)))
    city = as_user("city")
    assert case(city, instance_id)["data"]["average_score"] == 75.25
    page = Session(app, "city").text(f"/cases/{instance_id}")
    assert "服务绩效" in page and "28.2" in page  # expert1's sheet: 40 × 70.5 % of the performance dimension


def test_the_graded_provider_reads_its_grade_not_its_experts(app, as_user):
    from test_grading import graded_case

    body = graded_case(app, as_user, (92, 90))  # the city's view
    assert body["data"]["average_score"] == 91.0 and body["data"]["grade"] == "excellent"
    provider = case(as_user("applicant1"), body["id"])
    assert provider["data"]["grade"] == "excellent" and not EXPERT_DATA & set(provider["data"])
    history = as_user("applicant1").get(f"/process-instances/{body['id']}/history").get_json()
    assert all(e["actor"] is None for e in history if e["element_id"] == "grading_review")


def test_the_center_lead_reads_the_decision_not_its_experts(app, as_user):
    from test_centers import apply as apply_center
    from test_centers import confirm, recommend

    instance_id, lead = apply_center(as_user)
    recommend(as_user("district-hexi"), instance_id)
    confirm(as_user, instance_id, experts=("expert1", "expert2"))
    body = case(lead, instance_id)
    assert body["outcome"] == "center_confirmed" and not EXPERT_DATA & set(body["data"])
    assert "expert1" not in Session(app, "applicant1").text(f"/cases/{instance_id}")
    assert case(as_user("city"), instance_id)["data"]["average_score"] == 86.0


def test_a_hidden_reviewer_shows_as_the_role_in_the_history(app, as_user):
    instance_id, _ = at_review(as_user)
    page = Session(app, "applicant1").text(f"/cases/{instance_id}")
    history = page[page.index('id="history"'):]
    entry = history[history.index('data-element-id="expert_review"'):]
    assert "评审专家" in entry[:400] and "expert1" not in history


def test_the_process_owner_sees_where_a_case_is_not_what_was_submitted(app, as_user):
    """等保 least privilege: the owner reads a case's steps and status, and only the data a step declares
    readable by "owner" (the scores here); never the application or its files, by API, page or file id."""
    instance_id, _ = at_review(as_user)
    owner, city = as_user("owner"), as_user("city")
    seen = owner.get(f"/process-instances/{instance_id}").get_json()
    assert seen["status"] == "running" and seen["active"] == ["expert_review"]
    assert "contact_name" not in seen["data"] and "business_license" not in seen["data"]
    assert "contact_name" in case(city, instance_id)["data"]
    history = owner.get(f"/process-instances/{instance_id}/history").get_json()
    submitted = next(e for e in history if e["action"] == "complete" and e["element_id"] == "submit_application")
    assert submitted["data"] is None
    license_id = case(city, instance_id)["data"]["business_license"]
    assert city.get(f"/attachments/{license_id}").status_code == 200
    assert owner.get(f"/attachments/{license_id}").status_code == 404
    page = Session(app, "owner")
    assert page.client.get(f"/files/{license_id}").status_code == 404
    assert "张经理" not in page.text(f"/cases/{instance_id}")
    assert Session(app, "city").client.get(f"/files/{license_id}").status_code == 200
