"""The process owner's workspace: lint with element ids, the regulation's guardrails (Art. 6 notice, Art. 7
bands, Art. 8 grounds) in the workspace, the API and the CLI, the modeler page and the form editor."""

import re
import shutil
from io import BytesIO

import pytest
from conftest import ROOT
from web import Session

from webapp.models import AuditEvent, ProcessDefinition

PROCESSES = ROOT / "processes"
SELECTION = (PROCESSES / "provider_selection.bpmn").read_text(encoding="utf-8")
GRADING = (PROCESSES / "provider_grading.bpmn").read_text(encoding="utf-8")
GRADES = (PROCESSES / "provider_grading.dmn").read_text(encoding="utf-8")
DELISTING = (PROCESSES / "provider_delisting.bpmn").read_text(encoding="utf-8")
# Art. 7 moved: "excellent" from 85 instead of 90.
CHANGED_GRADES = GRADES.replace("&gt;= 90", "&gt;= 85").replace("80 &lt;= ? &lt; 90", "80 &lt;= ? &lt; 85")


def token_of(html):
    match = re.search(r'<meta name="csrf-token" content="([^"]+)"', html)
    assert match, "page has no csrf-token meta"
    return match.group(1)


class Workspace(Session):
    def __init__(self, app, username="owner"):
        super().__init__(app, username)
        self.token = token_of(self.text("/workspace/provider_selection")) if username == "owner" else None

    def post_json(self, path, body, token=True):
        headers = {"X-CSRFToken": self.token} if token else {}
        return self.client.post(path, json=body, headers=headers)


@pytest.fixture
def owner(app):
    return Workspace(app)


def latest(app, key):
    with app.app_context():
        row = ProcessDefinition.query.filter_by(key=key).order_by(ProcessDefinition.version.desc()).first()
        return row.version, row.note


# Lint.

def test_lint_names_element_and_line_of_a_refused_expression(owner):
    broken = SELECTION.replace("<bpmn:conditionExpression>", "<bpmn:conditionExpression>__import__('os') or ", 1)
    line = next(n for n, text in enumerate(broken.splitlines(), 1) if "__import__" in text)
    response = owner.post_json("/workspace/lint", {"bpmn": broken})
    assert response.status_code == 200
    body = response.get_json()
    assert body["ok"] is False and body["policy_change"] is False
    [finding] = body["findings"]
    assert finding["element_id"] == "flow_recommend"  # the sequence flow holding the condition
    assert finding["line"] == line
    assert finding["file"] == "provider_selection.bpmn"
    assert finding["severity"] == "error"
    assert "__import__" in finding["message"]


def test_lint_reports_unreadable_and_invalid_diagrams_as_findings(owner):
    junk = owner.post_json("/workspace/lint", {"bpmn": "<not xml"}).get_json()
    assert junk["ok"] is False and len(junk["findings"]) == 1 and junk["findings"][0]["severity"] == "error"
    invalid = SELECTION.replace('<bpmn:userTask id="district_review"', '<bpmn:userTask id="district_review" bogus="1"')
    assert invalid != SELECTION
    [finding] = owner.post_json("/workspace/lint", {"bpmn": invalid}).get_json()["findings"]
    line = SELECTION[:SELECTION.index('<bpmn:userTask id="district_review"')].count("\n") + 1
    assert "BPMN" in finding["message"] and finding["line"] == line
    no_process = SELECTION.replace('isExecutable="true"', 'isExecutable="false"')
    [finding] = owner.post_json("/workspace/lint", {"bpmn": no_process}).get_json()["findings"]
    assert "isExecutable" in finding["message"]
    assert owner.post_json("/workspace/lint", {"dmn": []}).status_code == 400


def test_lint_names_an_unreachable_end_and_a_loop_without_exit(owner):
    # flow_district_reject now goes back to the district review: its end is never reached.
    unreachable = SELECTION.replace('sourceRef="gw_district" targetRef="end_district_rejected"',
                                    'sourceRef="gw_district" targetRef="district_review"')
    assert unreachable != SELECTION
    findings = owner.post_json("/workspace/lint", {"bpmn": unreachable}).get_json()["findings"]
    assert [f["element_id"] for f in findings] == ["end_district_rejected"]
    assert "无法到达" in findings[0]["message"]
    # A loop with no way out: after "again" no end can be reached.
    looping = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:process id="looping" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="again" />
    <bpmn:scriptTask id="again" name="again"><bpmn:script>n = 1</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="again" targetRef="choose" />
    <bpmn:exclusiveGateway id="choose" default="f3" />
    <bpmn:sequenceFlow id="f3" sourceRef="choose" targetRef="again" />
  </bpmn:process>
