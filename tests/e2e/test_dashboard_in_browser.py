"""监管看板 in Chromium (issue 17): on a known history the city sees the charts and tables, urges the longest
overdue task from the list, opens the heat overlay of version 2 beside version 1; a district official sees
only their district. Screenshots: dashboard-*.png. The module keeps a database of its own, so the generated
history stays out of the other browser tests."""

import json
import re

import oversight_history
import pytest
from playwright.sync_api import expect

from webapp.engine import oversight
from webapp.models import Notification


@pytest.fixture(scope="module")
def app(fresh_app):
    application = fresh_app("dashboard")
    with application.app_context():
        oversight_history.build()
        oversight.refresh()
    return application


@pytest.fixture(scope="module")
def base_url(app, serve):
    return serve(app)


def test_dashboard_overdue_urge_and_the_heat_overlay(app, login_as, screenshot):
    city = login_as("city")
    city.goto("/dashboard/")
    for chart in ("#chart-stages", "#chart-districts", "#chart-on-time"):
        expect(city.locator(chart)).to_have_attribute("data-ready", "true")
        expect(city.locator(f"{chart} canvas").first).to_be_visible()
    expect(city.locator("#table-districts tbody tr")).to_have_count(3)
    expect(city.locator("#refreshed")).to_contain_text("统计截至")
    rows = city.locator("#overdue tbody tr")
    overdue_days = [float(rows.nth(n).locator("td").nth(6).inner_text()) for n in range(rows.count())]
    assert len(overdue_days) > 3 and overdue_days == sorted(overdue_days, reverse=True)  # the longest overdue first
    screenshot(city, "dashboard-01-city")

    first = rows.first
    task_id = int(first.get_attribute("data-task-id"))
    first.locator("input[name=message]").fill("请尽快办理")
    first.get_by_role("button", name="催办").click()
    expect(city.locator(".alert-success")).to_contain_text("已催办")
    expect(city).to_have_url(re.compile(r"/dashboard/"))
    with app.app_context():
        assert Notification.query.filter_by(kind="urge", task_id=task_id).count() >= 1

    city.click("#to-diagram")
    city.select_option("#f-compare", "1")
    city.click("#apply-filters")
    sides = city.locator("#heat-sides")
    expect(sides).to_have_attribute("data-ready", "true", timeout=30_000)
    hottest = []
    for version in (1, 2):
        diagram = city.locator(f"#heat-{version}")
        expect(diagram.locator(".heat-badge").first).to_be_visible()
        assert int(diagram.get_attribute("data-badges")) == 5  # the five user tasks of the main path
        steps = json.loads(city.locator(f"#heat-steps-{version}").text_content())
        hottest += [(step["waiting"], version, element_id) for element_id, step in steps.items()]
    waiting, version, element_id = max(hottest)
    assert city.locator(f"#heat-{version}").get_attribute(f"data-heat_{element_id}") == "4"
    expect(city.locator(f"#heat-{version} [data-element-id={element_id}].heat-4")).to_have_count(1)
    expect(city.locator(f"#heat-{version} .heat-badge").first).to_contain_text("等待")
    city.select_option("#heat-metric", "p90_s")
    expect(city.locator("#heat-1")).to_have_attribute("data-metric", "p90_s")
    screenshot(city, "dashboard-02-heat-overlay-v1-v2")

    hexi = login_as("district-hexi")
    hexi.goto("/dashboard/")
    expect(hexi.locator("#table-districts tbody tr")).to_have_count(1)
    expect(hexi.locator("#table-districts tbody tr")).to_contain_text("河西区")
    expect(hexi.locator("#f-district")).to_have_count(0)
    screenshot(hexi, "dashboard-03-district")
