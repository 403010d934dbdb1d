"""会签: a district review signed by two officials of the district before the case moves on — never the
same official twice; under "all", the first refusal decides at once."""

from io import BytesIO

from conftest import ROOT
from selection import apply, case, task_for
from web import Session

from webapp.extensions import db
from webapp.models import HumanTask

SELECTION = (ROOT / "processes" / "provider_selection.bpmn").read_text(encoding="utf-8")
TWO_SIGNERS = SELECTION.replace(
    '<spiffworkflow:property name="formKey" value="district_review" />',
    '<spiffworkflow:property name="formKey" value="district_review" />\n'
    '          <spiffworkflow:property name="countersign" value="2" />\n'
    '          <spiffworkflow:property name="countersignRule" value="all" />', 1)


def deploy(as_user, text):
    owner = as_user("owner")
    return owner.client.post("/api/v1/process-definitions", headers=owner.headers, content_type="multipart/form-data",
                             data={"bpmn": (BytesIO(text.encode()), "provider_selection.bpmn")})


def sign(api, instance_id, data):
    return api.post(f"/tasks/{task_for(api, instance_id, 'district_review')}/complete", {"data": data})


def test_two_officials_must_both_approve_and_neither_twice(app, as_user):
    assert TWO_SIGNERS != SELECTION and deploy(as_user, TWO_SIGNERS).status_code == 201
    instance_id, applicant = apply(as_user)
    hexi, hexi2 = as_user("district-hexi"), as_user("district-hexi2")
    letter = hexi.upload("推荐函.pdf").get_json()["id"]
    first = sign(hexi, instance_id, {"decision": "approve", "opinion": "同意", "recommendation_letter": letter})
    assert first.status_code == 200
    assert case(applicant, instance_id)["active"] == ["district_review"]  # one signature of two
    again = sign(hexi, instance_id, {"decision": "approve", "opinion": "再次同意", "recommendation_letter": letter})
    assert again.status_code == 409 and "会签" in again.get_json()["error"]
    page = Session(app, "district-hexi").text(f"/tasks/{task_for(hexi2, instance_id, 'district_review')}")
    assert 'id="signed"' in page and 'id="task-form"' not in page
    assert hexi.post(f"/tasks/{task_for(hexi2, instance_id, 'district_review')}/claim").status_code == 409
    letter2 = hexi2.upload("推荐函.pdf").get_json()["id"]
    second = sign(hexi2, instance_id, {"decision": "approve", "opinion": "同意推荐", "recommendation_letter": letter2})
    assert second.status_code == 200, second.get_json()
    body = case(as_user("city"), instance_id)
    assert body["active"] == ["city_formal_check"]
    with app.app_context():
        done = HumanTask.query.filter_by(instance_id=instance_id, element_id="district_review").one()
        assert done.state == "completed" and [v["by"] for v in done.data["countersign_votes"]] == [
            "district-hexi", "district-hexi2"]
        assert "district-hexi：同意" in done.data["opinion"] and "district-hexi2：同意推荐" in done.data["opinion"]
        db.session.remove()
    history = as_user("city").get(f"/process-instances/{instance_id}/history").get_json()
    assert [e["actor"] for e in history if e["action"] == "countersign"] == ["district-hexi"]


def test_under_all_the_first_return_decides_at_once(app, as_user):
    assert deploy(as_user, TWO_SIGNERS).status_code == 201
    instance_id, applicant = apply(as_user)
    response = sign(as_user("district-hexi2"), instance_id, {"decision": "return", "opinion": "请补充审计报告"})
    assert response.status_code == 200
    assert case(applicant, instance_id)["active"] == ["submit_application"]


def test_a_countersign_the_engine_cannot_read_is_refused_at_deploy(as_user):
    bad = TWO_SIGNERS.replace('name="countersignRule" value="all"', 'name="countersignRule" value="most"')
    response = deploy(as_user, bad)
    assert response.status_code == 422
    assert any("会签规则" in f["message"] and f["element_id"] == "district_review"
               for f in response.get_json()["findings"])
