"""The rest of the regulation through the web pages, in Chromium: annual grading (Art. 7), a removal with its
public announcement (Art. 8) and a promotion center's creation (Art. 9-13).

Only the admission of a provider beforehand goes through the API (selection.admit, on the live app); every
step of the processes under test is done by clicking and filling the pages, one browser context per user."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from selection import admit, credit_code_of
from test_progress_in_browser import both_widths

SMART = "天津智造数字科技有限公司"  # applicant1, 河西区
NANKAI = "天津南开工业互联网有限公司"  # applicant2, 南开区
BINHAI = "滨海新区智能制造服务有限公司"  # applicant3, 滨海新区
TIANJIN = ZoneInfo("Asia/Shanghai")  # the pages print dates in Tianjin's time
YEAR = datetime.now(TIANJIN).year
CLOSES = datetime.now(TIANJIN).date() + timedelta(days=60)  # far enough that admit()'s timer run leaves it alone
GRADING_ROUND = f"{YEAR}年度服务商评价（浏览器测试）"
CENTER_ROUND = f"{YEAR}年度促进中心创建工作通知（浏览器测试）"
CENTER_NAME = "天津市滨海新区智能制造行业制造业数字化转型促进中心"


# ---------------------------------------------------------------- steps a person takes


def pdf(name):
    return {"name": name, "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n% e2e test file\n%%EOF\n"}


def open_round(city, process_label, title):
    """The city opens a round on /rounds/, choosing the process by the name the page shows."""
    city.goto("/rounds/")
    city.select_option("#kind", label=process_label)
    city.fill("#year", str(YEAR))
    city.fill("#title", title)
    city.fill("#closes_on", CLOSES.isoformat())
    city.get_by_role("button", name="开启批次").click()
    expect(city.locator(".alert-success")).to_contain_text("申报批次已开启")
    expect(city.locator("#rounds tbody tr", has_text=title)).to_contain_text(process_label)


def open_my_task(page, case_text, name):
    """An enterprise opens the task `name` from the row of 我的申请 that mentions `case_text`."""
    page.goto("/my")
    page.locator("#my-cases tbody tr", has_text=case_text).get_by_role("link", name=name, exact=True).click()
    expect(page.locator("h2")).to_have_text(name)
    return page


def open_todo(page, subject, name):
    """An official or expert opens the task `name` on `subject`'s case from 待办事项."""
    page.goto("/inbox/")
    row = page.locator("#todo tbody tr", has_text=subject).filter(has=page.get_by_role("link", name=name, exact=True))
    expect(row).to_have_count(1)
    row.get_by_role("link", name=name, exact=True).click()
    expect(page.locator("h2")).to_have_text(name)
    return page


def submit(page):
    page.click("#submit-task")
    expect(page.locator(".alert-success")).to_contain_text("已提交")


def fill_all(page, values):
    for selector, value in values.items():
        page.fill(selector, value)


def today_in_tianjin():
    """The date as the pages print it, which is not the machine's (UTC) date in the Tianjin morning."""
    return datetime.now(TIANJIN).date().isoformat()


def case_id_of(page):
    """The case id from the URL of a case page (/cases/<id>)."""
    return int(page.url.rstrip("/").rsplit("/", 1)[-1])


def wait_for_diagram(page, case_id):
    page.goto(f"/cases/{case_id}")
    diagram = page.locator('#diagram[data-ready="true"]')
    expect(diagram).to_be_attached()
    assert diagram.get_attribute("data-warnings") == "0"
    assert page.locator("#diagram .djs-element").count() > 5, "the diagram is drawn empty"


def marker(page, element_id):
    """The bpmn-js marker classes ('done', 'current') on a diagram element, as a set."""
    classes = page.evaluate("id => document.querySelector(`.djs-element[data-element-id='${id}']`)?.className.baseVal",
                            element_id)
    assert classes is not None, f"{element_id} is not drawn on the diagram"
    return set(classes.split()) & {"done", "current"}


def pool_row(page, name):
    page.goto("/pool")
    return page.locator("#pool tbody tr", has_text=name)


# ---------------------------------------------------------------- Art. 7: annual grading


