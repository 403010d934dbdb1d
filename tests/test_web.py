"""The pages, through the test client: scope by URL, CSRF, Chinese by default and English on request."""

import re
from io import BytesIO

from selection import apply, task_for
from web import Session


def test_pages_are_chinese_by_default_and_english_on_request(app):
    home = Session(app).text("/")
    assert "资源池名单" in home and "企业注册" in home
    english = Session(app)
    page = english.text("/?lang=en")
    assert "Resource pool" in page and "资源池名单" not in page
    assert "Sign in" in english.text("/login")  # the choice sticks for the session


def test_login_refuses_bad_password_and_shows_role_and_district(app):
    anonymous = Session(app)
    page = anonymous.submit("/login", {"username": "district-hexi", "password": "wrong"}).get_data(as_text=True)
    assert "用户名或密码错误" in page
    inbox = Session(app, "district-hexi").text("/inbox/")
    assert "河西区" in inbox and "区工业和信息化主管部门" in inbox


def test_post_without_csrf_token_is_refused(app, as_user):
    instance_id, _ = apply(as_user)
    official = Session(app, "district-hexi")
    task_id = task_for(as_user("district-hexi"), instance_id, "district_review")
    response = official.client.post(f"/tasks/{task_id}", data={"decision": "reject", "opinion": "无令牌"})
    assert response.status_code == 400 and "安全令牌" in response.get_data(as_text=True)
    response = official.client.post(f"/inbox/{task_id}/claim")
    assert response.status_code == 400
    assert as_user("district-hexi").get(f"/tasks/{task_id}").get_json()["state"] == "open"
    login = Session(app).client.post("/login", data={"username": "city", "password": "demo12345"})
    assert login.status_code == 400 and "欢迎" not in login.get_data(as_text=True)


def test_other_district_and_other_applicant_cannot_open_by_url(app, as_user):
    instance_id, applicant = apply(as_user)
    task_id = task_for(as_user("district-hexi"), instance_id, "district_review")
    attachment_id = applicant.get(f"/process-instances/{instance_id}").get_json()["data"]["business_license"]
    nankai = Session(app, "district-nankai")
    for path in (f"/cases/{instance_id}", f"/cases/{instance_id}/diagram.xml", f"/tasks/{task_id}",
                 f"/files/{attachment_id}"):
        assert nankai.get(path).status_code == 404, path
    assert nankai.client.post(f"/inbox/{task_id}/claim",
                              data={"csrf_token": "x"}).status_code in (400, 404)
    other = Session(app, "applicant2")
    assert other.get(f"/cases/{instance_id}").status_code == 404
    assert other.get(f"/files/{attachment_id}").status_code == 404
    hexi = Session(app, "district-hexi")
    assert "区级初审推荐" in hexi.text(f"/tasks/{task_id}")
    assert hexi.get(f"/files/{attachment_id}").status_code == 200


def test_district_returns_with_required_opinion_through_the_page(app, as_user):
    instance_id, _ = apply(as_user)
    task_id = task_for(as_user("district-hexi"), instance_id, "district_review")
    official = Session(app, "district-hexi")
    page = official.submit(f"/tasks/{task_id}", {"decision": "return"}).get_data(as_text=True)
    assert "此项为必填项" in page  # the opinion is required when returning
    response = official.submit(f"/tasks/{task_id}", {"decision": "return", "opinion": "请补充审计报告"})
    assert response.status_code == 302
    applicant = Session(app, "applicant1")
    mine = applicant.text("/my")
    assert "填写并提交申报书" in mine
    resubmit = task_for(as_user("applicant1"), instance_id, "submit_application")
    page = applicant.text(f"/tasks/{resubmit}")
    assert "请补充审计报告" in page and "天津智造数字科技有限公司" in page  # prefilled from last time


