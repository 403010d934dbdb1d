"""Issue 17, the oversight dashboard: on a known history (oversight_history: generated cases with chosen
times) every figure — cases by stage, district, category and round, outcomes, on-time shares, step medians
and 90th percentiles — equals the one computed from the same choices in plain Python, through the engine,
the API, the page and the xlsx exports; a district official sees their district only; the overdue list is
live and oldest first, and its 催办 is the urge operation; real cases move the figures."""

from datetime import UTC, datetime, timedelta
from io import BytesIO

import oversight_history as history
import pytest
from api_client import Api
from openpyxl import load_workbook
from selection import apply, recommend
from web import Session, csrf_token

from webapp.engine import oversight
from webapp.engine.oversight import Filters
from webapp.extensions import db
from webapp.models import (
    AuditEvent,
    HumanTask,
    Notification,
    OversightCount,
    PoolEntry,
    ProcessDefinition,
    ProcessInstance,
)

KEY = "provider_selection"
OUTCOME_WORDS = {"admitted": "已纳入资源池", "not_recommended": "未获区级推荐", "rejected": "未通过市级评审",
                 "not_admitted": "公示异议成立，不予入库"}


@pytest.fixture
def known(app):
    with app.app_context():
        built = history.build()
        oversight.refresh(now=history.NOW)
        built["round_ids"] = {year: r.id for year, r in built["rounds"].items()}
        built["versions"] = {1: built["v1"].id, 2: built["v2"].id}
        db.session.expunge_all()
    return built


def _as_expected(summary, round_years):
    """The engine's summary in the shape oversight_history.expected computes."""
    return {
        "stages": {r["element_id"]: r["cases"] for r in summary["stages"]},
        "districts": {r["district"]: {k: r[k] for k in ("cases", "running", "overdue", "admitted", "outcomes")}
                      for r in summary["districts"]},
        "categories": {r["category"]: [r["cases"], r["admitted"]] for r in summary["categories"]},
        "outcomes": {r["outcome"]: r["cases"] for r in summary["outcomes"]},
        "on_time": {(r["district"], r["element_id"]): [r["due"], r["on_time"]] for r in summary["on_time"]},
        "rounds": {round_years[r["round_id"]]: [r["cases"], r["admitted"]] for r in summary["rounds"]},
    }


CHOICES = [{}, {"version": 2}, {"year": 2026}, {"round_year": 2025}, {"district": "hexi"},
           {"version": 1, "district": "nankai", "year": 2025}, {"version": 2, "round_year": 2026, "district": "binhai"}]


@pytest.mark.parametrize("choice", CHOICES)
def test_every_figure_equals_the_one_computed_from_the_history(app, known, choice):
    filters = Filters(KEY, choice.get("version"), known["round_ids"].get(choice.get("round_year")),
                      choice.get("year"), choice.get("district"))
    with app.app_context():
        summary = oversight.summary(filters)
    want = history.expected(history.chosen(known, **choice))
    assert want["districts"] and want["stages"] and want["on_time"]  # the filter keeps something to compare
    assert _as_expected(summary, {v: k for k, v in known["round_ids"].items()}) == want


@pytest.mark.parametrize("choice", [{}, {"district": "hexi"}, {"round_year": 2025}, {"year": 2026},
                                    {"round_year": 2026, "district": "nankai"}])
@pytest.mark.parametrize("version", [1, 2])
def test_each_steps_median_and_90th_percentile_equal_the_historys(app, known, choice, version):
    filters = Filters(KEY, None, known["round_ids"].get(choice.get("round_year")), choice.get("year"),
                      choice.get("district"))
    with app.app_context():
        definition = db.session.get(ProcessDefinition, known["versions"][version])
        steps = oversight.heat(definition, filters)
    want = history.step_times(history.chosen(known, version=version, **choice))
    assert want
    got = {element: (s["tasks"], s["median_s"], s["p90_s"]) for element, s in steps.items() if s["tasks"]}
    assert got.keys() == want.keys()
    for element, (tasks, median, p90) in want.items():
        assert got[element][0] == tasks
        assert got[element][1:] == pytest.approx((median, p90), rel=1e-12, abs=1e-6), element
    waiting = history.expected(history.chosen(known, version=version, **choice))["stages"]
    assert {e: s["waiting"] for e, s in steps.items() if s["waiting"]} == waiting


