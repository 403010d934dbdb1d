"""What an applicant, the public and the city read (issue 15), in Chromium: the city opens a call with its
text and a template through its page; the public finds it on the home page; an enterprise applies and
follows its case on the step bar through a return (申报 → 区级初审 → 申报 again), its 流转记录 naming
offices; every page at 390 px (the navigation collapses, tables scroll in their box, 退出 is reachable)
and at 1366 px, with screenshots of both."""

import re
from datetime import date, timedelta

import pytest
from api_client import Api
from playwright.sync_api import expect
from selection import application, complete

from webapp.extensions import db
from webapp.formkit.credit_code import check_digit
from webapp.models import Organization, User

ORG = "天津进度演示科技有限公司"
FIRST17 = "91120102MA0P4G3D7"  # 河东区
TITLE = "2034年度服务商遴选申报通知（进度测试）"
PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1366, "height": 900}


@pytest.fixture(scope="module")
def enterprise(app):
    """An enterprise of 河东区 and its account (password demo12345), as registration leaves them."""
    with app.app_context():
        org = Organization(name=ORG, credit_code=FIRST17 + check_digit(FIRST17), district="hedong",
                           contact_name="王经理", contact_phone="13700000000", contact_email="wang@example.cn")
        db.session.add(org)
        db.session.flush()
        user = User(username="progress-demo", display_name=ORG, role="applicant", district="hedong",
                    organization_id=org.id, email="wang@example.cn")
        user.set_password("demo12345")
        db.session.add(user)
        db.session.commit()
        db.session.remove()
    return "progress-demo"


def steps(page):
    """{milestone label: state} of the case page's step bar."""
    bar = page.locator("#progress li")
    return dict(zip(bar.locator(".step-label").all_inner_texts(), bar.evaluate_all(
        "items => items.map(i => i.dataset.state)"), strict=True))


