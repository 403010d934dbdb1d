"""Complaints about providers in the pool (Art. 8 (四)) through the HTTP API, as the demo users."""

from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path

from selection import admit, complete, credit_code_of, run_timers, task_for
from web import Session, csrf_token

from webapp.extensions import db
from webapp.formkit.credit_code import check_digit
from webapp.models import Complaint, Notification, PoolEntry

ROOT = Path(__file__).resolve().parent.parent
PROVIDER = "天津智造数字科技有限公司"  # applicant1's organisation


def file(api, provider="applicant1", content="服务质量差，合同约定的系统至今未上线。", expect=201, **extra):
    response = api.post("/complaints", {"provider_credit_code": credit_code_of(provider), "content": content,
                                        **extra})
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def verify(as_user, instance_id, decision, opinion="经核实，投诉情况属实。"):
    """The provider complained about lets its answer go, then the city verifies."""
    complete(as_user("applicant1"), instance_id, "provider_answer", {"waive": True})
    city = as_user("city")
    complete(city, instance_id, "verify_complaint", {"decision": decision, "opinion": opinion})
    return city.get(f"/process-instances/{instance_id}").get_json()


def removal_cases(city):
    return city.get("/process-instances?process=provider_delisting").get_json()


def test_no_complaint_against_oneself(app, as_user):
    admit(app, as_user)
    response = file(as_user("applicant1"), provider="applicant1", expect=422)
    assert "provider_credit_code" in response["errors"]
    assert as_user("city").get("/process-instances?process=complaint").get_json() == []


def test_no_complaint_against_a_provider_outside_the_pool(app, as_user):
    admit(app, as_user)
    applicant2 = as_user("applicant2")
    response = file(applicant2, provider="applicant3", expect=422)  # a registered organisation, never admitted
    assert "provider_credit_code" in response["errors"]
    unknown = "91120000MA0000000" + check_digit("91120000MA0000000")  # well formed, but nobody's
    response = applicant2.post("/complaints", {"provider_credit_code": unknown, "content": "x"})
    assert response.status_code == 422 and "不在" in response.get_json()["errors"]["provider_credit_code"][0]
    with app.app_context():  # removed from the pool: no longer a provider to complain about
        PoolEntry.query.one().removed_at = datetime.now(UTC)
        db.session.commit()
    assert "provider_credit_code" in file(applicant2, expect=422)["errors"]
    assert as_user("city").get("/process-instances?process=complaint").get_json() == []


def test_complaint_needs_content_an_enterprise_account_and_own_files(app, as_user):
    admit(app, as_user)
    applicant2 = as_user("applicant2")
    assert "content" in file(applicant2, content="", expect=422)["errors"]
    others = as_user("applicant3").upload().get_json()["id"]
    assert "attachments" in file(applicant2, attachments=[others], expect=422)["errors"]
    for official in ("city", "district-nankai", "expert1"):
        assert file(as_user(official), expect=403)
    # The generic start runs the same checks in the diagram's service task.
    response = applicant2.post("/process-instances", {"process": "complaint", "data": {
        "provider_credit_code": credit_code_of("applicant2"), "content": "自己投诉自己"}})
    assert response.status_code == 422 and "provider_credit_code" in response.get_json()["errors"]
    with app.app_context():
        assert Complaint.query.count() == 0


