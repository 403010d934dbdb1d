"""Four rule changes made in the browser by the process owner alone, approved by a city official, in
Chromium: the notice period 7 → 10 days in the parameters panel, a new required field in the application
form, a new provider category in its choice list, and the district review by two officials (会签) set in
the modeler's panel. A case started before the change finishes on its old rules; a case started after
follows the new ones."""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from webapp.extensions import db
from webapp.models import ProcessDefinition

CHINA = ZoneInfo("Asia/Shanghai")

ADDRESS_FIELD = ("  - name: office_address\n    type: text\n    label: 在津办公地址\n    required: true\n"
                 "    max_length: 200\n\n")


def api(app, username):
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location("unit_conftest", Path(__file__).resolve().parents[1] / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.Api(app.test_client(), username)


def latest(app):
    with app.app_context():
        row = (ProcessDefinition.query.filter_by(key="provider_selection")
               .order_by(ProcessDefinition.version.desc()).first())
        db.session.remove()
        return row.version


def started(app, username, round_id):
    applicant = api(app, username)
    response = applicant.post("/process-instances", {"process": "provider_selection", "round_id": round_id})
    assert response.status_code == 201, response.get_json()
    return applicant, response.get_json()["id"]


def submit(applicant, instance_id, **extra):
    from selection import application, complete
    complete(applicant, instance_id, "submit_application", application(applicant, **extra))


def sign(district, instance_id):
    from selection import complete
    letter = district.upload("推荐函.pdf").get_json()["id"]
    complete(district, instance_id, "district_review",
             {"decision": "approve", "opinion": "同意推荐", "recommendation_letter": letter})


def to_notice(app, instance_id):
    from selection import complete, publish_list, sheet
    city = api(app, "city")
    complete(city, instance_id, "city_formal_check", {"decision": "approve", "experts": ["expert1"]})
    complete(api(app, "expert1"), instance_id, "expert_review", sheet("expert_review", 85))
    complete(city, instance_id, "city_decision", {"decision": "approve", "opinion": "列入初选名单"})
    notice = publish_list(city, instance_id)  # the round's list, published by the city
    starts, ends = (datetime.fromisoformat(notice[k]).astimezone(CHINA) for k in ("starts_at", "ends_at"))
    return timedelta(days=(ends.date() - starts.date()).days)  # the period as dates


def save(page, button, status):
    page.locator(button).click()
    expect(page.locator(status)).to_have_attribute("data-ok", "true")


def test_four_rule_changes_in_the_browser_old_cases_keep_their_rules(app, login_as, screenshot, monkeypatch):
    from selection import open_round

    monkeypatch.setitem(app.config, "RULE_CHANGE_APPROVAL", True)  # four eyes, as in production
    base = latest(app)
    round_id = open_round(api(app, "city"), 2027)
    old_applicant, old_case = started(app, "applicant1", round_id)  # on the rules in force
    owner = login_as("owner")

    # 1. The notice period, 7 → 10 days, in the parameters panel.
    owner.goto("/workspace/provider_selection/parameters")
    expect(owner.locator("#param-notice_days")).to_have_value("7")
    owner.fill("#param-notice_days", "6")
    owner.locator("#parameters-save").click()
    expect(owner.locator("#parameters-status")).to_contain_text("不能小于 7")  # Art. 6: at least 7 days
    owner.fill("#param-notice_days", "10")
    save(owner, "#parameters-save", "#parameters-status")
    screenshot(owner, "rules-01-parameters")

    # 2. A new required field of the application form, in the form editor (its preview follows the YAML).
    owner.goto("/workspace/provider_selection/forms/provider_application")
    source = owner.locator("#form-yaml")
    text = source.input_value()
    source.fill(text.replace("  # 人员与经营情况\n", ADDRESS_FIELD + "  # 人员与经营情况\n", 1))
    expect(owner.locator('#form-preview [data-field="office_address"]')).to_be_visible()
    owner.locator("#form-save").click()
    expect(owner.locator("#form-save-status")).to_have_class(re.compile("alert-success"))
    screenshot(owner, "rules-02-form")

    # 3. A new provider category, in its choice list.
    owner.goto("/workspace/provider_selection/lists/provider_categories")
    listed = owner.locator("#yaml-source")
    listed.fill(listed.input_value() + "- {value: data_services, label: 数据服务, label_en: Data services}\n")
    save(owner, "#yaml-save", "#yaml-status")

    # 4. The district review signed by two officials (会签), in the modeler's properties panel.
    owner.goto("/workspace/provider_selection")
    expect(owner.locator('#modeler[data-ready="true"]')).to_be_attached()
    owner.locator('#modeler .djs-element[data-element-id="district_review"]').click()
    expect(owner.locator("#prop-role")).to_contain_text("区工业和信息化主管部门")
    expect(owner.locator("#prop-formKey")).to_have_value("district_review")
    owner.fill("#prop-countersign", "2")
    owner.locator("#prop-countersign").press("Enter")
    expect(owner.locator("#prop-countersignRule")).to_have_value("all")
    screenshot(owner, "rules-03-countersign")
    owner.locator("#lint-button").click()
    expect(owner.locator("#workspace-status")).to_have_class(re.compile("alert-success"))
    owner.fill("#deploy-note", "公示10日；新增在津办公地址；新增数据服务类别；区级会签")
    owner.locator("#deploy-button").click()
    expect(owner.locator("#workspace-status")).to_have_attribute("data-pending", re.compile(r"\d+"))
    assert latest(app) == base  # nothing in force changed before the approval

    # A city official compares the change with the version in force, then approves it.
    city = login_as("city2")
    city.goto("/inbox/")
    city.locator("#todo").get_by_role("link", name="审核规则变更").first.click()
    expect(city.locator("#rule-change")).to_contain_text("新增在津办公地址")
    city.locator("#compare-change").click()
    expect(city.locator('[data-form="provider_application"]')).to_contain_text("office_address")
    expect(city.locator('[data-part="parameters.yaml"]')).to_contain_text("value: 10")
    expect(city.locator('[data-part="lists/provider_categories.yaml"]')).to_contain_text("data_services")
    expect(city.locator('#changes li[data-element-id="district_review"]')).to_contain_text("countersign")
    screenshot(city, "rules-04-compare")
    city.go_back()
    city.check("input[name=decision][value=approve]")
    city.fill("#opinion", "同意")
    city.click("#submit-task")
    expect(city.locator(".alert-success")).to_contain_text("已提交")
    assert latest(app) == base + 1

    # The new case follows the new rules: the field, the category, two signatures, a 10-day notice.
    new_applicant, new_case = started(app, "applicant2", round_id)
    page = login_as("applicant2")
    page.goto("/my")
    page.locator("#my-cases").get_by_role("link", name="填写并提交申报书").click()
    expect(page.locator('[data-field="office_address"]')).to_be_visible()
    expect(page.locator("#category option[value=data_services]")).to_have_count(1)
    screenshot(page, "rules-05-new-case-form")
    submit(new_applicant, new_case, office_address="天津市南开区某路1号", category="data_services")
    sign(api(app, "district-nankai"), new_case)
    hexi_page = login_as("district-nankai")
    with app.app_context():
        from webapp.models import HumanTask
        task_id = HumanTask.query.filter_by(instance_id=new_case, element_id="district_review", state="open").one().id
        db.session.remove()
    hexi_page.goto(f"/tasks/{task_id}")
    expect(hexi_page.locator("#signed")).to_be_visible()  # one of two signatures: the same official cannot sign again
    expect(hexi_page.locator("#votes")).to_contain_text("南开区工业和信息化局")
    screenshot(hexi_page, "rules-06-countersign-waiting")

    # The old case keeps its rules: no new field, no new category, one signature, a 7-day notice.
    page = login_as("applicant1")
    page.goto("/my")
    page.locator("#my-cases").get_by_role("link", name="填写并提交申报书").click()
    expect(page.locator('[data-field="office_address"]')).to_have_count(0)
    expect(page.locator("#category option[value=data_services]")).to_have_count(0)
    submit(old_applicant, old_case)
    sign(api(app, "district-hexi"), old_case)
    assert to_notice(app, old_case) == timedelta(days=7)

    # The new case's second official signs, and its notice lasts 10 days.
    with app.app_context():
        from webapp.models import User
        second = User(username="district-nankai2", display_name="南开区工业和信息化局（二）", role="district",
                      district="nankai")
        second.set_password("demo12345")
        db.session.add(second)
        db.session.commit()
        db.session.remove()
    sign(api(app, "district-nankai2"), new_case)
    assert to_notice(app, new_case) == timedelta(days=10)
    fired = app.test_cli_runner().invoke(args=["timers", "run", "--as-of",
                                               (datetime.now(UTC) + timedelta(days=8)).isoformat()])
    assert fired.output.strip() == "fired 1", fired.output  # day 8: only the old case's notice is over

    # The session's other browser tests run on the shipped rules again.
    with app.app_context():
        from pathlib import Path

        from webapp import engine
        root = Path(__file__).resolve().parents[2]
        engine.deploy(engine.from_repository(root / "processes" / "provider_selection.bpmn", root / "forms"),
                      actor="cli")
        db.session.commit()
        db.session.remove()