def fits(page):
    """Nothing wider than the screen: the page never scrolls sideways."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def both_widths(page, screenshot, name):
    page.set_viewport_size(PHONE)
    assert fits(page), f"{name} scrolls sideways at 390 px"
    screenshot(page, f"{name}-390")
    page.set_viewport_size(DESKTOP)
    screenshot(page, f"{name}-1366")


def test_a_call_and_an_applicants_step_bar_through_a_return(app, enterprise, login_as, new_page, screenshot):
    closes = date.today() + timedelta(days=30)
    city = login_as("city")
    city.goto("/rounds/")
    city.select_option("#kind", "provider_selection")
    city.fill("#year", "2034")
    city.fill("#title", TITLE)
    city.fill("#body", "一、申报条件：在津注册的独立法人。\n二、申报材料：按附件模板填写申报书。")
    city.fill("#closes_on", closes.isoformat())
    city.set_input_files("#attachments", {"name": "申报书模板.docx", "mimeType": "application/octet-stream",
                                          "buffer": b"PK\x03\x04" + b"\0" * 64})
    city.get_by_role("button", name="开启批次").click()
    expect(city.locator(".alert-success")).to_contain_text("申报批次已开启")
    row = city.locator("#rounds tbody tr", has_text=TITLE)
    expect(row).to_contain_text("开放中")

    visitor = new_page()
    visitor.goto("/")
    visitor.locator("#calls").get_by_role("link", name=TITLE).click()
    expect(visitor.locator("#call-body")).to_contain_text("一、申报条件：在津注册的独立法人。")
    expect(visitor.locator("#call-period")).to_contain_text(f"{closes:%Y-%m-%d} 23:59")
    with visitor.expect_download() as download:
        visitor.locator("#call-files").get_by_role("link", name="申报书模板.docx").click()
    assert download.value.suggested_filename == "申报书模板.docx"
    both_widths(visitor, screenshot, "progress-01-call")

    applicant = login_as(enterprise)
    applicant.goto("/my")
    option = applicant.locator("#round-select option", has_text=TITLE)
    applicant.select_option("#round-select", option.get_attribute("value"))
    applicant.click("#start-application")
    expect(applicant.locator("h2")).to_have_text("填写并提交申报书")
    applicant.goto("/my")
    case_id = applicant.locator("#my-cases tr", has_text=TITLE).get_attribute("data-instance-id")
    applicant.goto(f"/cases/{case_id}")
    assert steps(applicant) == {"申报": "current", "区级初审": "todo", "市级审核": "todo", "专家评审": "todo",
                                "公示": "todo", "入库": "todo"}
    expect(applicant.locator("#progress-task")).to_have_text("填写并提交申报书")
    expect(applicant.locator("#progress-due")).to_contain_text(f"{closes:%Y-%m-%d} 23:59")
    expect(applicant.locator("#diagram")).to_have_count(0)  # the diagram is a click away
    both_widths(applicant, screenshot, "progress-02-to-apply")

    api = Api(app.test_client(), enterprise)
    complete(api, int(case_id), "submit_application", application(api))
    applicant.goto("/my")
    expect(applicant.locator("#applied-rounds")).to_contain_text(TITLE)
    expect(applicant.locator("body")).not_to_contain_text("当前没有开放的申报批次")
    applicant.goto(f"/cases/{case_id}")
    assert steps(applicant)["申报"] == "done" and steps(applicant)["区级初审"] == "current"
    expect(applicant.locator("#progress-told")).to_contain_text("正在初审，您无需操作")

    hedong = login_as("district-hedong")
    hedong.goto("/inbox/")
    hedong.locator("#todo tbody tr", has_text=ORG).get_by_role("link", name="区级初审推荐").click()
    hedong.check("input[name=decision][value=return]")
    hedong.fill("#opinion", "请补充在津服务案例的合同")
    hedong.click("#submit-task")
    expect(hedong.locator(".alert-success")).to_contain_text("已提交")

    applicant.goto(f"/cases/{case_id}")
    assert steps(applicant) == {"申报": "current", "区级初审": "todo", "市级审核": "todo", "专家评审": "todo",
                                "公示": "todo", "入库": "todo"}
    history = applicant.locator("#history")
    review = history.locator('li[data-action="complete"]', has_text="区级初审推荐")
    expect(review).to_contain_text("河东区工业和信息化局")
    expect(history.locator('li[data-action="decision"]').first).to_contain_text("系统")
    expect(history).not_to_contain_text("district-hedong")
    both_widths(applicant, screenshot, "progress-03-returned")
    applicant.click("#progress-task")
    expect(applicant.locator("#return-opinion")).to_contain_text("请补充在津服务案例的合同")
    applicant.goto(f"/cases/{case_id}")
    applicant.click("#show-diagram")
    expect(applicant.locator('#diagram[data-ready="true"]')).to_be_attached()


PAGES = {"city": ["/inbox/", "/cases", "/rounds/", "/district/summary", "/notices", "/pool"],
         "progress-demo": ["/my"], None: ["/", "/pool", "/notices", "/centers", "/objections"]}


@pytest.mark.parametrize("who", list(PAGES), ids=lambda who: who or "public")
def test_every_page_is_usable_at_390_px(who, enterprise, login_as, new_page, screenshot):
    page = login_as(who) if who else new_page()
    for path in PAGES[who]:
        page.set_viewport_size(PHONE)
        page.goto(path)
        assert fits(page), f"{path} scrolls sideways at 390 px"
        expect(page.locator("#main-nav")).to_be_hidden()
        for table in page.locator("main table").all():
            assert table.evaluate("t => !!t.closest('.table-responsive')"), f"a table of {path} cannot scroll"
        name = f"mobile-{who or 'public'}-{re.sub(r'[^a-z]+', '-', path).strip('-') or 'home'}"
        screenshot(page, f"{name}-390")
        page.set_viewport_size(DESKTOP)
        expect(page.locator("#main-nav")).to_be_visible()
        screenshot(page, f"{name}-1366")
    page.set_viewport_size(PHONE)
    page.click("#nav-toggle")
    expect(page.locator("#main-nav")).to_be_visible()
    if who is None:
        expect(page.get_by_role("link", name="登录")).to_be_in_viewport()
        return
    logout = page.get_by_role("button", name="退出")
    expect(logout).to_be_in_viewport()
    box = logout.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    logout.click()
    expect(page.locator("#who")).to_have_count(0)