</bpmn:definitions>
"""
    findings = owner.post_json("/workspace/lint", {"bpmn": looping}).get_json()["findings"]
    assert sorted(f["element_id"] for f in findings) == ["again", "choose", "start"]
    assert all("无法到达结束事件" in f["message"] for f in findings)


def test_lint_names_a_condition_using_an_unknown_field(owner):
    unknown = SELECTION.replace('<bpmn:conditionExpression>decision == "approve"',
                                '<bpmn:conditionExpression>decisoin == "approve"', 1)
    assert unknown != SELECTION
    [finding] = owner.post_json("/workspace/lint", {"bpmn": unknown}).get_json()["findings"]
    assert finding["element_id"] == "flow_recommend" and "decisoin" in finding["message"]
    # A decision table's output is a known name (the grading gateway reads "grade").
    assert owner.post_json("/workspace/lint", {"key": "provider_grading"}).get_json()["ok"] is True
    without_table = owner.post_json("/workspace/lint", {"key": "provider_grading", "dmn": []}).get_json()
    assert any("grade" in f["message"] and "未知字段" in f["message"] for f in without_table["findings"])


def test_lint_names_a_timer_value_that_does_not_parse(owner):
    bad = SELECTION.replace('name="dueIn" value="&quot;P15D&quot;"', 'name="dueIn" value="&quot;P15X&quot;"', 1)
    assert bad != SELECTION
    [finding] = owner.post_json("/workspace/lint", {"bpmn": bad}).get_json()["findings"]
    assert finding["element_id"] == "city_formal_check" and "P15X" in finding["message"]


def test_lint_says_how_to_fix_a_duration_typed_without_quotes(owner):
    bare = SELECTION.replace('name="dueIn" value="&quot;P15D&quot;"', 'name="dueIn" value="P15D"', 1)
    assert bare != SELECTION
    [finding] = owner.post_json("/workspace/lint", {"bpmn": bare}).get_json()["findings"]
    assert finding["element_id"] == "city_formal_check" and finding["line"]
    assert '须加英文双引号，写成 "P15D"' in finding["message"]


def test_lint_of_the_shipped_diagram_is_clean(owner):
    body = owner.post_json("/workspace/lint", {"bpmn": SELECTION}).get_json()
    assert body == {**body, "ok": True, "findings": [], "policy_change": False}


def test_lint_names_a_task_without_its_form(owner):
    broken = SELECTION.replace('name="formKey" value="district_review"', 'name="formKey" value="no_such_form"')
    assert broken != SELECTION
    findings = owner.post_json("/workspace/lint", {"bpmn": broken}).get_json()["findings"]
    assert [f["element_id"] for f in findings] == ["district_review"]
    assert "no_such_form" in findings[0]["message"]


NOTICE_PERIOD = '&quot;P%dD&quot; % params[&quot;notice_days&quot;]'  # publish_notice reads the parameter


def test_a_notice_shorter_than_seven_days_is_an_error(app, owner, as_user):
    """Art. 6: a literal period written over the parameter, or the parameter itself below its bound."""
    short = SELECTION.replace(NOTICE_PERIOD, "&quot;P6D&quot;")
    assert short != SELECTION
    body = owner.post_json("/workspace/lint", {"bpmn": short}).get_json()
    [finding] = body["findings"]
    assert finding["severity"] == "error" and finding["element_id"] == "publish_notice"
    assert "P6D" in finding["message"] and "7" in finding["message"] and "第六条" in finding["message"]
    assert body["policy_change"] is False
    # No confirmation can deploy it, in the workspace or the API.
    refused = owner.post_json("/workspace/deploy", {"bpmn": short, "confirm_policy_change": True, "reason": "x"})
    assert refused.status_code == 422
    api = as_user("owner")
    response = api.client.post("/api/v1/process-definitions", headers=api.headers, content_type="multipart/form-data",
                               data={"bpmn": (BytesIO(short.encode()), "provider_selection.bpmn"),
                                     "confirm_policy_change": "true", "reason": "x"})
    assert response.status_code == 422
    assert any("P6D" in e for e in response.get_json()["errors"])
    # A literal of seven days or more passes the guard; so does the parameter at 6 not: it is below its bound.
    longer = SELECTION.replace(NOTICE_PERIOD, "&quot;P10D&quot;")
    assert owner.post_json("/workspace/lint", {"bpmn": longer}).get_json()["ok"] is True
    params = yaml_of(owner.text("/workspace/provider_selection/parameters"))
    six = params.replace("  value: 7\n", "  value: 6\n", 1)
    saved = owner.post_json("/workspace/provider_selection/parameters", {"yaml": six})
    assert saved.status_code == 422 and "不能小于 7天" in saved.get_json()["error"]


# Policy changes: Art. 7 bands, Art. 8 grounds.

def api_deploy(as_user, files, **form):
    api = as_user("owner")
    data = {"bpmn": (BytesIO(files[0][1].encode()), files[0][0]), **form}
    if len(files) > 1:
        data["dmn"] = [(BytesIO(text.encode()), name) for name, text in files[1:]]
    return api.client.post("/api/v1/process-definitions", headers=api.headers, data=data,
                           content_type="multipart/form-data")


def test_changed_grade_bands_need_confirmation_and_reason_in_the_api(app, as_user):
    before, _ = latest(app, "provider_grading")
    files = [("provider_grading.bpmn", GRADING), ("provider_grading.dmn", CHANGED_GRADES)]
    for form in ({}, {"confirm_policy_change": "true"}, {"reason": "新标准"},
                 {"confirm_policy_change": "true", "reason": "  "}):
        response = api_deploy(as_user, files, **form)
        assert response.status_code == 422, form
        assert any("第七条" in e and "政策变更" in e for e in response.get_json()["errors"])
        assert response.get_json()["policy_change"] is True
        assert response.get_json()["findings"][0]["element_id"] == "provider_grade_table"
    assert latest(app, "provider_grading")[0] == before
    response = api_deploy(as_user, files, note="调整分数段", confirm_policy_change="true",
                          reason="2027 年起优秀线调为 85 分")
    assert response.status_code == 201, response.get_json()
    version, note = latest(app, "provider_grading")
    assert version == before + 1
    assert "调整分数段" in note and "2027 年起优秀线调为 85 分" in note
    with app.app_context():
        event = AuditEvent.query.filter_by(action="deploy", name=f"provider_grading v{version}").one()
        assert event.data["reason"] == "2027 年起优秀线调为 85 分"
        assert event.data["policy_change"]


def test_the_shipped_grade_bands_need_no_confirmation(app, as_user):
    swapped = GRADES.replace('name="服务商年度评价等级"', 'name="服务商年度评价等级（修订）"')
    response = api_deploy(as_user, [("provider_grading.bpmn", GRADING), ("provider_grading.dmn", swapped)])
    assert response.status_code == 201, response.get_json()


def test_a_missing_delisting_ground_needs_confirmation_in_the_workspace(app, owner):
    """A removal ground dropped from the draft's list: the deploy is a policy change (Art. 8)."""
    grounds = owner.text("/workspace/provider_delisting/lists/delisting_grounds")
    assert "fraud" in grounds
    text = yaml_of(grounds)
    short = "\n".join(line for line in text.splitlines() if "value: fraud" not in line) + "\n"
    assert owner.post_json("/workspace/provider_delisting/lists/delisting_grounds", {"yaml": short}).status_code == 200
    body = owner.post_json("/workspace/lint", {"key": "provider_delisting"}).get_json()
    assert body["policy_change"] is True
    [finding] = body["findings"]
    assert finding["severity"] == "policy" and "fraud" in finding["message"]
    before, _ = latest(app, "provider_delisting")
    refused = owner.post_json("/workspace/deploy", {"key": "provider_delisting", "confirm_policy_change": True})
    assert refused.status_code == 422 and refused.get_json()["policy_change"] is True
    assert latest(app, "provider_delisting")[0] == before
    response = owner.post_json("/workspace/deploy", {"key": "provider_delisting", "note": "合并情形",
                                                     "confirm_policy_change": True, "reason": "弄虚作假并入违法违规"})
    assert response.status_code == 201, response.get_json()


