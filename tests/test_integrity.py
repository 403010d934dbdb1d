"""`flask check`: every case agrees with itself (state, inbox rows, timers, history) — on a database with
cases at every stage — and each kind of half-written case is named, with exit status 1."""

from datetime import UTC, datetime, timedelta

from selection import admit, apply, assign_experts, complete, recommend, to_notice
from sqlalchemy import delete, insert, update

from webapp.extensions import db
from webapp.models import AuditEvent, HumanTask, ProcessInstance, Timer


def check(app):
    result = app.test_cli_runner().invoke(args=["check"])
    return result.exit_code, result.output


def cases_at_every_stage(app, as_user):
    """{stage: case id}: admitted, rejected, at district review, at expert review, in the notice with an
    objection being verified."""
    ids = {"admitted": admit(app, as_user)}
    ids["rejected"], _ = apply(as_user, "applicant2")
    complete(as_user("district-nankai"), ids["rejected"], "district_review", {"decision": "reject", "opinion": "不符"})
    ids["district"], _ = apply(as_user, "applicant3")
    ids["notice"], _, notice = to_notice(as_user)
    objection = app.test_client().post(f"/api/v1/public/notices/{notice['id']}/objections",
                                       json={"name": "王", "contact": "13900001111", "content": "请核查"})
    assert objection.status_code == 201
    return ids


def test_a_database_with_cases_at_every_stage_checks_clean(app, as_user):
    ids = cases_at_every_stage(app, as_user)
    instance_id, _ = apply(as_user, "applicant2", year=2027)
    recommend(as_user("district-nankai"), instance_id)
    assign_experts(as_user("city"), instance_id)  # a multi-instance review open
    code, output = check(app)
    assert code == 0, output
    assert f"checked {len(ids) + 1} cases: 0 broken" in output


def _run(app, statement):
    with app.app_context():
        db.session.execute(statement)
        db.session.commit()


def _tamper_with_audit(app, statement):
    """What only someone past the app could do: the audit trail's triggers refuse it (security/audit_guard)."""
    from webapp.security import audit_guard
    with app.app_context():
        audit_guard.remove(db.session.connection())
        db.session.execute(statement)
        audit_guard.install(db.session.connection())
        db.session.commit()


def test_each_half_written_case_is_named(app, as_user):
    ids = cases_at_every_stage(app, as_user)
    tasks, timers, audit = HumanTask.__table__, Timer.__table__, AuditEvent.__table__
    _run(app, delete(tasks).where(tasks.c.instance_id == ids["district"], tasks.c.state == "open"))
    _run(app, delete(timers).where(timers.c.instance_id == ids["notice"]))
    _run(app, insert(tasks).values(instance_id=ids["rejected"], task_guid="00000000-0000-0000-0000-000000000001",
                                   element_id="district_review", role="district", state="open",
                                   created_at=datetime.now(UTC)))
    _tamper_with_audit(app, delete(audit).where(audit.c.instance_id == ids["admitted"], audit.c.action == "end"))
    code, output = check(app)
    assert code == 1
    for stage, problem in (("district", "待办任务与流程不一致"), ("notice", "定时与流程不一致"),
                           ("rejected", "仍有 1 个待办任务"), ("admitted", "没有办结记录")):
        assert f"案件 {ids[stage]}（" in output and problem in output, (stage, output)
    assert "4 broken" in output


def test_a_running_case_without_state_or_start_is_named(app, as_user):
    instance_id, _ = apply(as_user)
    cases, audit = ProcessInstance.__table__, AuditEvent.__table__
    _run(app, update(cases).where(cases.c.id == instance_id).values(state={}))
    _tamper_with_audit(app, delete(audit).where(audit.c.instance_id == instance_id, audit.c.action == "start"))
    code, output = check(app)
    assert code == 1 and "办理中但没有流程状态" in output and "没有发起记录" in output


def test_rows_of_a_case_that_does_not_exist_are_named(app, as_user):
    instance_id, _ = apply(as_user)
    _run(app, insert(Timer.__table__).values(instance_id=999_999, task_guid="x", element_id="t",
                                             due_at=datetime.now(UTC) + timedelta(days=1)))
    code, output = check(app)
    assert code == 1 and "案件 999999 不存在" in output
