"""The process owner edits a diagram in the bpmn-js modeler, in Chromium: a 3-day notice written over the
rule parameter in the properties panel is marked on its element by 检查; set back to the parameter and the step
renamed, it deploys with a change note as a new version (the shipped scenarios run, as in production), and the
comparison of the two versions marks the changed element."""
import re

from playwright.sync_api import expect

PARAMETER = '"P%dD" % params["notice_days"]'  # the notice period reads the rule parameter


def element(page, scope, element_id):
    return page.locator(f'{scope} .djs-element[data-element-id="{element_id}"]')


def open_modeler(login_as, key):
    """The owner's workspace of process `key`, its diagram drawn."""
    page = login_as("owner")
    page.goto(f"/workspace/{key}")
    expect(page.locator('#modeler[data-ready="true"]')).to_be_attached()
    return page


def classes(locator):
    return set((locator.get_attribute("class") or "").split())


def test_owner_edits_lints_fixes_deploys_and_compares(app, login_as, screenshot, monkeypatch):
    monkeypatch.setitem(app.config, "DEPLOY_SCENARIOS", True)  # the e2e app turns them off; production runs them
    page = open_modeler(login_as, "provider_selection")
    base = int(re.search(r"v(\d+)", page.locator("h2 small").inner_text()).group(1))

    # Select the notice's service task on the canvas; the properties panel shows its period parameter.
    element(page, "#modeler", "publish_notice").click()
    expect(page.locator("#properties-panel")).to_contain_text("publish_notice")
    period = page.locator("#prop-parameter-period")
    expect(period).to_have_value(PARAMETER)
    period.fill('"P3D"')
    period.press("Enter")
    period.blur()

    page.locator("#lint-button").click()
    finding = page.locator('#lint-findings li[data-element-id="publish_notice"]')
    expect(finding).to_contain_text("P3D")
    expect(page.locator("#workspace-status")).to_have_class(re.compile("alert-danger"))
    expect(page.locator("#modeler")).to_have_attribute("data-marked", "publish_notice")
    shape = element(page, "#modeler", "publish_notice")
    expect(shape).to_have_class(re.compile(r"\blint-error\b"))
    expect(page.locator('#modeler .djs-overlays[data-container-id="publish_notice"] .lint-badge')).to_have_text("1")
    screenshot(page, "modeler-01-lint-error-marked")
    with page.expect_response(lambda r: r.url.endswith("/workspace/deploy")) as refused:
        page.locator("#deploy-button").click()  # 部署 runs the same lint and refuses
    assert refused.value.status == 422
    expect(page.locator("#workspace-status")).to_have_class(re.compile("alert-danger"))
    expect(page.locator("#modeler")).to_have_attribute("data-marked", "publish_notice")
    assert page.locator("#workspace-status").get_attribute("data-version") is None

    # Fix it from the finding (clicking it selects its element): back to the parameter, and the step renamed.
    finding.click()
    period = page.locator("#prop-parameter-period")
    expect(period).to_have_value('"P3D"')
    period.fill(PARAMETER)
    period.press("Enter")
    name = page.locator("#prop-name")
    name.fill("发布入库名单公示")
    name.press("Enter")
    name.blur()
    expect(page.locator("#modeler")).to_contain_text("发布入库名单公示")
    page.locator("#lint-button").click()
    expect(page.locator("#workspace-status")).to_have_class(re.compile("alert-success"))
    expect(page.locator("#lint-findings li")).to_have_count(0)
    expect(page.locator("#modeler")).to_have_attribute("data-marked", "")
    assert "lint-error" not in classes(element(page, "#modeler", "publish_notice"))
    screenshot(page, "modeler-02-lint-clean")

    page.fill("#deploy-note", "公示环节改名")
    page.locator("#deploy-button").click()
    status = page.locator("#workspace-status")
    # the deploy runs every shipped scenario first: seconds of work, more on a busy machine
    expect(status).to_have_attribute("data-version", str(base + 1), timeout=60_000)
    expect(status).to_contain_text(f"provider_selection v{base + 1}")
    screenshot(page, "modeler-03-deployed")

    with app.app_context():
        from webapp.models import ProcessDefinition
        row = ProcessDefinition.query.filter_by(key="provider_selection", version=base + 1).one()
        assert re.search(r'id="period" type="str" value="(&quot;|&#34;)P%dD(&quot;|&#34;) % params\[(&quot;|&#34;)'
                         r'notice_days', row.bpmn_xml)
        assert 'name="发布入库名单公示"' in row.bpmn_xml and "公示环节改名" in (row.note or "")

    page.goto(f"/versions/provider_selection/compare?a={base}&b={base + 1}")
    for side in ("a", "b"):
        expect(page.locator(f'#diagram-{side}[data-ready="true"]')).to_be_attached()
        expect(element(page, f"#diagram-{side}", "publish_notice")).to_have_class(re.compile(r"\bdiff-changed\b"))
    assert "diff-changed" not in classes(element(page, "#diagram-b", "city_decision"))
    changed = page.locator('#changes li[data-kind="changed"][data-element-id="publish_notice"]')
    expect(changed).to_contain_text("列入拟入库名单")
    expect(changed).to_contain_text("发布入库名单公示")
    expect(page.locator('#changes li[data-kind]')).to_have_count(1)
    screenshot(page, "modeler-04-compare")