def test_a_year_without_a_round_is_the_year_the_case_started_in_china(app, known):
    """The complaint started 2025-12-31 17:00 UTC, New Year's Day 01:00 in Tianjin: a 2026 case."""
    with app.app_context():
        counts = {year: sum(r["cases"] for r in oversight.summary(Filters("complaint", year=year))["districts"])
                  for year in (2025, 2026)}
    assert counts == {2025: 1, 2026: 1}


def test_the_api_page_and_exports_say_what_the_engine_says(app, known):
    round_2025 = known["round_ids"][2025]
    with app.app_context():
        summary = oversight.summary(Filters(KEY, round_id=round_2025))
    body = Api(app.test_client(), "city").get(f"/oversight?process={KEY}&round={round_2025}").get_json()
    assert {k: body[k] for k in summary} == summary
    assert body["filters"]["round"] == round_2025 and body["computed_at"].startswith("2026-11-20")

    city = Session(app, "city")
    page = city.text(f"/dashboard/?process={KEY}&round={round_2025}")
    assert f'id="total-cases">{sum(r["cases"] for r in summary["districts"])}<' in page
    book = load_workbook(BytesIO(city.get(f"/dashboard/export/districts.xlsx?process={KEY}&round={round_2025}").data))
    rows = list(book.active.iter_rows(values_only=True))
    outcomes = [o["outcome"] for o in summary["outcomes"]]
    assert rows[0] == ("所属区", "案件数", "办理中", "超期任务", *(OUTCOME_WORDS[o] for o in outcomes))
    assert {r[0]: r[1:] for r in rows[1:]} == {
        {"hexi": "河西区", "nankai": "南开区", "binhai": "滨海新区"}[r["district"]]: (
            r["cases"], r["running"], r["overdue"], *(r["outcomes"].get(o, 0) for o in outcomes))
        for r in summary["districts"]}
    on_time = list(load_workbook(BytesIO(city.get(f"/dashboard/export/on_time.xlsx?round={round_2025}").data))
                   .active.iter_rows(values_only=True))
    assert [r[2:4] for r in on_time[1:]] == [(r["due"], r["on_time"]) for r in summary["on_time"]]
    assert all(r[4] == round(100 * r[3] / r[2], 1) for r in on_time[1:])
    for name in ("stages", "categories", "rounds", "outcomes", "overdue"):
        response = city.get(f"/dashboard/export/{name}.xlsx")
        assert response.status_code == 200 and load_workbook(BytesIO(response.data)).active.max_row >= 2, name
    assert city.get("/dashboard/export/nothing.xlsx").status_code == 404


def test_a_district_official_sees_only_their_district_whatever_they_ask(app, known):
    hexi_only = history.expected(history.chosen(known, district="hexi"))
    body = Api(app.test_client(), "district-hexi").get(f"/oversight?process={KEY}&district=nankai").get_json()
    assert body["filters"]["district"] == "hexi"
    assert {r["district"] for r in body["districts"]} == {"hexi"}
    assert {(r["district"], r["element_id"]): [r["due"], r["on_time"]] for r in body["on_time"]} == hexi_only["on_time"]

    hexi = Session(app, "district-hexi")
    page = hexi.text("/dashboard/?district=nankai")
    assert "南开区" not in page.split('id="overdue"')[1] and "河西区" in page
    overdue = load_workbook(BytesIO(hexi.get("/dashboard/export/overdue.xlsx?district=nankai").data)).active
    assert {r[2] for r in list(overdue.iter_rows(values_only=True))[1:]} == {"河西区"}
    steps = Api(app.test_client(), "district-hexi").get(f"/oversight/steps?process={KEY}&version=2").get_json()
    assert {e: s["waiting"] for e, s in steps["steps"].items() if s["waiting"]} == history.expected(
        history.chosen(known, version=2, district="hexi"))["stages"]
    with app.app_context():
        db.session.add(PoolEntry(organization_id=1, name="南开某公司", credit_code="91120104MA05000000",
                                 categories=[], district="nankai"))
        db.session.commit()
        hexi_members = PoolEntry.query.filter_by(district="hexi", removed_at=None).count()
    pool = load_workbook(BytesIO(hexi.get("/dashboard/export/pool.xlsx").data)).active
    assert pool.max_row - 1 == hexi_members and "南开某公司" not in [r[0] for r in pool.iter_rows(values_only=True)]