def test_annual_grading_through_the_pages(app, as_user, login_as, new_page, screenshot):
    admit(app, as_user, "applicant1", "hexi")
    visitor = new_page()
    expect(pool_row(visitor, SMART).locator("td").nth(4)).to_have_text("")  # not graded yet

    # The city opens this year's grading round: it starts one case per provider in the pool.
    city = login_as("city")
    open_round(city, "服务商年度评价", GRADING_ROUND)
    screenshot(city, "grading-01-rounds")

    # The provider finds its report task under 我的申请 and submits the annual report with the stamped file.
    provider = login_as("applicant1")
    provider.goto("/my")
    expect(provider.locator("#my-cases tbody tr", has_text=GRADING_ROUND)).to_contain_text("服务商年度评价")
    open_my_task(provider, GRADING_ROUND, "提交年度服务报告")
    fill_all(provider, {
        "#services_delivered": "为本市制造企业提供数字化诊断与智能工厂改造服务",
        "#enterprises_served": "36", "#tianjin_enterprises_served": "30", "#service_revenue": "2300.5",
        "[name='cases-0-client']": "天津某汽车零部件有限公司", "[name='cases-0-contract_amount']": "320",
        "#complaints_received": "1", "#complaints_handled": "1", "#complaint_handling": "已回访并整改到位",
    })
    provider.select_option("[name='cases-0-status']", label="已完成")
    provider.set_input_files("#report_file", pdf("年度服务报告.pdf"))
    provider.check("#attest_truthful")
    screenshot(provider, "grading-02-report-form")
    submit(provider)
    expect(provider.locator("#my-cases tbody tr", has_text=GRADING_ROUND)).to_contain_text("审核中")

    # The city reads the report and assigns two experts.
    open_todo(city, SMART, "指派评价专家")
    expect(city.locator(".readonly-data")).to_contain_text("年度服务报告.pdf")
    city.check("input[name=experts][value=expert1]")
    city.check("input[name=experts][value=expert2]")
    screenshot(city, "grading-03-assign-experts")
    submit(city)

    # Each expert scores: 92 and 90 average 91, which the decision table grades 优秀.
    for expert, sheet in (("expert1", ("23", "37", "18", "14")), ("expert2", ("22", "36", "18", "14"))):
        page = open_todo(login_as(expert), SMART, "专家评价打分")
        page.check("#no_conflict")
        for name, value in zip(("capability", "performance", "satisfaction", "discount"), sheet, strict=True):
            page.fill(f"#score_{name}", value)
        expect(page.locator("#score")).to_have_value(str(sum(map(int, sheet))))
        page.fill("#opinion", "服务企业数量多，成效明显，投诉处理及时")
        if expert == "expert1":
            screenshot(page, "grading-04-expert-score")
        submit(page)

    # The grade and its year are public on the pool, and on the provider's membership card.
    expect(pool_row(visitor, SMART)).to_contain_text(f"优秀（{YEAR}）")
    screenshot(visitor, "grading-05-pool")
    provider.goto("/my")
    expect(provider.locator("#membership")).to_contain_text(f"年度评价：优秀（{YEAR}）")
    row = provider.locator("#my-cases tbody tr", has_text=GRADING_ROUND)
    expect(row).to_contain_text("优秀")
    screenshot(provider, "grading-06-my")

    row.get_by_role("link", name="查看进度").click()
    case_id = case_id_of(provider)
    wait_for_diagram(provider, case_id)
    expect(provider.locator("#case-status")).to_contain_text("已办结")
    expect(provider.locator("#case-status")).to_contain_text("专家平均分 91.00")
    assert "done" in marker(provider, "end_graded")
    assert "done" in marker(provider, "decide_grade")
    assert marker(provider, "start_removal_unqualified") == set()
    screenshot(provider, "grading-07-case")


# ---------------------------------------------------------------- Art. 8: removal and its announcement


