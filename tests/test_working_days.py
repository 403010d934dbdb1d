"""Working-day time limits from the calendar data (forms/lists/working_calendar.yaml): holidays and 调休
working days as the State Council publishes them, counted from the day after the start."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

from selection import apply, open_round, recommend, task_for
from web import Session

from webapp import engine
from webapp.engine import clock, workdays
from webapp.engine.restricted import RestrictedEnvironment
from webapp.extensions import db
from webapp.models import HumanTask

CALENDAR = (Path(__file__).resolve().parent.parent / "forms" / "lists" / "working_calendar.yaml").read_text("utf-8")


def china(text):
    return datetime.fromisoformat(text + "+08:00")


def test_ten_working_days_over_the_national_day_holiday():
    calendar = workdays.parse(CALENDAR)
    # From Monday 28 September 2026: 29, 30 Sep; 1-7 Oct off; 8, 9, Saturday 10 Oct (调休), 12-16 Oct.
    assert calendar.add(china("2026-09-28T10:00:00"), 10) == china("2026-10-16T23:59:59")
    # Without the calendar (weekends only) the same limit ends a week and a half earlier.
    assert workdays.parse("").add(china("2026-09-28T10:00:00"), 10) == china("2026-10-12T23:59:59")
    assert calendar.is_working(china("2026-10-10T09:00:00").date())  # a Saturday, 国庆调休上班
    assert not calendar.is_working(china("2026-10-05T09:00:00").date())  # a Monday of the holiday


def test_working_days_left_counts_today_and_the_due_day():
    calendar = workdays.parse(CALENDAR)
    due = china("2026-10-16T23:59:59")
    assert calendar.remaining(china("2026-09-30T10:00:00"), due) == 9  # 30 Sep, 8, 9, 10, 12-16 Oct
    assert calendar.remaining(china("2026-10-17T08:00:00"), due) == 0


def test_an_owner_adds_a_holiday_and_the_limit_moves():
    extra = CALENDAR + '- {value: "2026-10-09", label: 临时放假, kind: holiday}\n'
    assert workdays.parse(extra).add(china("2026-09-28T10:00:00"), 10) == china("2026-10-19T23:59:59")


def test_a_bad_calendar_entry_is_named():
    try:
        workdays.parse('- {value: "10月1日", label: 国庆节, kind: holiday}\n')
    except ValueError as err:
        assert "10月1日" in str(err)
    else:
        raise AssertionError("a bad date was accepted")


def test_a_timer_may_count_working_days():
    environment = RestrictedEnvironment(calendar=workdays.parse(CALENDAR))
    due = datetime.fromisoformat(environment.evaluate("working_days_later(3)", {}))
    assert due == workdays.parse(CALENDAR).add(clock.now(), 3)


def test_the_district_review_is_due_in_ten_working_days_and_the_page_says_how_many_are_left(app, as_user):
    instance_id, _ = apply(as_user)
    hexi = as_user("district-hexi")
    task = next(t for t in hexi.get("/tasks").get_json() if t["instance_id"] == instance_id)
    due = datetime.fromisoformat(task["due_at"])
    with app.app_context():
        row = db.session.get(HumanTask, task["id"])
        calendar = workdays.of_definition(row.instance.definition)
        assert due == calendar.add(row.created_at, 10)
        left = calendar.remaining(datetime.now(UTC), due)
    page = Session(app, "district-hexi").text(f"/tasks/{task['id']}")
    assert f"剩余 {left} 个工作日" in page


def test_the_application_is_due_when_the_round_closes(app, as_user):
    round_id = open_round(as_user("city"))
    applicant = as_user("applicant1")
    instance_id = applicant.post("/process-instances", {"process": "provider_selection", "round_id": round_id}
                                 ).get_json()["id"]
    task_id = task_for(applicant, instance_id, "submit_application")
    closes = next(r for r in applicant.get("/rounds").get_json() if r["id"] == round_id)["closes_at"]
    assert datetime.fromisoformat(applicant.get(f"/tasks/{task_id}").get_json()["due_at"]) == \
        datetime.fromisoformat(closes)


def test_a_day_before_the_limit_the_holders_are_reminded_and_once_overdue_the_city_is_told_once(app, as_user):
    instance_id, _ = apply(as_user)
    hexi = as_user("district-hexi")
    task = next(t for t in hexi.get("/tasks").get_json() if t["instance_id"] == instance_id)
    due = datetime.fromisoformat(task["due_at"])

    def kinds(username):
        return [n["kind"] for n in as_user(username).get("/notifications").get_json() if n["task_id"] == task["id"]]

    with app.app_context():
        assert engine.deadlines.sweep(due - timedelta(days=3)) == 0
        assert engine.deadlines.sweep(due - timedelta(hours=12)) == 1
        assert engine.deadlines.sweep(due - timedelta(hours=11)) == 0  # once
    assert kinds("district-hexi").count("deadline") == 1 and kinds("district-hexi2").count("deadline") == 1
    assert "escalated" not in kinds("city")
    with app.app_context():
        assert engine.deadlines.sweep(due + timedelta(minutes=1)) == 1
        assert engine.deadlines.sweep(due + timedelta(days=2)) == 0
    assert kinds("district-hexi").count("overdue") == 1
    assert kinds("city").count("escalated") == 1 and kinds("city2").count("escalated") == 1
    [note] = [n for n in as_user("city").get("/notifications").get_json() if n["kind"] == "escalated"]
    assert "督办" in note["title"] and "district-hexi" in note["body"]


def test_a_task_done_in_time_is_never_escalated(app, as_user):
    instance_id, _ = apply(as_user)
    hexi = as_user("district-hexi")
    task = next(t for t in hexi.get("/tasks").get_json() if t["instance_id"] == instance_id)
    recommend(hexi, instance_id)
    with app.app_context():
        engine.deadlines.sweep(datetime.fromisoformat(task["due_at"]) + timedelta(days=1))
        assert db.session.get(HumanTask, task["id"]).escalated_at is None
    assert not [n for n in hexi.get("/notifications").get_json() if n["kind"] in ("overdue", "deadline")]
