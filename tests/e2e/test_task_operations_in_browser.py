"""转办, 催办, 抄送 and 暂存 in Chromium, as the officials and the applicant would: a district official hands
the review to a colleague, who finds it through the bell; the city urges it and copies the case to another
district; the applicant saves a half-filled application, and finds it again after signing in anew."""

import re

from api_client import Api
from playwright.sync_api import expect
from selection import apply, assign_experts, complete, open_round, recommend, sheet, task_for


def test_transfer_urge_copy_and_a_draft_found_again(app, login_as, screenshot, monkeypatch):
    monkeypatch.setitem(app.config, "AUTOSAVE_SECONDS", 1)
    client = app.test_client()
    as_user = lambda username: Api(client, username)  # noqa: E731 - the unit tests' helper, over this app
    instance_id, _ = apply(as_user, year=2031)
    task_id = task_for(as_user("district-hexi"), instance_id, "district_review")

    hexi = login_as("district-hexi")
    hexi.goto(f"/tasks/{task_id}")
    expect(hexi.locator("#workdays-left")).to_contain_text("个工作日")
    hexi.select_option("#handover-to", "district-hexi2")
    hexi.fill("#handover-comment", "本周由你负责初审")
    hexi.click("#transfer-button")
    expect(hexi.locator(".alert-success")).to_contain_text("已转办")
    screenshot(hexi, "ops-01-transferred")

    colleague = login_as("district-hexi2")
    expect(colleague.locator("#unread-count")).to_be_visible()
    colleague.click("#bell")
    item = colleague.locator('#notifications li[data-kind="transfer"]')
    expect(item).to_contain_text("本周由你负责初审")
    item.get_by_role("button", name="查看").click()
    expect(colleague).to_have_url(re.compile(f"/tasks/{task_id}$"))
    screenshot(colleague, "ops-02-found-through-the-bell")

    city = login_as("city")
    city.goto(f"/cases/{instance_id}")
    city.locator("#urge input[name=message]").fill("请本周内完成初审")
    city.locator(f'#urge button[data-task-id="{task_id}"]').click()
    expect(city.locator(".alert-success")).to_contain_text("已催办")
    city.goto(f"/tasks/{task_id}")
    city.select_option("#cc-to", ["district-nankai"])
    city.fill("#cc-comment", "供南开区参考")
    city.click("#cc-button")
    expect(city.locator(".alert-success")).to_contain_text("已抄送")
    city.goto(f"/cases/{instance_id}")
    expect(city.locator('#history li[data-action="urge"]')).to_contain_text("请本周内完成初审")
    expect(city.locator('#history li[data-action="cc"]')).to_contain_text("南开区工业和信息化局")

    colleague.goto("/notifications")
    expect(colleague.locator('#notifications li[data-kind="urge"]')).to_contain_text("请本周内完成初审")
    nankai = login_as("district-nankai")
    nankai.goto("/inbox/cc")
    expect(nankai.locator(f'#copies tr[data-instance-id="{instance_id}"]')).to_contain_text("未读")
    nankai.locator(f'#copies tr[data-instance-id="{instance_id}"] a').click()
    expect(nankai.locator("#history")).to_contain_text("抄送")
    screenshot(nankai, "ops-03-copy-read")

    round_id = open_round(as_user("city"), year=2032)
    started = as_user("applicant2").post("/process-instances", {"process": "provider_selection", "round_id": round_id})
    draft_task = task_for(as_user("applicant2"), started.get_json()["id"], "submit_application")
    applicant = login_as("applicant2")
    applicant.goto(f"/tasks/{draft_task}")
    applicant.fill("#contact_name", "刘经理")
    applicant.click("#save-draft")
    expect(applicant.locator(".alert-success")).to_contain_text("已暂存")
    expect(applicant.locator("#contact_name")).to_have_value("刘经理")
    applicant.fill("#staff_total", "66")
    expect(applicant.locator("#draft-status")).to_have_text("已自动暂存", timeout=10_000)
    screenshot(applicant, "ops-04-draft-saved")

    again = login_as("applicant2")  # a new sign-in, another browser context: only the server's draft
    again.goto(f"/tasks/{draft_task}")
    expect(again.locator("#contact_name")).to_have_value("刘经理")
    expect(again.locator("#staff_total")).to_have_value("66")

    # Both applicants withdraw (no official has decided yet), leaving the shared browser-test app as it was.
    for username, case_id in (("applicant1", instance_id), ("applicant2", started.get_json()["id"])):
        withdrawn = as_user(username).post(f"/process-instances/{case_id}/withdraw", {"reason": "测试结束"})
        assert withdrawn.status_code == 200


def test_the_city_removes_an_expert_and_an_applicant_withdraws_from_the_case_page(app, login_as, screenshot):
    """减签 from the case page: the expert's review leaves their inbox and they are told; 撤回 from the case
    page: the case ends on the diagram's withdrawal path."""
    client = app.test_client()
    as_user = lambda username: Api(client, username)  # noqa: E731 - the unit tests' helper, over this app
    instance_id, _ = apply(as_user, year=2033)
    recommend(as_user("district-hexi"), instance_id)
    assign_experts(as_user("city"), instance_id, ("expert1", "expert2"))
    removed = task_for(as_user("expert2"), instance_id, "expert_review")

    city = login_as("city")
    city.goto(f"/cases/{instance_id}")
    city.locator(f'#replace-experts form:has(button[data-remove-task-id="{removed}"]) input[name=comment]').fill(
        "专家临时出差")
    city.click(f'button[data-remove-task-id="{removed}"]')
    expect(city.locator(".alert-success")).to_contain_text("已减少评审专家")
    city.goto(f"/cases/{instance_id}")
    expect(city.locator('#history li[data-action="remove_reviewer"]')).to_contain_text("专家临时出差")
    screenshot(city, "ops-05-expert-removed")

    expert = login_as("expert2")
    expect(expert.locator(f'a[href="/tasks/{removed}"]')).to_have_count(0)
    expert.goto("/notifications")
    expect(expert.locator('#notifications li[data-kind="removed"]')).to_contain_text("已撤销")
    # The review goes on with expert1 alone; the city closes the case so the shared app stays as it was.
    complete(as_user("expert1"), instance_id, "expert_review", sheet("expert_review", 80))
    complete(as_user("city"), instance_id, "city_decision", {"decision": "reject", "opinion": "测试结束"})

    started, _ = apply(as_user, username="applicant2", year=2034)
    applicant = login_as("applicant2")
    applicant.goto(f"/cases/{started}")
    applicant.fill("#withdraw-form input[name=reason]", "重新准备材料")
    applicant.click("#withdraw-button")
    expect(applicant.locator(".alert-success")).to_contain_text("申请已撤回")
    applicant.goto(f"/cases/{started}")
    expect(applicant.locator("body")).to_contain_text("申请人已撤回")
    expect(applicant.locator("#withdraw-form")).to_have_count(0)
    screenshot(applicant, "ops-06-withdrawn")
    assert as_user("applicant2").get(f"/process-instances/{started}").get_json()["status"] == "terminated"