def test_removal_with_statement_and_public_announcement(app, as_user, login_as, new_page, screenshot):
    admit(app, as_user, "applicant2", "nankai")
    bugs = []  # steps a page made impossible, reported at the end so the rest of the removal is still checked
    ground = "拒绝接受监督检查"
    facts = "2026年3月市工信局组织服务质量监督检查，该单位拒不提供服务合同和项目资料。"

    # The city starts the removal from the pool page.
    city = login_as("city")
    pool_row(city, NANKAI).get_by_role("link", name="发起出库").click()
    expect(city.locator("h2")).to_have_text("发起服务商出库")
    expect(city.locator("#organization")).to_have_value(credit_code_of("applicant2"))
    city.select_option("#ground", label=ground)
    city.fill("#facts", facts)
    city.set_input_files("#evidence", pdf("监督检查记录.pdf"))
    screenshot(city, "removal-01-start")
    city.click("#submit-start")
    expect(city.locator(".alert-success")).to_contain_text("已提交")
    case_id = case_id_of(city)
    expect(city.locator("#case-status")).to_contain_text("陈述申辩")
    expect(pool_row(new_page(), NANKAI)).to_have_count(1)  # nothing changes before the city decides

    # The provider states its case on the task page. It should be told the ground and the facts it answers.
    provider = login_as("applicant2")
    open_my_task(provider, "服务商出库", "陈述申辩")
    screenshot(provider, "removal-02-statement")
    told = provider.locator("main").inner_text()
    provider.goto(f"/cases/{case_id}")
    told += provider.locator("main").inner_text()
    if ground not in told or facts not in told:
        bugs.append("陈述申辩: neither the provider's task page (/tasks/<id>) nor its case page (/cases/<id>) shows "
                    "the ground (出库情形) or the facts the city entered on /start/provider_delisting, so the "
                    "provider cannot see what it is answering (the API's task context has them).")
    open_my_task(provider, "服务商出库", "陈述申辩")
    provider.fill("#statement", "检查当日负责人出差，并非拒绝检查；已于次日补交全部合同。")
    provider.set_input_files("#statement_files", pdf("补交材料回执.pdf"))
    submit(provider)

    # The city reads the statement and decides to remove the provider.
    open_todo(city, NANKAI, "出库审定")
    expect(city.locator("main")).to_contain_text("已于次日补交全部合同")
    city.check("input[name=decision][value=approve]")
    city.fill("#opinion", "经核实，该单位确有拒绝接受监督检查情形，申辩理由不成立，予以出库。")
    screenshot(city, "removal-03-decision")
    submit(city)

    # The provider is off the pool and the case ended at the removal's end event.
    visitor = new_page()
    expect(pool_row(visitor, NANKAI)).to_have_count(0)
    wait_for_diagram(city, case_id)
    expect(city.locator("#case-status")).to_contain_text("已办结：已移出资源池")
    expect(city.locator("#case-status")).to_contain_text(ground)
    assert "done" in marker(city, "publish_announcement") and "done" in marker(city, "end_removed")
    assert marker(city, "end_kept") == set()
    screenshot(city, "removal-04-case")

    # The announcement (公告) is on /notices, naming the provider; its own page should give the ground.
    visitor.goto("/notices")
    row = visitor.locator("#notices tbody tr", has_text=f"关于将{NANKAI}移出")
    expect(row).to_have_count(1)
    expect(row.locator("td").first).to_have_text("公告")
    expect(row.locator("td").nth(2)).to_have_text(NANKAI)
    screenshot(visitor, "removal-05-notices")
    with visitor.expect_response(lambda r: "/notices/" in r.url) as opened:
        row.get_by_role("link").click()
    screenshot(visitor, "removal-06-announcement")
    if opened.value.status == 404:
        bugs.append(f"公告 link on /notices ({opened.value.url}) answers 404 公示不存在: public.notice serves only "
                    "selection notices (objections.open_notice), so no page shows the announcement's text with "
                    f"its ground ({ground}).")
    else:
        expect(visitor.locator("main")).to_contain_text(ground)
        expect(visitor.locator("#objection-form")).to_have_count(0)  # an announcement takes no objections

    if bugs:
        pytest.fail("BUG: " + "\nBUG: ".join(bugs))


# ---------------------------------------------------------------- Art. 9-13: a promotion center's creation

