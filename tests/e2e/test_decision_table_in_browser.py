"""The decision table editor in Chromium, in Chinese: the owner edits the 优秀 band's cell, the check names
the gap it leaves (Art. 7 bands must cover every score), and 撤销 puts the cell back, the check then clean.
The regulation's band edges are in processes/provider_grading.dmn; this test only reads what it shows.
dmn-js's popups write a range, a list, not(…), a comparison and booleans, which deploy and grade as DMN
means them; a GBK table uploads with its Chinese names."""
import re
from io import BytesIO
from pathlib import Path

from api_client import Api
from dmn_tck import WRAPPER
from lxml import etree
from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parents[2]


def test_owner_edits_a_band_sees_the_gap_and_undoes_it(login_as, screenshot):
    page = login_as("owner")
    page.goto("/workspace/provider_grading/dmn/provider_grading.dmn")
    editor = page.locator("#dmn-editor")
    expect(editor).to_have_attribute("data-ready", "true")
    expect(editor.locator(".hit-policy")).to_contain_text("命中策略")
    expect(page.locator("#undo-button")).to_be_disabled()

    cell = editor.locator('td[data-element-id="rule_excellent_score"]')
    expect(cell).to_have_text(re.compile(r"^\s*>= 90\s*$"))
    cell.click()
    typing = cell.locator(".cm-content")  # dmn-js's FEEL editor opens in the cell
    typing.fill(">= 92")
    page.locator("h2").click()  # leave the cell: dmn-js commits the edit
    expect(cell).to_have_text(re.compile(r"^\s*>= 92\s*$"))
    expect(page.locator("#undo-button")).to_be_enabled()

    page.locator("#lint-button").click()
    expect(page.locator("#lint-findings")).to_contain_text("在输入为 90.0 时没有规则适用（分数段有缺口）")
    expect(page.locator("#workspace-status")).to_have_class(re.compile("alert-danger"))
    screenshot(page, "dmn-01-gap-found")

    page.locator("#undo-button").click()
    expect(cell.locator(".content-editable")).to_have_text(re.compile(r"^\s*>= 90\s*$"))
    expect(page.locator("#redo-button")).to_be_enabled()
    page.locator("#lint-button").click()
    expect(page.locator("#workspace-status")).to_have_class(re.compile("alert-success"))
    expect(page.locator("#lint-findings li")).to_have_count(0)
    screenshot(page, "dmn-02-undone")


# A probe table of every cell kind the popups write: a number, a string and a boolean input, first hit.
PROBE = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="probe" name="弹窗探针" namespace="urn:probe">
  <decision id="probe_band" name="分档">
    <decisionTable id="probe_table" hitPolicy="FIRST">
      <input id="score" label="分数"><inputExpression typeRef="number"><text>score</text></inputExpression></input>
      <input id="kind" label="类别"><inputExpression typeRef="string"><text>kind</text></inputExpression></input>
      <input id="local" label="本地"><inputExpression typeRef="boolean"><text>local</text></inputExpression></input>
      <output id="band" label="档" name="band" typeRef="string" />
      RULES
    </decisionTable>
  </decision>
</definitions>
"""
RULE = ('<rule id="{r}"><inputEntry id="{r}_score"><text>-</text></inputEntry>'
        '<inputEntry id="{r}_kind"><text>-</text></inputEntry><inputEntry id="{r}_local"><text>-</text></inputEntry>'
        '<outputEntry id="{r}_band"><text>"{r}"</text></outputEntry></rule>')
GRADES = [  # (score, kind, local) → band, by the cells the popups write below
    ((85, "a", True), "first"), ((80, "b", True), "first"), ((90, "a", True), "rest"), ((79.5, "a", True), "rest"),
    ((85, "c", True), "rest"), ((85, "a", False), "rest"), ((95, "c", False), "second"), ((90, "z", False), "second"),
    ((95, "b", False), "rest"), ((95, "c", True), "rest")]


def popup(page, cell):
    """dmn-js's popup editor of a cell (Ctrl+click)."""
    page.locator(f'#dmn-editor td[data-element-id="{cell}"]').click(modifiers=["Control"])
    menu = page.locator(".context-menu")
    expect(menu).to_be_visible()
    return menu


def choose(page, menu, label, option):
    menu.locator(f'[aria-label="{label}"]').click()
    page.locator(".dms-select-options .option", has_text=option).filter(visible=True).click()


def written(page, cell, text):
    """Wait until the cell holds `text` as saving writes it (the popup commits its inputs debounced)."""
    page.wait_for_function("([id, text]) => window.workspaceDmn.getActiveViewer().get('elementRegistry')"
                           ".get(id).businessObject.text === text", arg=[cell, text], timeout=5000)


