"""Two officials completing the same task at once: exactly one 200 and one 409."""

import threading

import pytest
from selection import apply, task_for


def _race(app, as_user):
    instance_id, _ = apply(as_user)
    task_id = task_for(as_user("district-hexi"), instance_id, "district_review")
    clients = [as_user("district-hexi"), as_user("district-hexi")]
    barrier, codes = threading.Barrier(2), []

    def submit(api):
        with app.app_context():
            barrier.wait()
            codes.append(api.post(f"/tasks/{task_id}/complete",
                                  {"data": {"decision": "reject", "opinion": "并发测试"}}).status_code)

    threads = [threading.Thread(target=submit, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    history = clients[0].get(f"/process-instances/{instance_id}/history").get_json()
    return sorted(codes), [e["action"] for e in history].count("complete")


def test_simultaneous_completion_sqlite(app, as_user):
    codes, completions = _race(app, as_user)
    assert codes == [200, 409]
    assert completions == 2  # the application and one district review, never two


@pytest.mark.postgres
def test_simultaneous_completion_postgres(app, as_user):
    codes, completions = _race(app, as_user)
    assert codes == [200, 409]
    assert completions == 2


@pytest.mark.postgres
def test_happy_path_on_postgres(app, as_user):
    from test_provider_selection import test_happy_path_to_admission_after_seven_days
    test_happy_path_to_admission_after_seven_days(app, as_user)


def _two_schedulers(app, as_user):
    from datetime import datetime, timedelta

    from selection import to_notice

    from webapp import engine
    from webapp.extensions import db
    from webapp.models import AuditEvent

    instance_id, _, notice = to_notice(as_user)
    as_of = datetime.fromisoformat(notice["ends_at"]) + timedelta(seconds=1)
    barrier, fired = threading.Barrier(2), []

    def scheduler():
        with app.app_context():
            barrier.wait()
            fired.append(engine.fire_timers(as_of))
            db.session.remove()

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with app.app_context():
        timer_events = db.session.query(AuditEvent).filter_by(instance_id=instance_id, action="timer").count()
        admitted = db.session.query(AuditEvent).filter_by(instance_id=instance_id, name="pool.admit").count()
    return sum(fired), timer_events, admitted


def test_two_schedulers_fire_a_timer_once_sqlite(app, as_user):
    assert _two_schedulers(app, as_user) == (1, 1, 1)


@pytest.mark.postgres
def test_two_schedulers_fire_a_timer_once_postgres(app, as_user):
    assert _two_schedulers(app, as_user) == (1, 1, 1)


def test_a_case_written_by_another_step_since_it_was_read_is_not_overwritten(app, as_user):
    """The revision check of rows.write_case: what keeps the loser of a race from writing on SQLite."""
    from sqlalchemy import update
    from sqlalchemy.orm.exc import StaleDataError

    from webapp.engine import rows
    from webapp.extensions import db
    from webapp.models import ProcessInstance

    instance_id, _ = apply(as_user)
    with app.app_context():
        instance = db.session.get(ProcessInstance, instance_id)  # this step reads the case…
        table = ProcessInstance.__table__
        with db.engine.begin() as other:  # …another step writes it meanwhile
            other.execute(update(table).where(table.c.id == instance_id).values(revision=table.c.revision + 1))
        with pytest.raises(StaleDataError):
            rows.write_case(instance, {"active_ids": ["overwritten"]})
        db.session.rollback()
        assert db.session.get(ProcessInstance, instance_id).active_ids != ["overwritten"]