def test_applicant_registers_and_applies_through_pages(app, as_user):
    from selection import open_round
    open_round(as_user("city"))
    visitor = Session(app)
    bad = visitor.submit("/register", {"org_name": "天津新企业有限公司", "credit_code": "91120103MA05K8XQ1X",
                                       "district": "hexi", "contact_name": "王", "contact_phone": "13800000000",
                                       "contact_email": "w@example.cn", "username": "newco",
                                       "password": "Secret-2026x", "confirm": "Secret-2026x"}).get_data(as_text=True)
    assert "统一社会信用代码" in bad and "newco" in bad  # refused, values kept
    first17 = "91120103MA08XY7K2"  # 120103: 河西区, as chosen
    from webapp.formkit.credit_code import check_digit
    response = visitor.submit("/register", {
        "org_name": "天津新企业有限公司", "credit_code": first17 + check_digit(first17), "district": "hexi",
        "contact_name": "王", "contact_phone": "13800000000", "contact_email": "w@example.cn",
        "username": "newco", "password": "Secret-2026x", "confirm": "Secret-2026x"})
    assert response.status_code == 302
    page = visitor.text("/my")
    assert "发起申报" in page
    round_id = page.split('<option value="')[1].split('"')[0]
    started = visitor.submit("/my/start", {"round_id": round_id}, token_from="/my")
    assert started.status_code == 302 and "/tasks/" in started.location
    form_page = visitor.text(started.location)
    assert "天津新企业有限公司" in form_page and "在津已完成或正在实施的服务案例" in form_page
    data = {"org_name": "天津新企业有限公司", "credit_code": first17 + check_digit(first17), "district": "hexi",
            "contact_name": "王", "contact_phone": "13800000000", "contact_email": "w@example.cn",
            "staff_total": "30", "revenue_last_year": "1200", "category": "consulting",
            "attest_legal_person": "y", "attest_no_violation": "y", "attest_not_dishonest": "y",
            "attest_local_office": "y", "tianjin_cases-0-client": "天津某厂", "tianjin_cases-0-status": "completed",
            "business_license": (BytesIO(b"%PDF-1.4 license"), "营业执照.pdf"),
            "truthfulness_pledge": (BytesIO(b"%PDF-1.4 pledge"), "承诺书.pdf")}
    response = visitor.submit(started.location, data, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    assert "区级初审推荐" in Session(app, "district-hexi").text("/inbox/")


def test_city_opens_a_round_on_its_page(app):
    city = Session(app, "city")
    refused = city.submit("/rounds/", {"kind": "provider_selection", "year": "2026", "title": "过期批次",
                                       "closes_on": "2020-01-01"}).get_data(as_text=True)
    assert "未来时间" in refused
    response = city.submit("/rounds/", {"kind": "provider_selection", "year": "2026",
                                        "title": "2026年度服务商遴选", "closes_on": "2030-06-30"})
    assert response.status_code == 302
    assert "2026年度服务商遴选" in city.text("/rounds/") and "开放中" in city.text("/rounds/")
    assert Session(app, "district-hexi").get("/rounds/").status_code == 403


def test_applicant_does_not_learn_expert_identities_or_scores(app, as_user):
    from selection import to_notice
    instance_id, applicant, _ = to_notice(as_user)
    page = Session(app, "applicant1").text(f"/cases/{instance_id}")
    assert "expert1" not in page and "评审专家一" not in page and "88.00" not in page and "专家评审打分" in page
    history = applicant.get(f"/process-instances/{instance_id}/history").get_json()
    reviews = [e for e in history if e["element_id"] == "expert_review" and e["action"] == "complete"]
    assert len(reviews) == 2 and all(e["actor"] is None and e["data"] is None for e in reviews)
    city_page = Session(app, "city").text(f"/cases/{instance_id}")
    assert "天津大学 · 评审专家一" in city_page and "88.00" in city_page  # expert1, its unit and its score


def test_removal_complaint_and_voluntary_exit_start_from_pages(app, as_user):
    from selection import admit, credit_code_of
    admit(app, as_user)
    provider = credit_code_of("applicant1")
    city = Session(app, "city")
    assert "发起出库" in city.text("/pool")
    page = city.text(f"/start/provider_delisting?organization={provider}")
    assert "天津智造数字科技有限公司" in page and "出库情形" in page
    missing = city.submit("/start/provider_delisting", {"ground": "fraud", "facts": "骗取资助资金"})
    assert "请选择服务商" in missing.get_data(as_text=True)
    started = city.submit("/start/provider_delisting",
                          {"organization": provider, "ground": "fraud", "facts": "经查实骗取资助资金"})
    assert started.status_code == 302 and "/cases/" in started.location
    assert [t["element_id"] for t in as_user("applicant1").get("/tasks").get_json()] == ["submit_statement"]

    complainant = Session(app, "applicant2")
    assert "投诉资源池中的服务商" in complainant.text("/my")
    filed = complainant.submit("/start/complaint", {"provider_credit_code": provider, "content": "合同未履行"})
    assert filed.status_code == 302
    refused = complainant.submit("/start/complaint", {"provider_credit_code": credit_code_of("applicant2"),
                                                      "content": "投诉自己"})
    assert refused.status_code == 200 and "is-invalid" in refused.get_data(as_text=True)
    control = re.search(r'<input[^>]*name="provider_credit_code"[^>]*>', refused.get_data(as_text=True)).group(0)
    assert 'aria-invalid="true"' in control and 'aria-describedby="provider_credit_code-error"' in control
    assert 'id="provider_credit_code-error"' in refused.get_data(as_text=True)  # the message a reader is told

    provider_page = Session(app, "applicant1").text("/my")
    assert "已纳入服务商资源池" in provider_page and "申请主动退出资源池" in provider_page
    assert Session(app, "district-hexi").get("/start/provider_delisting").status_code == 403
    assert Session(app, "city").get("/start/provider_selection").status_code == 404


def test_removal_announcement_has_a_public_page_and_the_provider_sees_the_facts(app, as_user):
    from selection import admit, credit_code_of
    admit(app, as_user)
    city = as_user("city")
    started = city.post("/process-instances", {"process": "provider_delisting", "organization":
                                               credit_code_of("applicant1"),
                                               "data": {"ground": "refused_supervision", "facts": "拒绝现场检查"}})
    assert started.status_code == 201, started.get_json()
    instance_id = started.get_json()["id"]
    statement_task = task_for(as_user("applicant1"), instance_id, "submit_statement")
    assert "拒绝现场检查" in Session(app, "applicant1").text(f"/tasks/{statement_task}")
    from selection import complete
    complete(as_user("applicant1"), instance_id, "submit_statement", {"waive": True})
    complete(city, instance_id, "city_decision", {"decision": "approve", "opinion": "情况属实，予以出库"})
    announcement = next(n for n in app.test_client().get("/api/v1/public/notices").get_json()
                        if n["kind"] == "delisting_announcement")
    page = Session(app).text(f"/notices/{announcement['id']}")
    assert "拒绝接受监督检查" in page and "天津智造数字科技有限公司" in page and "objection-form" not in page