def test_only_officials_read_it_and_junk_filters_are_no_error(app, known):
    for username in ("applicant1", "expert1"):
        assert Session(app, username).get("/dashboard/").status_code == 403
        assert Api(app.test_client(), username).get("/oversight").status_code == 403
    assert app.test_client().get("/dashboard/").status_code == 302  # to the sign-in page
    city = Session(app, "city")
    for junk in ("?process=nope&version=abc&round=-1&year=99999&district=%3Cscript%3E", "?version=99999999999",
                 "?compare=x&version=0", "?year=2026&round=999"):
        for path in ("/dashboard/", "/dashboard/diagram", "/dashboard/export/districts.xlsx"):
            assert city.get(path + junk).status_code == 200, path + junk
    assert "&lt;script&gt;" not in city.text("/dashboard/?district=%3Cscript%3E")  # not echoed at all
    assert city.get("/dashboard/diagram/nothing/1.xml").status_code == 404


def _overdue_now(known, now, district=None):
    tasks = [(t["due"], c["id"]) for c in history.chosen(known, district=district) for t in c["tasks"]
             if t["completed"] is None and t["due"] is not None and t["due"] < now]
    return [case_id for _due, case_id in sorted(tasks)]


def test_the_overdue_list_is_live_oldest_first_and_urges_with_the_urge_operation(app, known):
    now = datetime.now(UTC)
    with app.app_context():
        listed = oversight.overdue(Filters(KEY), now, limit=1000)
        assert [task.instance_id for task in listed] == _overdue_now(known, now)
        first = oversight.overdue(Filters(KEY), now, limit=3)
        assert [task.instance_id for task in first] == _overdue_now(known, now)[:3]
        hexi = oversight.overdue(Filters(KEY, district="hexi"), now, limit=1000)
        assert [t.instance_id for t in hexi] == _overdue_now(known, now, "hexi")
        task = next(t for t in hexi if t.role == "district")
    body = Api(app.test_client(), "city").get(f"/oversight?process={KEY}").get_json()
    assert [o["instance_id"] for o in body["overdue"]] == _overdue_now(known, now)[:50] and body["more_overdue"] is (
        len(_overdue_now(known, now)) > 50)
    district = Session(app, "district-hexi")
    page = district.text("/dashboard/")
    assert f'id="total-overdue">{len(_overdue_now(known, history.NOW, "hexi"))}<' in page  # as of the refresh
    assert page.count("<tr data-task-id=") == min(20, len(_overdue_now(known, now, "hexi")))  # the longest overdue
    assert f'action="/tasks/{task.id}/urge"' in page
    response = district.client.post(f"/tasks/{task.id}/urge", data={
        "csrf_token": csrf_token(page), "message": "请本周办结", "next": "/dashboard/?year=2026"})
    assert response.status_code == 302 and response.headers["Location"] == "/dashboard/?year=2026"
    with app.app_context():
        told = Notification.query.filter_by(kind="urge", task_id=task.id).all()
        assert "district-hexi2" in {n.username for n in told}  # the colleague who may hold the review
        assert AuditEvent.query.filter_by(action="urge", instance_id=task.instance_id).count() == 1
    again = district.client.post(f"/tasks/{task.id}/urge", data={"csrf_token": csrf_token(page), "next": "/dashboard/"},
                                 follow_redirects=True)
    assert "刚催办过" in again.get_data(as_text=True)  # the operation's own interval, not the page's
    assert district.client.post(f"/tasks/{task.id}/urge", data={"message": "x"}).status_code == 400  # no token