def test_cli_deploy_needs_confirmation_and_reason_for_a_policy_change(app, tmp_path):
    (tmp_path / "provider_grading.bpmn").write_text(GRADING, encoding="utf-8")
    (tmp_path / "provider_grading.dmn").write_text(CHANGED_GRADES, encoding="utf-8")
    shutil.copy(ROOT / "processes" / "provider_grading.parameters.yaml", tmp_path)  # the forms read them
    runner = app.test_cli_runner()
    before, _ = latest(app, "provider_grading")
    path = str(tmp_path / "provider_grading.bpmn")
    result = runner.invoke(args=["processes", "deploy", path])
    assert result.exit_code == 1 and "第七条" in result.output and "--confirm-policy-change" in result.output
    result = runner.invoke(args=["processes", "deploy", path, "--confirm-policy-change"])
    assert result.exit_code == 1
    assert latest(app, "provider_grading")[0] == before
    result = runner.invoke(args=["processes", "deploy", path, "--confirm-policy-change", "--reason", "新评价办法"])
    assert result.exit_code == 0, result.output
    version, note = latest(app, "provider_grading")
    assert version == before + 1 and "新评价办法" in note


# The workspace's pages and its access.

def test_modeler_page_serves_the_modeler_and_the_latest_diagram(owner):
    page = owner.text("/workspace/provider_selection")
    assert "bpmn-modeler.production.min.js" in page and "workspace/modeler.js" in page
    assert "workspace/properties.js" in page and 'id="properties-panel"' in page
    assert "zn.js" in page  # bpmn-js-i18n's Chinese palette
    assert owner.get("/static/workspace/properties.js").status_code == 200
    script = owner.get("/vendor/bpmn-js/bpmn-modeler.production.min.js")
    assert script.status_code == 200
    script.close()
    assert owner.get("/vendor/bpmn-js-i18n/zn.js").status_code == 200
    assert owner.get("/static/workspace/modeler.js").status_code == 200
    source = owner.get("/workspace/provider_selection/source.bpmn")
    assert source.status_code == 200 and b'id="provider_selection"' in source.data
    assert owner.get("/workspace/no_such_process").status_code == 404
    assert "/workspace/" in owner.text("/inbox/")  # the 流程工作台 link
    index = owner.text("/workspace/")
    assert 'href="/workspace/provider_selection"' in index
    assert "/workspace/provider_grading/dmn/provider_grading.dmn" in index and "/workspace/complaint/forms/" in index