def close(page, menu):
    page.keyboard.press("Escape")
    expect(menu).to_be_hidden()


def test_the_popups_write_ranges_lists_not_and_booleans_which_deploy_and_grade(app, login_as):
    with app.app_context():
        owner, city = Api(app.test_client(), "owner"), Api(app.test_client(), "city")
        table = PROBE.replace("RULES", "".join(RULE.format(r=r) for r in ("first", "second", "rest")))
        bpmn = WRAPPER.replace("{key}", "popup_probe").replace("{decision}", "probe_band")
        deployed = owner.client.post("/api/v1/process-definitions", headers=owner.headers,
                                     content_type="multipart/form-data",
                                     data={"bpmn": (BytesIO(bpmn.encode()), "popup_probe.bpmn"),
                                           "dmn": (BytesIO(table.encode()), "probe.dmn")})
        assert deployed.status_code == 201, deployed.get_json()
    page = login_as("owner")
    page.goto("/workspace/popup_probe/dmn/popup_probe.dmn")
    expect(page.locator("#dmn-editor")).to_have_attribute("data-ready", "true")

    menu = popup(page, "first_score")  # a range, 80 included, 90 not
    choose(page, menu, "检验类型", "区间")
    menu.locator(".range-start-number-input").fill("80")
    menu.locator(".range-end-number-input").fill("90")
    choose(page, menu, "结束值", "排除")
    written(page, "first_score", "[80..90[")
    close(page, menu)
    menu = popup(page, "first_kind")  # a list
    menu.locator('input[aria-label="取值"]').fill('"a","b"')
    menu.locator('input[aria-label="取值"]').press("Enter")
    written(page, "first_kind", '"a","b"')
    close(page, menu)
    menu = popup(page, "first_local")  # a boolean
    choose(page, menu, "布尔值", "是")
    written(page, "first_local", "true")
    close(page, menu)

    menu = popup(page, "second_score")  # a comparison
    choose(page, menu, "比较运算符", "大于或等于")
    menu.locator(".comparison-number-input").fill("90")
    written(page, "second_score", ">= 90")
    close(page, menu)
    menu = popup(page, "second_kind")  # none of a list
    menu.locator('input[aria-label="取值"]').fill('"a","b"')
    menu.locator('input[aria-label="取值"]').press("Enter")
    choose(page, menu, "文字值", "不匹配任何值")
    written(page, "second_kind", 'not("a","b")')
    close(page, menu)
    menu = popup(page, "second_local")
    choose(page, menu, "布尔值", "否")
    written(page, "second_local", "false")
    close(page, menu)

    saved = etree.fromstring(page.evaluate("async () => (await window.workspaceDmn.saveXML()).xml").encode())
    cells = {e.get("id"): e.findtext("{*}text") for e in saved.iter("{*}inputEntry")}
    assert cells == {"first_score": "[80..90[", "first_kind": '"a","b"', "first_local": "true",
                     "second_score": ">= 90", "second_kind": 'not("a","b")', "second_local": "false",
                     "rest_score": "-", "rest_kind": "-", "rest_local": "-"}
    page.fill("#deploy-note", "弹窗写的单元格")
    page.locator("#deploy-button").click()
    expect(page.locator("#workspace-status")).to_have_attribute("data-version", "2")

    with app.app_context():
        for (score, kind, local), band in GRADES:
            started = city.post("/process-instances", {"process": "popup_probe",
                                                       "data": {"score": score, "kind": kind, "local": local}})
            assert started.status_code == 201, started.get_json()
            data = city.get(f"/process-instances/{started.get_json()['id']}").get_json()["data"]
            assert data["band"] == band, (score, kind, local, data)


def test_a_gbk_table_uploads_with_its_chinese_names(login_as):
    """A table saved by another tool in GBK, its XML declaration saying so, is decoded as the API decodes it."""
    page = login_as("owner")
    page.goto("/workspace/provider_grading/dmn/provider_grading.dmn")
    expect(page.locator("#dmn-editor")).to_have_attribute("data-ready", "true")
    text = (ROOT / "processes" / "provider_grading.dmn").read_text(encoding="utf-8").replace(
        "专家平均分", "专家平均得分").replace('encoding="UTF-8"', 'encoding="GBK"')
    page.set_input_files("#upload-input", files=[{"name": "gbk.dmn", "mimeType": "application/xml",
                                                 "buffer": text.encode("gbk")}])
    expect(page.locator("#dmn-editor")).to_contain_text("专家平均得分")
    saved = page.evaluate("async () => (await window.workspaceDmn.saveXML()).xml")
    assert 'label="专家平均得分"' in saved and "年度评价等级（第七条）" in saved and "�" not in saved