def test_real_cases_move_the_figures(app, as_user):
    instance_id, _applicant = apply(as_user)
    with app.app_context():
        oversight.refresh()
        hexi = Filters(KEY, district="hexi")
        assert {r["element_id"]: r["cases"] for r in oversight.summary(hexi)["stages"]} == {"district_review": 1}
    recommend(as_user("district-hexi"), instance_id)
    with app.app_context():
        oversight.refresh()
        summary = oversight.summary(hexi)
        assert {r["element_id"]: r["cases"] for r in summary["stages"]} == {"city_formal_check": 1}
        on_time = {r["element_id"]: (r["due"], r["on_time"]) for r in summary["on_time"]}
        assert on_time["district_review"] == (1, 1)  # done within its ten working days
        review = HumanTask.query.filter_by(instance_id=instance_id, element_id="district_review").one()
        steps = oversight.heat(db.session.get(ProcessInstance, instance_id).definition, hexi)
        took = round((review.completed_at - review.created_at).total_seconds())
        assert steps["district_review"]["tasks"] == 1 and steps["district_review"]["median_s"] == took


def test_the_scheduler_refreshes_every_interval_and_the_cli_on_demand(app, known, monkeypatch):
    with app.app_context():
        first = oversight.last_refresh().computed_at
        monkeypatch.setattr(oversight, "_last", [0.0])
        assert oversight.maybe_refresh(10) is not None  # the known history's was computed "as of" days ago
        assert oversight.maybe_refresh(10) is None  # not again within the interval
        monkeypatch.setattr(oversight, "_last", [0.0])
        assert oversight.maybe_refresh(10) is None  # nor when another scheduler has just refreshed
        assert oversight.maybe_refresh(0) is None
        assert oversight.last_refresh().computed_at > first
    result = app.test_cli_runner().invoke(args=["oversight", "refresh"])
    assert result.exit_code == 0 and "cases in" in result.output
    with app.app_context():
        assert OversightCount.query.count() > 0 and oversight.last_refresh().cases == ProcessInstance.query.count()


def test_the_grading_results_and_a_name_typed_as_a_formula_export_as_text(app, known):
    with app.app_context():
        case = ProcessInstance.query.filter_by(process_key=KEY, district="hexi").first()
        case.subject = '=HYPERLINK("http://evil.example","点我")'
        db.session.add(AuditEvent(action="service", actor="system", instance_id=case.id, name="grading.record",
                                  at=datetime.now(UTC) - timedelta(days=1),
                                  data={"params": {"grade": "excellent", "year": 2026},
                                        "result": {"recorded": True, "grade": "excellent", "label": "优秀",
                                                   "year": 2026}}))
        db.session.commit()
    grading = load_workbook(BytesIO(Session(app, "city").get("/dashboard/export/grading.xlsx").data)).active
    rows = list(grading.iter_rows(values_only=True))
    assert rows[1][:5] == ('=HYPERLINK("http://evil.example","点我")', "河西区", 2026, "优秀", "是")
    assert grading.cell(row=2, column=1).data_type == "s"  # text, not a formula
    assert load_workbook(BytesIO(Session(app, "district-nankai").get(
        "/dashboard/export/grading.xlsx").data)).active.max_row == 1  # another district's grade: not theirs


@pytest.mark.postgres
def test_the_figures_and_step_times_on_postgresql(app, known):
    """The same SQL on PostgreSQL (json_array_elements_text, EXTRACT(EPOCH …), integer division)."""
    with app.app_context():
        summary = oversight.summary(Filters(KEY, district="nankai"))
        steps = oversight.heat(db.session.get(ProcessDefinition, known["versions"][2]), Filters(KEY))
    assert _as_expected(summary, {v: k for k, v in known["round_ids"].items()}) == history.expected(
        history.chosen(known, district="nankai"))
    for element, (tasks, median, p90) in history.step_times(history.chosen(known, version=2)).items():
        assert (steps[element]["tasks"], steps[element]["median_s"], steps[element]["p90_s"]) == pytest.approx(
            (tasks, median, p90), rel=1e-12, abs=1e-6)


def test_the_dashboard_and_the_overlay_in_english(app, known):
    city = Session(app, "city")
    page = city.text("/dashboard/?lang=en")
    assert "Oversight dashboard" in page and "Where running cases wait" in page and "Overdue now" in page
    assert "District preliminary review" in page and "区级初审推荐" not in page  # steps by their forms' titles
    diagram = city.text("/dashboard/diagram?compare=1&lang=en")
    assert "Step times on the diagram" in diagram and "Overall assessment" in diagram
    sheet = load_workbook(BytesIO(city.get("/dashboard/export/on_time.xlsx?lang=en").data)).active
    assert next(sheet.iter_rows(values_only=True))[:2] == ("District", "Step")