def test_dmn_editor_page_and_saving_a_table_deploys_the_process(app, owner):
    page = owner.text("/workspace/provider_grading/dmn/provider_grading.dmn")
    assert "dmn-modeler.production.min.js" in page and "workspace/dmn.js" in page
    table = owner.get("/workspace/provider_grading/dmn/provider_grading.dmn/source.dmn")
    assert b"provider_grade_table" in table.data
    before, _ = latest(app, "provider_grading")
    edit = {"key": "provider_grading", "edit": {"file": "provider_grading.dmn", "xml": CHANGED_GRADES}}
    assert owner.post_json("/workspace/lint", edit).get_json()["policy_change"] is True
    assert owner.post_json("/workspace/deploy", edit).status_code == 422
    response = owner.post_json("/workspace/deploy", {**edit, "confirm_policy_change": True, "reason": "试行"})
    assert response.status_code == 201, response.get_json()
    with app.app_context():
        row = ProcessDefinition.query.filter_by(key="provider_grading", version=before + 1).one()
        assert "&gt;= 85" in row.dmn_xml[0] and "试行" in row.note


@pytest.mark.parametrize("username", ["city", "expert1", "district-hexi"])
def test_only_owners_reach_the_workspace(app, username):
    other = Session(app, username)
    assert other.get("/workspace/").status_code == 403
    assert other.get("/workspace/provider_selection").status_code == 403
    assert other.get("/workspace/complaint/forms/complaint").status_code == 403
    assert "/workspace/" not in other.text("/inbox/")