def test_complaint_case_belongs_to_the_complainant(app, as_user):
    admit(app, as_user)
    applicant2, city = as_user("applicant2"), as_user("city")
    proof = applicant2.upload("验收记录.pdf").get_json()["id"]
    body = file(applicant2, attachments=[proof])
    instance_id = body["instance_id"]
    case = applicant2.get(f"/process-instances/{instance_id}").get_json()
    assert (case["process"], case["subject"], case["status"]) == ("complaint", PROVIDER, "running")
    assert case["active"] == ["answer_timer", "provider_answer"]
    assert [c["instance_id"] for c in applicant2.get("/complaints").get_json()] == [instance_id]

    for outsider in ("applicant1", "applicant3", "district-nankai", "district-hexi"):
        api = as_user(outsider)
        assert api.get(f"/process-instances/{instance_id}").status_code == 404, outsider
        assert api.get(f"/process-instances/{instance_id}/history").status_code == 404, outsider
        assert api.get(f"/attachments/{proof}").status_code == 404, outsider
        assert instance_id not in [c["id"] for c in api.get("/process-instances").get_json()]
    assert as_user("applicant1").get("/complaints").get_json() == []

    complete(as_user("applicant1"), instance_id, "provider_answer", {"answer": "系统已上线，附验收单。"})
    task = city.get(f"/tasks/{task_for(city, instance_id, 'verify_complaint')}").get_json()
    assert task["subject"] == PROVIDER and task["form"]["key"] == "verify_complaint"
    assert task["context"]["content"] == "服务质量差，合同约定的系统至今未上线。"
    assert task["context"]["registered_complaint"]["provider_credit_code"] == credit_code_of("applicant1")
    assert city.get(f"/attachments/{proof}").status_code == 200
    response = city.post(f"/tasks/{task['id']}/complete", {"data": {"decision": "verified"}})
    assert response.status_code == 422 and "opinion" in response.get_json()["errors"]

    complete(city, instance_id, "verify_complaint", {"decision": "unfounded", "opinion": "经核实，系统已按合同上线。"})
    case = city.get(f"/process-instances/{instance_id}").get_json()
    assert (case["outcome"], case["outcome_reason"]) == ("complaint_unfounded", "经核实，系统已按合同上线。")
    assert applicant2.get(f"/process-instances/{instance_id}").get_json()["outcome"] == "complaint_unfounded"
    [row] = applicant2.get("/complaints").get_json()
    assert (row["status"], row["reason"]) == ("unfounded", "经核实，系统已按合同上线。")


def test_third_verified_complaint_starts_removal_once(app, as_user):
    admit(app, as_user)
    city, applicant2, applicant3 = as_user("city"), as_user("applicant2"), as_user("applicant3")

    first = file(applicant2)["instance_id"]
    assert verify(as_user, first, "verified")["outcome"] == "complaint_verified"
    unfounded = file(applicant3)["instance_id"]
    assert verify(as_user, unfounded, "unfounded", "查无实据")["outcome"] == "complaint_unfounded"
    second = file(applicant2, content="项目延期半年未交付。")["instance_id"]
    case = verify(as_user, second, "verified")  # the third complaint decided, but only the second found true
    assert "start_removal" not in case["completed"] and "2" in case["outcome_reason"]
    assert removal_cases(city) == []

    # Two complaints pending at once; the one verified third starts the removal.
    third = file(applicant3, content="数据泄露。")["instance_id"]
    fourth = file(applicant2, content="售后无人响应。")["instance_id"]
    case = verify(as_user, third, "verified")
    assert case["outcome"] == "complaint_verified" and "start_removal" in case["completed"]
    [removal] = removal_cases(city)
    assert case["data"]["removal_case"]["id"] == removal["id"]
    assert removal["subject"] == PROVIDER and removal["data"]["ground"] == "complaints"
    assert "3" in removal["data"]["facts"] and "数据泄露" not in removal["data"]["facts"]
    case = verify(as_user, fourth, "verified")
    assert case["outcome"] == "complaint_verified" and "start_removal" not in case["completed"]
    assert len(removal_cases(city)) == 1  # the fourth does not start another

    # The removal runs like any other: the provider is heard, the city decides, the public is told.
    provider = as_user("applicant1")
    task = provider.get(f"/tasks/{task_for(provider, removal['id'], 'submit_statement')}").get_json()
    assert task["context"]["listing"]["ground_label"] == "被企业或其他服务商投诉3次或以上并核实确认属实"
    complete(provider, removal["id"], "submit_statement", {"waive": True})
    complete(city, removal["id"], "city_decision", {"decision": "approve", "opinion": "投诉属实达3次，予以出库"})
    assert city.get(f"/process-instances/{removal['id']}").get_json()["outcome"] == "removed"
    assert app.test_client().get("/api/v1/public/resource-pool").get_json() == []
    with app.app_context():
        assert PoolEntry.query.one().removal_ground == "complaints"
        assert sorted(c.status for c in Complaint.query.all()) == ["unfounded"] + ["verified"] * 4


