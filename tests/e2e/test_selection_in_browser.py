"""A provider is selected end to end through the web pages, in Chromium: round, registration, application,
return and resubmission, district recommendation, experts, city decision, public notice with an objection,
the notice period running out, and the resource pool."""

from datetime import date, timedelta

from playwright.sync_api import expect

from webapp.extensions import db
from webapp.formkit.credit_code import check_digit
from webapp.models import Notice

ORG = "天津数转先锋科技有限公司"
CREDIT_CODE = "91120103MA0E2E7Q5" + check_digit("91120103MA0E2E7Q5")
ROUND_TITLE = "浏览器测试年度服务商遴选"


def pdf(name):
    return {"name": name, "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n% e2e test file\n%%EOF\n"}


def open_task(page, name):
    """Open the task called `name` on ORG's case from 我的申请 (applicants) or 待办事项 (officials, experts)."""
    if page.locator("nav").get_by_role("link", name="我的申请").count():
        page.goto("/my")
        page.locator("#my-cases").get_by_role("link", name=name).click()
    else:
        page.goto("/inbox/")
        todo_row(page, name).get_by_role("link", name=name, exact=True).click()
    expect(page.locator("h2")).to_have_text(name)
    return page


def todo_row(page, name):
    return page.locator("#todo tbody tr", has_text=ORG).filter(has=page.get_by_role("link", name=name, exact=True))


def submit(page):
    page.click("#submit-task")
    expect(page.locator(".alert-success")).to_contain_text("已提交")


def wait_for_diagram(page, case_id):
    page.goto(f"/cases/{case_id}")
    diagram = page.locator('#diagram[data-ready="true"]')
    expect(diagram).to_be_attached()
    assert diagram.get_attribute("data-warnings") == "0"


def marker(page, element_id):
    """The bpmn-js marker classes ('done', 'current') on a diagram element, as a set."""
    classes = page.evaluate("id => document.querySelector(`.djs-element[data-element-id='${id}']`)?.className.baseVal",
                            element_id)
    assert classes is not None, f"{element_id} is not drawn on the diagram"
    return set(classes.split()) & {"done", "current"}