def test_a_copied_task_keeps_its_form_time_limit_and_countersign(login_as, screenshot):
    """Ctrl+C / Ctrl+V of a user task: the copy has the same form, time limit and 会签 in the panel (bpmn-js alone
    drops Spiff's extension elements, so a pasted review step would have no form)."""
    page = open_modeler(login_as, "provider_selection")
    shape = element(page, "#modeler", "district_review")
    shape.click()
    page.fill("#prop-countersign", "2")
    page.locator("#prop-countersign").press("Enter")
    page.locator("#prop-countersignRule").select_option("majority")
    due = page.locator("#prop-dueWorkingDays").input_value()
    assert due.isdigit()

    shape.click()  # the canvas takes the keys again; a click on the selected task unselects it (diagram-js)
    shape.click()
    expect(page.locator("#prop-element")).to_contain_text("district_review")
    box = shape.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] + 35
    page.keyboard.press("Control+c")
    page.mouse.move(x, y)
    page.keyboard.press("Control+v")
    page.mouse.move(x + 5, y + 5)
    page.mouse.click(x + 5, y + 5)

    expect(page.locator("#prop-element")).not_to_contain_text("district_review")
    expect(page.locator("#prop-formKey")).to_have_value("district_review")
    expect(page.locator("#prop-dueWorkingDays")).to_have_value(due)
    expect(page.locator("#prop-countersign")).to_have_value("2")
    expect(page.locator("#prop-countersignRule")).to_have_value("majority")
    screenshot(page, "modeler-04-pasted-task")


def test_the_withdrawal_path_is_seen_and_changed_in_the_panel(login_as, screenshot):
    """撤回 is the diagram's: the panel shows the boundary event's message and the end's outcome and how it ends
    the case; making the end 办结 instead of 终止 removes its status property from the saved diagram."""
    page = open_modeler(login_as, "provider_selection")
    element(page, "#modeler", "withdraw_in_review").click()
    expect(page.locator("#prop-element")).to_contain_text("withdraw_in_review")
    expect(page.locator("#prop-message")).to_have_value("msg_withdraw")
    element(page, "#modeler", "district_review").click()
    expect(page.locator("#prop-takeBack")).to_have_value("")
    page.locator("#prop-takeBack").select_option("False")
    element(page, "#modeler", "end_withdrawn").click()
    expect(page.locator("#prop-outcome")).to_have_value('"withdrawn"')
    expect(page.locator("#prop-status")).to_have_value('"terminated"')
    screenshot(page, "modeler-05-withdrawal-end")
    page.locator("#prop-status").select_option("")
    xml = page.evaluate("async () => (await window.workspaceModeler.saveXML()).xml")
    end = xml[xml.index('id="end_withdrawn"'):]
    end = end[:end.index("</bpmn:endEvent>")]
    assert 'name="outcome"' in end and 'name="status"' not in end
    review = xml[xml.index('<bpmn:userTask id="district_review"'):]
    assert 'name="takeBack" value="False"' in review[:review.index("</bpmn:userTask>")]


def test_who_reads_a_step_and_whose_inbox_it_goes_to_are_in_the_panel(login_as, screenshot):
    """The complaint's answer goes to the provider complained about (organization) and is read by the city
    alone (readableBy); the owner sees and changes both in the panel, not only in the XML."""
    page = open_modeler(login_as, "complaint")
    element(page, "#modeler", "provider_answer").click()
    expect(page.locator("#prop-organization")).to_have_value('registered_complaint["provider_org_id"]')
    expect(page.locator("#prop-readableBy")).to_have_value("city")
    expect(page.locator("#prop-dueWorkingDays")).to_have_value('params["answer_days"]')  # a rule parameter
    page.locator("#prop-readableBy").fill("city, party")
    page.locator("#prop-readableBy").blur()  # its change event sets the property
    element(page, "#modeler", "verify_complaint").click()  # the city's lane: no organization to choose
    expect(page.locator("#prop-element")).to_contain_text("verify_complaint")
    expect(page.locator("#prop-organization")).to_have_count(0)
    expect(page.locator("#prop-readableBy")).to_have_value("")
    screenshot(page, "modeler-06-readers")
    xml = page.evaluate("async () => (await window.workspaceModeler.saveXML()).xml")
    answer = xml[xml.index('<bpmn:userTask id="provider_answer"'):]
    assert 'name="readableBy" value="city, party"' in answer[:answer.index("</bpmn:userTask>")]