CONSTRUCTION_PLAN = {  # the required sections of the 建设方案, single entity
    "#center_name": CENTER_NAME, "#industries": "智能制造装备、石油化工",
    "#function_resource_integration": "汇聚政产学研用金资源，整合技术、数据、标准与人才要素",
    "#function_ecosystem": "组织供需合作、产融合作、产教合作，复制推广典型经验",
    "#function_professional_services": "评估咨询、技术集成、方案开发、改造总包",
    "#content_assessment": "年度诊断规上工业企业200家，建档立卡",
    "#content_solutions": "面向中小企业打造“小快轻准”货架式方案",
    "#content_implementation": "工程总包、监理与运维一揽子服务",
    "#content_matchmaking": "每季度组织供需对接活动，服务商进园区进集群",
    "#content_facilities": "共享测试验证平台与算力资源",
    "#content_data": "建设行业高质量数据集与模型库",
    "#content_training": "建设实训基地，组建专职顾问团队",
    "#content_policy": "政策标准进园区，编发典型案例集",
    "#premises_address": "天津市滨海新区第三大街1号", "#premises_area": "1500",
    "#facilities": "测试验证实验室、5G专网接入", "#data_security": "通过等保三级测评",
    "#team_total": "48", "#industry_specialists": "20", "#digital_specialists": "24",
    "#management_team": "主要负责人从事工业数字化工作15年",
    "#revenue_last_year": "9800", "#planned_investment": "3000",
    "#operating_model": "市场化运营，设立理事会，制度流程完备",
    "#sme_discounts": "中小企业诊断免费，解决方案八折",
}


def test_center_is_created_through_the_pages(login_as, new_page, screenshot):
    city = login_as("city")
    open_round(city, "促进中心创建", CENTER_ROUND)

    # The lead unit in 滨海新区 applies in the round with its construction plan.
    lead = login_as("applicant3")
    lead.goto("/my")
    lead.select_option("#round-select", lead.locator("#round-select option", has_text=CENTER_ROUND)
                       .get_attribute("value"))
    lead.click("#start-application")
    expect(lead.locator("h2")).to_have_text("编制并提交建设方案")
    expect(lead.locator("#credit_code")).to_have_value(credit_code_of("applicant3"))  # the account's, read-only
    expect(lead.locator("#lead_name")).to_have_value(BINHAI)
    expect(lead.locator("#lead_name")).not_to_be_editable()
    fill_all(lead, CONSTRUCTION_PLAN)
    lead.check("#attest_legal_person")
    lead.check("#attest_good_standing")
    lead.check("input[name=build_mode][value=single]")
    lead.set_input_files("#business_license", pdf("营业执照.pdf"))
    lead.set_input_files("#truthfulness_pledge", pdf("真实性承诺书.pdf"))
    lead.set_input_files("#plan_document", pdf("建设方案全文.pdf"))
    screenshot(lead, "center-01-application")
    submit(lead)
    case_row = lead.locator("#my-cases tbody tr", has_text=CENTER_ROUND)
    expect(case_row).to_contain_text("审核中")
    case_id = int(case_row.get_attribute("data-instance-id"))

    # 滨海新区 checks authenticity and completeness and recommends it.
    binhai = open_todo(login_as("district-binhai"), BINHAI, "区级初筛推荐")
    expect(binhai.locator(".readonly-data").first).to_contain_text(CENTER_NAME)
    binhai.check("input[name=decision][value=approve]")
    binhai.check("#authentic")
    binhai.check("#complete")
    binhai.set_input_files("#recommendation_letter", pdf("推荐意见函.pdf"))
    screenshot(binhai, "center-02-district")
    submit(binhai)

    # The city reviews without experts, then confirms the center.
    open_todo(city, BINHAI, "市级审核")
    city.fill("#review_note", "材料齐全，无需组织专家评审")
    submit(city)
    open_todo(city, BINHAI, "确定市级促进中心")
    city.check("input[name=decision][value=approve]")
    screenshot(city, "center-03-city-decision")
    submit(city)

    visitor = new_page()
    visitor.goto("/centers")
    row = visitor.locator("#centers tbody tr", has_text=CENTER_NAME)
    expect(row).to_have_count(1)
    for text in (BINHAI, "单独组建", "滨海新区", "智能制造装备、石油化工", today_in_tianjin(), "暂无"):
        expect(row).to_contain_text(text)
    screenshot(visitor, "center-04-centers")

    wait_for_diagram(lead, case_id)
    expect(lead.locator("#case-status")).to_contain_text("已办结")
    assert "done" in marker(lead, "create_center") and "done" in marker(lead, "end_confirmed")
    assert marker(lead, "expert_review") == set()
    screenshot(lead, "center-05-case")