def test_provider_is_selected_through_the_pages(app, login_as, new_page, screenshot):
    visitor = new_page()
    visitor.goto("/login")
    screenshot(visitor, "01-login")

    # The city opens this year's round.
    city = login_as("city")
    city.goto("/rounds/")
    closes = date.today() + timedelta(days=60)
    city.select_option("#kind", "provider_selection")
    city.fill("#year", str(closes.year))
    city.fill("#title", ROUND_TITLE)
    city.fill("#closes_on", closes.isoformat())
    city.get_by_role("button", name="开启批次").click()
    expect(city.locator("#rounds")).to_contain_text(ROUND_TITLE)

    # A new enterprise in 河西区 registers and applies.
    applicant = new_page()
    applicant.goto("/register")
    for field, value in {"org_name": ORG, "credit_code": CREDIT_CODE, "contact_name": "李经理",
                         "contact_phone": "13912345678", "contact_email": "li@example.cn", "username": "pioneer",
                         "password": "Secret-2026x", "confirm": "Secret-2026x"}.items():
        applicant.fill(f"#{field}", value)
    applicant.select_option("#district", "hexi")
    applicant.get_by_role("button", name="注册").click()
    expect(applicant.locator("#who")).to_contain_text(ORG)
    round_option = applicant.locator("#round-select option", has_text=ROUND_TITLE)
    applicant.select_option("#round-select", round_option.get_attribute("value"))
    applicant.click("#start-application")
    expect(applicant.locator("h2")).to_have_text("填写并提交申报书")
    expect(applicant.locator("#org_name")).to_have_value(ORG)  # prefilled from the registration
    applicant.fill("#staff_total", "45")
    applicant.fill("#revenue_last_year", "2300")
    applicant.select_option("#category", "consulting")
    for attest in ("legal_person", "no_violation", "not_dishonest", "local_office"):
        applicant.check(f"#attest_{attest}")
    applicant.fill("[name='tianjin_cases-0-client']", "天津某装备制造有限公司")
    applicant.fill("[name='tianjin_cases-0-contract_amount']", "150")
    applicant.select_option("[name='tianjin_cases-0-status']", "completed")
    applicant.set_input_files("#business_license", pdf("营业执照.pdf"))
    applicant.set_input_files("#truthfulness_pledge", pdf("承诺书.pdf"))
    screenshot(applicant, "04-task-form")
    submit(applicant)
    case_id = applicant.locator("#my-cases tr", has_text=ROUND_TITLE).get_attribute("data-instance-id")
    screenshot(applicant, "02-my-applications")

    # 河西区 returns it; the opinion is required when returning.
    hexi = login_as("district-hexi")
    hexi.goto("/inbox/")
    expect(todo_row(hexi, "区级初审推荐")).to_have_count(1)
    screenshot(hexi, "03-todo")
    open_task(hexi, "区级初审推荐")
    hexi.check("input[name=decision][value=return]")
    hexi.click("#submit-task")
    expect(hexi.locator("[data-field=opinion] .invalid-feedback")).to_contain_text("此项为必填项")
    hexi.fill("#opinion", "请再补充一个在津服务案例")
    submit(hexi)

    # The applicant sees the opinion and resubmits what it sent before.
    open_task(applicant, "填写并提交申报书")
    expect(applicant.locator("#return-opinion")).to_contain_text("请再补充一个在津服务案例")
    expect(applicant.locator("[name='tianjin_cases-0-client']")).to_have_value("天津某装备制造有限公司")
    # The page offers one more, blank row; its 实施状态 select has no empty choice, so a row left blank is still
    # sent as a row and refused (服务对象 此项为必填项). Here the applicant fills it, as the opinion asks.
    applicant.fill("[name='tianjin_cases-1-client']", "天津某化工有限公司")
    applicant.select_option("[name='tianjin_cases-1-status']", "in_progress")
    submit(applicant)

    # 河西区 recommends it with a 推荐函.
    open_task(hexi, "区级初审推荐")
    hexi.check("input[name=decision][value=approve]")
    hexi.fill("#opinion", "材料齐全，同意推荐")
    hexi.set_input_files("#recommendation_letter", pdf("推荐函.pdf"))
    submit(hexi)

    # The city claims the formal check and assigns two experts; they score.
    city.goto("/inbox/")
    todo_row(city, "形式审查并指派专家").get_by_role("button", name="签收").click()
    expect(todo_row(city, "形式审查并指派专家")).to_contain_text("本人已签收")
    open_task(city, "形式审查并指派专家")
    city.check("input[name=decision][value=approve]")
    city.check("input[name=experts][value=expert1]")
    city.check("input[name=experts][value=expert2]")
    submit(city)
    # Each fills in the scoring sheet by dimension; the total follows and is not typed. expert2's sheet
    # starts empty and shows nothing of expert1's.
    sheets = {"expert1": ("17", "26", "35", "8", "86"), "expert2": ("18", "27", "36", "9", "90")}
    for expert, (basic, capability, performance, discount, total) in sheets.items():
        page = open_task(login_as(expert), "专家评审打分")
        expect(page.locator("#score_basic")).to_have_value("")
        expect(page.locator("body")).not_to_contain_text("服务能力较强，案例真实")
        expect(page.locator("#score")).to_have_attribute("readonly", "")
        page.check("#no_conflict")
        page.fill("#score_basic", basic)
        page.fill("#score_capability", capability)
        page.fill("#score_performance", performance)
        page.fill("#score_discount", discount)
        expect(page.locator("#score")).to_have_value(total)
        page.fill("#opinion", "服务能力较强，案例真实")
        if expert == "expert1":
            screenshot(page, "04b-expert-sheet")
        submit(page)

    # The city puts it on the preliminary list: the notice is published.
    open_task(city, "综合评定并确定初选名单")
    expect(city.locator("#average-score")).to_contain_text("88")
    city.check("input[name=decision][value=approve]")
    city.fill("#opinion", "综合评定通过，列入初选名单")
    submit(city)
    wait_for_diagram(city, case_id)
    assert "done" in marker(city, "district_review")
    assert "current" in marker(city, "list_published")  # on the round's list, waiting for its publication

    # The city reviews the round's list (text from the owner's template, the units) and publishes it.
    city.goto("/rounds/")
    city.locator("#rounds tbody tr", has_text=ROUND_TITLE).get_by_role("link", name="名单与公示").click()
    expect(city.locator("#notice-units")).to_contain_text(ORG)
    expect(city.locator("#notice-signature")).to_contain_text("天津市工业和信息化局")
    screenshot(city, "05a-round-list")
    city.click("#publish-form button")
    expect(city.locator(".alert-success")).to_contain_text("拟入库名单公示已发布")
    notice_id = int(city.url.rstrip("/").rsplit("/", 1)[-1])
    with app.app_context():
        from webapp.documents import notice as notice_document
        from webapp.documents import pdf as pdf_document
        printed = pdf_document.render(notice_document.document(db.session.get(Notice, notice_id)))
        db.session.remove()
    assert printed.startswith(b"%PDF")
    wait_for_diagram(city, case_id)
    assert "current" in marker(city, "gw_notice") | marker(city, "notice_timer")
    screenshot(city, "05-case-at-notice")

    # Anyone may object during the notice, and follows it by its receipt; the city dismisses it.
    visitor.goto("/notices")
    notice_row = visitor.locator("#notices tbody tr", has_text=ORG)
    assert int(notice_row.get_attribute("data-notice-id")) == notice_id
    notice_row.get_by_role("link").click()
    expect(visitor.locator("#notice-units")).to_contain_text(ORG)
    visitor.fill("#objection-form #name", "王某")
    visitor.fill("#objection-form #contact", "13700000000")
    visitor.fill("#objection-form #content", "该单位在津案例存疑，请核查。")
    visitor.click("#objection-form button[type=submit]")
    expect(visitor.locator(".alert-success")).to_contain_text("异议已受理")
    expect(visitor.locator("#receipt-state")).to_contain_text("核查中")
    receipt_url = visitor.url
    screenshot(visitor, "07-notice")
    open_task(city, "核查异议")
    expect(city.locator("#objection")).to_contain_text("该单位在津案例存疑")
    expect(city.locator("#objector")).to_contain_text("王某")  # the verifier reaches the objector
    expect(city.locator("#objector")).to_contain_text("13700000000")
    city.check("input[name=decision][value=dismissed]")
    city.fill("#opinion", "经核查，案例合同真实，异议不成立")
    submit(city)
    visitor.goto(receipt_url)
    expect(visitor.locator("#receipt-state")).to_contain_text("异议不成立")
    expect(visitor.locator("#receipt-outcome")).to_contain_text("案例合同真实")
    screenshot(visitor, "07b-objection-by-receipt")

    # The notice period runs out; the provider is admitted to the pool.
    with app.app_context():
        ends_at = db.session.get(Notice, notice_id).ends_at
        fired = app.test_cli_runner().invoke(args=["timers", "run", "--as-of",
                                                   (ends_at + timedelta(seconds=1)).isoformat()])
        db.session.remove()
    assert fired.output.strip() == "fired 1", fired.output
    wait_for_diagram(city, case_id)
    expect(city.locator("#case-status")).to_contain_text("已办结")
    assert "done" in marker(city, "end_admitted")
    screenshot(city, "05-case-admitted")
    visitor.goto("/pool")
    expect(visitor.locator("#pool tbody tr", has_text=ORG)).to_contain_text("咨询")
    screenshot(visitor, "06-pool")
