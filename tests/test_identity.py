"""An enterprise account applies only as itself: the organisation's name, credit code and district come
from the account and cannot be changed; one application per organisation and round; a credit code is
registered by one account, in the district its 行政区划码 names."""

from selection import application, complete, credit_code_of, open_round, task_for
from web import Session, csrf_token, form_values
from werkzeug.datastructures import MultiDict

from webapp.formkit.credit_code import check_digit
from webapp.models import HumanTask

ANOTHER = {"org_name": "天津南开工业互联网有限公司", "credit_code": credit_code_of("applicant2"), "district": "nankai"}


def started(as_user, username="applicant1"):
    round_id = open_round(as_user("city"))
    api = as_user(username)
    response = api.post("/process-instances", {"process": "provider_selection", "round_id": round_id})
    assert response.status_code == 201, response.get_json()
    return round_id, response.get_json()["id"], api


def test_applying_under_another_enterprises_identity_is_refused(app, as_user):
    _, instance_id, api = started(as_user)
    task_id = task_for(api, instance_id, "submit_application")
    response = api.post(f"/tasks/{task_id}/complete", {"data": application(api, **ANOTHER)})
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"org_name", "credit_code", "district"}
    with app.app_context():
        assert HumanTask.query.filter_by(instance_id=instance_id, state="completed").count() == 0
    assert api.post(f"/tasks/{task_id}/complete", {"data": application(api)}).status_code == 200


def test_the_form_holds_the_accounts_identity_read_only_and_its_contact_to_edit(app, as_user):
    _, instance_id, api = started(as_user)
    form = api.get(f"/tasks/{task_for(api, instance_id, 'submit_application')}").get_json()["form"]
    fields = {f["name"]: f for f in form["fields"]}
    assert (fields["org_name"]["value"], fields["org_name"]["readonly"]) == ("天津智造数字科技有限公司", True)
    assert (fields["credit_code"]["value"], fields["district"]["value"]) == (credit_code_of("applicant1"), "hexi")
    assert fields["district"]["readonly"] and fields["credit_code"]["readonly"]
    assert fields["contact_email"]["value"] == "applicant1@example.cn" and "readonly" not in fields["contact_email"]


def test_a_tampered_page_cannot_change_the_identity(app, as_user):
    """The correction page after 退回补正 (every other field valid), posted with another enterprise's name."""
    _, instance_id, api = started(as_user)
    complete(api, instance_id, "submit_application", application(api))
    complete(as_user("district-hexi"), instance_id, "district_review", {"decision": "return", "opinion": "请补充"})
    task_id = task_for(api, instance_id, "submit_application")
    page = Session(app, "applicant1")
    html = page.text(f"/tasks/{task_id}")
    assert 'name="org_name"' in html and "readonly" in html and "天津智造数字科技有限公司" in html
    posted = MultiDict(form_values(html))
    posted["org_name"] = ANOTHER["org_name"]
    response = page.client.post(f"/tasks/{task_id}", data=posted)
    assert response.status_code == 200 and "此项与账号绑定，不能修改" in response.get_data(as_text=True)
    with app.app_context():
        assert HumanTask.query.filter_by(instance_id=instance_id, element_id="submit_application",
                                         state="completed").count() == 1  # only the first submission


def test_one_application_per_organisation_and_round(app, as_user):
    round_id, _, api = started(as_user)
    second = api.post("/process-instances", {"process": "provider_selection", "round_id": round_id})
    assert second.status_code == 409 and "本批次已有申报" in second.get_json()["error"]
    page = Session(app, "applicant1")
    response = page.submit("/my/start", {"round_id": str(round_id)}, token_from="/my", follow_redirects=True)
    assert response.status_code == 200 and "本批次已有申报" in response.get_data(as_text=True)


def register(app, code, district, username):
    visitor = Session(app)
    token = csrf_token(visitor.text("/register"))
    return visitor.client.post("/register", data={
        "org_name": "天津某新企业有限公司", "credit_code": code, "district": district, "contact_name": "王",
        "contact_phone": "13800000000", "contact_email": "w@example.cn", "username": username,
        "password": "Secret-2026x", "confirm": "Secret-2026x", "csrf_token": token})


def code_of(division):
    first17 = f"91{division}MA0ABCD12"
    return first17 + check_digit(first17)


def test_a_credit_code_registers_once_and_in_the_district_it_names(app):
    wrong = register(app, code_of("120103"), "nankai", "newco1")  # 120103 is 河西区
    assert wrong.status_code == 200 and "属于河西区，与所选所属区不符" in wrong.get_data(as_text=True)
    assert register(app, code_of("120103"), "hexi", "newco1").status_code == 302
    again = register(app, code_of("120103"), "hexi", "newco2")
    assert again.status_code == 200 and "已注册" in again.get_data(as_text=True)
    # a former county's code counts for its district; a code naming only the city says no district
    assert register(app, code_of("120225"), "jizhou", "newco3").status_code == 302
    assert register(app, code_of("120000"), "binhai", "newco4").status_code == 302


def test_reserved_names_cannot_be_registered(app):
    response = register(app, code_of("120101"), "heping", "system")
    assert response.status_code == 200 and "该用户名不可用" in response.get_data(as_text=True)