# ---------------------------------------------------------------- Art. 8 (四): a complaint, answered and verified


def test_complaint_is_answered_by_the_provider_and_followed_by_receipt(app, as_user, login_as, new_page, screenshot):
    """The complainant files and keeps the 受理编号; the provider answers what it is accused of without
    learning who complained; the verifier reads who did, how to reach them and the answer; the public
    follows the receipt to the finding."""
    admit(app, as_user, "applicant3", "binhai", year=2035)
    complaint = "合同约定的智能排产系统至今未上线，多次催促无果。"

    complainant = login_as("applicant2")
    complainant.goto("/my")
    complainant.locator("#start-links").get_by_role("link", name="投诉资源池中的服务商").click()
    complainant.fill("#provider_credit_code", credit_code_of("applicant3"))
    complainant.fill("#content", complaint)
    complainant.set_input_files("#attachments", pdf("采购合同.pdf"))
    complainant.click("#submit-start")
    notice = complainant.locator(".alert-success")
    expect(notice).to_contain_text("受理编号 TS-")
    receipt = notice.inner_text().split("受理编号 ")[1].split("，")[0]
    screenshot(complainant, "complaint-01-filed")

    provider = login_as("applicant3")
    provider.goto("/my")
    asked = provider.locator("#asked")
    expect(asked).to_contain_text("请本单位办理的事项")
    asked.get_by_role("link", name="答复投诉").click()
    expect(provider.locator("h2")).to_have_text("答复投诉")
    expect(provider.locator("#complaint-content")).to_contain_text(complaint)
    expect(provider.locator("#complaint-content")).to_contain_text(receipt)
    for secret in (NANKAI, "采购合同.pdf", "applicant2"):
        expect(provider.locator("body")).not_to_contain_text(secret)
    expect(provider.locator("#complainant")).to_have_count(0)
    both_widths(provider, screenshot, "complaint-02a-answer")  # an answer from a phone, too
    provider.fill("#answer", "系统已于今年6月部署上线，附客户签字的验收单。")
    provider.set_input_files("#answer_files", pdf("验收单.pdf"))
    screenshot(provider, "complaint-02-answer")
    submit(provider)
    expect(provider.locator("#asked")).to_contain_text("已办结于")

    city = open_todo(login_as("city"), BINHAI, "核实投诉")
    expect(city.locator("#complainant")).to_contain_text(NANKAI)
    expect(city.locator("#complainant")).to_contain_text("022-23456789")
    expect(city.locator("#complaint-content")).to_contain_text(complaint)
    expect(city.locator("body")).to_contain_text("系统已于今年6月部署上线")
    expect(city.locator("body")).to_contain_text("验收单.pdf")
    both_widths(city, screenshot, "complaint-03a-verify")
    city.check("input[name=decision][value=unfounded]")
    city.fill("#opinion", "经核实，系统已按合同上线并通过验收，投诉不属实。")
    screenshot(city, "complaint-03-verify")
    submit(city)

    provider.goto("/my")  # the provider learns the finding where it answered
    provider.locator("#asked").get_by_role("link", name="答复投诉").click()
    expect(provider.locator("#case-outcome")).to_contain_text("投诉经核实不属实")
    expect(provider.locator("#case-outcome")).to_contain_text("系统已按合同上线并通过验收")

    visitor = new_page()
    visitor.goto("/complaints")
    visitor.fill("input[name=receipt]", receipt)
    visitor.locator("input[name=receipt]").press("Enter")
    expect(visitor.locator("body")).to_contain_text("投诉不属实")
    expect(visitor.locator("body")).to_contain_text("经核实，系统已按合同上线并通过验收")
    expect(visitor.locator("body")).not_to_contain_text(NANKAI)
    screenshot(visitor, "complaint-04-receipt")
