"""The decision table editor in Chromium, in Chinese: the owner edits the 优秀 band's cell, the check names
the gap it leaves (Art. 7 bands must cover every score), and 撤销 puts the cell back, the check then clean.
The regulation's band edges are in processes/provider_grading.dmn; this test only reads what it shows."""
import re

from playwright.sync_api import expect


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