def test_anonymous_is_sent_to_login(app):
    response = app.test_client().get("/workspace/provider_selection")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_workspace_posts_need_the_csrf_token(app, owner):
    assert owner.post_json("/workspace/lint", {"bpmn": SELECTION}, token=False).status_code == 400
    assert owner.post_json("/workspace/deploy", {"bpmn": SELECTION}, token=False).status_code == 400
    text = yaml_of(owner.text("/workspace/complaint/forms/complaint"))
    response = owner.post_json("/workspace/complaint/forms/complaint", {"yaml": text + "\n# edited\n"}, token=False)
    assert response.status_code == 400
    assert draft_of(app, "complaint") is None


# The form editor: forms and lists are parts of a process's draft, never written to the server's disk.

def yaml_of(page):
    """The YAML text an editor page holds."""
    import html

    match = re.search(r'<textarea[^>]*id="(?:form-yaml|yaml-source)"[^>]*>(.*?)</textarea>', page, re.S)
    assert match, "no YAML editor on the page"
    return html.unescape(match.group(1))


def draft_of(app, key):
    from webapp.models import PackageDraft

    with app.app_context():
        row = PackageDraft.query.filter_by(key=key).first()
        return None if row is None else row.content


def test_form_edit_with_an_error_is_refused_and_nothing_kept(app, owner):
    original = yaml_of(owner.text("/workspace/complaint/forms/complaint"))
    broken = original.replace("type: textarea", "type: paragraph", 1)
    assert broken != original
    response = owner.post_json("/workspace/complaint/forms/complaint", {"yaml": broken})
    assert response.status_code == 422
    assert "paragraph" in response.get_json()["error"]
    preview = owner.post_json("/workspace/complaint/forms/preview", {"key": "complaint", "yaml": broken})
    assert preview.status_code == 422 and "paragraph" in preview.get_data(as_text=True)
    bad_yaml = owner.post_json("/workspace/complaint/forms/complaint", {"yaml": "key: complaint\n  title: [oops"})
    assert bad_yaml.status_code == 422 and "YAML" in bad_yaml.get_json()["error"]
    assert draft_of(app, "complaint") is None


def test_a_good_form_edit_goes_into_the_draft_and_deploys_with_it(app, owner):
    text = (
        "key: delisting_statement\ntitle: 陈述申辩\nfields:\n"
        "  - name: statement\n    type: textarea\n    label: 陈述申辩意见\n    required: true\n"
        "  - name: hearing_wanted\n    type: checkbox\n    label: 申请听证\n"
    )
    preview = owner.post_json("/workspace/provider_delisting/forms/preview", {"key": "delisting_statement",
                                                                             "yaml": text})
    assert preview.status_code == 200
    html = preview.get_data(as_text=True)
    assert 'data-field="statement"' in html and 'data-field="hearing_wanted"' in html
    response = owner.post_json("/workspace/provider_delisting/forms/delisting_statement", {"yaml": text})
    assert response.status_code == 200 and response.get_json()["ok"] is True
    assert draft_of(app, "provider_delisting")["forms"]["delisting_statement"] == text
    before, _ = latest(app, "provider_delisting")
    with app.app_context():  # nothing in force changed yet
        current = ProcessDefinition.query.filter_by(key="provider_delisting", version=before).one()
        assert "hearing_wanted" not in current.forms["delisting_statement"]
    page = owner.text("/workspace/provider_delisting/forms/delisting_statement")
    assert "hearing_wanted" in page and "workspace/form.js" in page and 'data-draft="true"' in page
    deployed = owner.post_json("/workspace/deploy", {"key": "provider_delisting", "note": "申辩可申请听证"})
    assert deployed.status_code == 201, deployed.get_json()
    with app.app_context():
        new = ProcessDefinition.query.filter_by(key="provider_delisting", version=before + 1).one()
        assert new.forms["delisting_statement"] == text
    assert draft_of(app, "provider_delisting") is None  # deployed: the draft is gone


def test_a_new_form_is_made_in_the_draft(app, owner):
    response = owner.get("/workspace/provider_selection/forms/new?form_key=site_visit")
    assert response.status_code == 302 and response.headers["Location"].endswith("/forms/site_visit")
    page = owner.text("/workspace/provider_selection/forms/site_visit")
    assert "key: site_visit" in page and "新建" in page
    text = "key: site_visit\ntitle: 现场核查\nfields:\n  - {name: finding, type: textarea, label: 核查情况}\n"
    assert owner.post_json("/workspace/provider_selection/forms/site_visit", {"yaml": text}).status_code == 200
    assert "site_visit" in owner.text("/workspace/provider_selection/forms/")