def test_a_complaint_gets_a_receipt_its_complainant_follows_it_by(app, as_user):
    """受理编号 as objections have: the API and the start page give it, the public page follows it to the
    finding and names the provider, never the complainant."""
    admit(app, as_user)
    applicant2, public = as_user("applicant2"), app.test_client()
    body = file(applicant2)
    receipt = body["receipt"]
    assert receipt.startswith("TS-") and len(receipt) == 20
    assert [c["receipt"] for c in applicant2.get("/complaints").get_json()] == [receipt]
    status = public.get(f"/api/v1/public/complaints/{receipt}").get_json()
    assert (status["status"], status["outcome"], status["provider"]) == ("pending", None, PROVIDER)
    assert public.get("/api/v1/public/complaints/TS-00000000-NOPE").status_code == 404
    assert public.get(f"/api/v1/public/objections/{receipt}").status_code == 404  # a complaint is no objection

    page = public.get(f"/complaints/{receipt}").get_data(as_text=True)
    assert receipt in page and "核查中" in page and PROVIDER in page
    assert "天津南开工业互联网有限公司" not in page  # the complainant (applicant2's organisation)
    lookup = public.get("/complaints?receipt=" + receipt.lower())
    assert lookup.headers["Location"].endswith(f"/complaints/{receipt.lower()}")
    assert public.get("/complaints/TS-20260101-AAAAAAAA").status_code == 404
    assert receipt in Session(app, "applicant2").text(f"/cases/{body['instance_id']}")

    verify(as_user, body["instance_id"], "unfounded", "经核实，合同尚在履行期内。")
    status = public.get(f"/api/v1/public/complaints/{receipt.lower()}").get_json()
    assert (status["status"], status["outcome"]) == ("unfounded", "经核实，合同尚在履行期内。")
    page = public.get(f"/complaints/{receipt}").get_data(as_text=True)
    assert "投诉不属实" in page and "经核实，合同尚在履行期内。" in page


def test_the_start_page_tells_the_complainant_the_receipt(app, as_user):
    admit(app, as_user)
    browser = Session(app, "applicant2")
    response = browser.submit("/start/complaint", {"provider_credit_code": credit_code_of("applicant1"),
                                                   "content": "系统至今未上线。"}, follow_redirects=True)
    with app.app_context():
        receipt = Complaint.query.one().receipt
    assert receipt and f"受理编号 {receipt}" in response.get_data(as_text=True)


COMPLAINANT = ("天津南开工业互联网有限公司", "applicant2", "91120104MA06R2TB3")  # applicant2: name, login, code