def test_a_list_edit_is_checked_against_the_forms_that_use_it(app, owner):
    page = owner.text("/workspace/provider_selection/lists/provider_categories")
    text = yaml_of(page)
    assert "provider_application" in page  # the forms that use the list are named
    added = text + "- {value: data_services, label: 数据服务, label_en: Data services}\n"
    assert owner.post_json("/workspace/provider_selection/lists/provider_categories",
                           {"yaml": added}).status_code == 200
    assert "data_services" in draft_of(app, "provider_selection")["lists"]["provider_categories"]
    for bad in ("- [", "- {value: a}", "[]", "- {value: a, label: A}\n- {value: a, label: B}\n"):
        response = owner.post_json("/workspace/provider_selection/lists/provider_categories", {"yaml": bad})
        assert response.status_code == 422, bad
    assert "data_services" in draft_of(app, "provider_selection")["lists"]["provider_categories"]


def test_discarding_a_draft_leaves_the_version_in_force(app, owner):
    text = yaml_of(owner.text("/workspace/complaint/forms/complaint")) + "\n# 修改\n"
    assert owner.post_json("/workspace/complaint/forms/complaint", {"yaml": text}).status_code == 200
    assert draft_of(app, "complaint") is not None
    assert "草稿" in owner.text("/workspace/")
    assert owner.post_json("/workspace/complaint/draft/discard", {}).status_code == 200
    assert draft_of(app, "complaint") is None
    assert "# 修改" not in owner.text("/workspace/complaint/forms/complaint")


MIWG = ROOT / "tests" / "data" / "miwg-reference"


def test_lint_and_deploy_of_foreign_diagrams_answer_without_crashing(owner):
    samples = sorted(MIWG.glob("*.bpmn"))
    assert len(samples) >= 20, f"the reference set in {MIWG} is missing"
    for path in samples:
        text = path.read_bytes().decode("utf-8", errors="replace")
        response = owner.post_json("/workspace/lint", {"bpmn": text, "filename": path.name})
        assert response.status_code == 200, path.name
        body = response.get_json()
        assert body["ok"] or body["findings"], path.name
        deployed = owner.post_json("/workspace/deploy", {"bpmn": text, "filename": path.name})
        assert deployed.status_code in (200, 201, 422), path.name
        if deployed.status_code == 422:
            assert deployed.get_json()["findings"][0]["message"], path.name


def test_form_and_list_names_cannot_be_paths(owner):
    assert owner.post_json("/workspace/complaint/forms/..%2Fescape", {"yaml": "x"}).status_code in (404, 405)
    assert owner.post_json("/workspace/complaint/forms/preview", {"key": "../x", "yaml": "x"}).status_code == 404
    assert owner.post_json("/workspace/complaint/lists/..%2Fx", {"yaml": "x"}).status_code in (404, 405)


def test_only_the_decision_table_editor_allows_inline_styles(app):
    """dmn-js needs inline styles; every other page keeps the strict policy, and scripts stay 'self' everywhere."""
    owner = Session(app, "owner")
    table = owner.get("/workspace/provider_grading/dmn/provider_grading.dmn").headers["Content-Security-Policy"]
    assert "style-src 'self' 'unsafe-inline'" in table and "script-src 'self';" in table
    for path in ("/workspace/provider_selection", "/inbox/", "/"):
        policy = owner.get(path).headers["Content-Security-Policy"]
        assert "unsafe-inline" not in policy, path


def test_the_owner_edits_the_working_calendar_and_a_bad_date_is_refused(owner):
    path = "/workspace/provider_selection/lists/working_calendar"
    assert "国庆节" in owner.text(path)
    text = (ROOT / "forms" / "lists" / "working_calendar.yaml").read_text("utf-8")
    bad = owner.post_json(path, {"yaml": text + '- {value: "2027年1月1日", label: 元旦, kind: holiday}\n'})
    assert bad.status_code == 422 and "2027年1月1日" in bad.get_json()["error"]
    good = owner.post_json(path, {"yaml": text + '- {value: "2027-01-01", label: 元旦, kind: holiday}\n'})
    assert good.status_code == 200