def test_the_provider_answers_without_learning_who_complained(app, as_user):
    """第八条（四）: the provider complained about may answer before the verification; it reads the
    complaint's content, never who filed it; the verifier reads who did and how to reach them; the
    answer is the city's alone to read."""
    admit(app, as_user)
    applicant2, city, provider, owner = (as_user(u) for u in ("applicant2", "city", "applicant1", "owner"))
    proof = applicant2.upload("合同.pdf").get_json()["id"]
    instance_id = file(applicant2, content="合同约定的系统至今未上线。", attachments=[proof])["instance_id"]

    task = provider.get(f"/tasks/{task_for(provider, instance_id, 'provider_answer')}").get_json()
    assert task["context"]["registered_complaint"]["content"] == "合同约定的系统至今未上线。"
    assert not {"content", "attachments", "provider_credit_code", "start_data", "complainant"} & set(task["context"])
    assert not any(secret in str(task) for secret in COMPLAINANT)
    assert provider.get(f"/attachments/{proof}").status_code == 404
    pages = Session(app, "applicant1")
    mine = pages.text("/my")
    assert "请本单位办理的事项" in mine and f"/tasks/{task['id']}" in mine
    page = pages.text(f"/tasks/{task['id']}")
    assert "合同约定的系统至今未上线。" in page and "投诉人" not in page
    assert not any(secret in page for secret in COMPLAINANT) and f"/cases/{instance_id}" not in page
    assert pages.get(f"/cases/{instance_id}").status_code == 404

    answer_file = provider.upload("验收单.pdf").get_json()["id"]
    complete(provider, instance_id, "provider_answer",
             {"answer": "系统已于6月上线，附验收单。", "answer_files": [answer_file]})
    closed = pages.text(f"/tasks/{task['id']}")  # what it answered stays readable to it, not the rest
    assert "系统已于6月上线，附验收单。" in closed and "此事项已办结" in closed
    assert not any(secret in closed for secret in COMPLAINANT)

    verifying = city.get(f"/tasks/{task_for(city, instance_id, 'verify_complaint')}").get_json()
    complainant = verifying["context"]["complainant"]
    assert (complainant["organization"], complainant["credit_code"][:17]) == COMPLAINANT[::2]
    assert complainant["mobile"] == "022-23456789" and complainant["email"] == "applicant2@example.cn"
    assert verifying["context"]["answer"] == "系统已于6月上线，附验收单。"
    page = Session(app, "city").text(f"/tasks/{verifying['id']}")
    assert "投诉人（仅核实人员可见）" in page and "022-23456789" in page
    assert '<span class="text-prewrap">系统已于6月上线，附验收单。</span>' in page  # typed text keeps its lines
    assert city.get(f"/attachments/{answer_file}").status_code == 200
    finding = {"decision": "unfounded", "opinion": "经核实，系统已上线，投诉不属实。"}
    complete(city, instance_id, "verify_complaint", finding)
    with app.app_context():
        [notice] = Notification.query.filter_by(username="applicant1", kind="decision", instance_id=instance_id)
        assert notice.task_id == task["id"] and "投诉经核实不属实" in notice.body
        notice_id = notice.id
    opened = pages.client.post(f"/notifications/{notice_id}/open",
                               data={"csrf_token": csrf_token(pages.text("/notifications"))})
    assert opened.headers["Location"].endswith(f"/tasks/{task['id']}")  # not to a case it does not follow
    told = pages.text(f"/tasks/{task['id']}")  # the provider learns the finding where it answered
    assert "案件办理结果：投诉经核实不属实" in told and "经核实，系统已上线，投诉不属实。" in told
    assert not any(secret in told for secret in COMPLAINANT)

    # The process owner runs the rules, not the cases; the complainant does not read the answer.
    for api in (owner, applicant2):
        history = api.get(f"/process-instances/{instance_id}/history").get_json()
        assert api is applicant2 or not any(secret in str(history) for secret in COMPLAINANT)
        for entry in (e for e in history if e["element_id"] in ("identify_complainant", "provider_answer")):
            assert entry["data"] is None, (api, entry)
        assert "系统已于6月上线" not in str(history) and "022-23456789" not in str(history)
    assert "complainant" not in owner.get(f"/process-instances/{instance_id}").get_json().get("data", {})
    owner_page = Session(app, "owner").text(f"/cases/{instance_id}")
    assert "答复投诉" in owner_page and not any(secret in owner_page for secret in COMPLAINANT)
    assert COMPLAINANT[0] in Session(app, "applicant2").text(f"/cases/{instance_id}")  # its own, it reads
    assert applicant2.get(f"/attachments/{answer_file}").status_code == 404


def test_verification_goes_on_when_the_answer_period_passes(app, as_user):
    admit(app, as_user)
    instance_id = file(as_user("applicant2"))["instance_id"]
    run_timers(app, datetime.now(UTC) + timedelta(days=30))  # past 7 working days, whatever holidays
    city = as_user("city")
    task = city.get(f"/tasks/{task_for(city, instance_id, 'verify_complaint')}").get_json()
    assert task["context"]["answer_status"] == "lapsed"
    assert "被投诉服务商在答复期内未答复" in Session(app, "city").text(f"/tasks/{task['id']}")
    assert as_user("applicant1").get("/tasks").get_json() == []


def test_organization_on_an_officials_task_is_refused_at_deploy(as_user):
    """Whose inbox a task goes to is chosen only for an enterprise's task; on the city's it would do
    nothing, and the lint says so before the version is deployed."""
    diagram = (ROOT / "processes" / "complaint.bpmn").read_text(encoding="utf-8")
    verify_form = '<spiffworkflow:property name="formKey" value="verify_complaint" />'
    moved = diagram.replace(verify_form, verify_form + '\n<spiffworkflow:property name="organization" value="1" />')
    owner = as_user("owner")
    response = owner.client.post("/api/v1/process-definitions", headers=owner.headers,
                                 content_type="multipart/form-data",
                                 data={"bpmn": (BytesIO(moved.encode()), "complaint.bpmn")})
    assert response.status_code == 422 and "organization" in str(response.get_json())
