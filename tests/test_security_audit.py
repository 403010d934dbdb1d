"""Issue 16, the audit trail and backups: append-only in the database (a bulk UPDATE or DELETE through
the app is refused), kept for AUDIT_RETENTION_DAYS, and the whole database backed up and restored."""

import subprocess
import sys
from datetime import timedelta

import pytest
from sqlalchemy import delete, insert, update
from sqlalchemy.exc import DatabaseError

from webapp.extensions import db
from webapp.models import AuditEvent, User, utcnow
from webapp.security import housekeeping


def _audit_count(app):
    with app.app_context():
        return db.session.query(AuditEvent).count()


def check_append_only(app, as_user):
    from selection import apply
    apply(as_user)
    table = AuditEvent.__table__
    for statement in (update(table).values(actor="someone else"), delete(table)):
        with app.app_context():
            with pytest.raises(DatabaseError):
                db.session.execute(statement)
                db.session.commit()
            db.session.rollback()
    with app.app_context():
        assert db.session.query(AuditEvent).filter_by(actor="someone else").count() == 0
        assert db.session.query(AuditEvent).count() > 0


def test_the_audit_trail_refuses_bulk_update_and_delete(app, as_user):
    check_append_only(app, as_user)


@pytest.mark.postgres
def test_the_audit_trail_refuses_bulk_update_and_delete_on_postgresql(app, as_user):
    check_append_only(app, as_user)


def test_entries_past_the_retention_are_swept_and_younger_ones_kept(app):
    with app.app_context():
        table = AuditEvent.__table__
        days = app.config["AUDIT_RETENTION_DAYS"]
        now = utcnow()
        db.session.execute(insert(table), [{"action": "old", "actor": "x", "at": now - timedelta(days=days + 1)},
                                           {"action": "young", "actor": "x", "at": now - timedelta(days=days - 1)}])
        db.session.commit()
        assert housekeeping.sweep()["audit"] == 1
        assert {e.action for e in AuditEvent.query.filter_by(actor="x")} == {"young"}


def flask(app, *args):
    env = {"DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "SECRET_KEY": "test", "PATH": "/usr/bin:/bin"}
    return subprocess.run([sys.executable, "-m", "flask", "--app", "webapp", *args], env=env, capture_output=True,
                          text=True, timeout=120)


def check_backup_and_restore(app, as_user, tmp_path):
    from selection import apply
    instance_id, applicant = apply(as_user)
    before = _audit_count(app)
    path = tmp_path / "backup.dump"
    result = flask(app, "backup", str(path))
    assert result.returncode == 0, result.stderr
    with app.app_context():
        db.session.query(User).filter_by(username="applicant2").delete()  # a change after the backup
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    result = flask(app, "restore", "--yes", str(path))
    assert result.returncode == 0, result.stderr
    with app.app_context():
        assert User.query.filter_by(username="applicant2").count() == 1
    assert _audit_count(app) == before
    case = applicant.get(f"/process-instances/{instance_id}")
    assert case.status_code == 200
    attachment = applicant.get(f"/process-instances/{instance_id}").get_json()["data"]["business_license"]
    assert applicant.get(f"/attachments/{attachment}").data.startswith(b"%PDF")


def test_backup_and_restore_on_sqlite(app, as_user, tmp_path):
    check_backup_and_restore(app, as_user, tmp_path)


@pytest.mark.postgres
def test_backup_and_restore_on_postgresql(app, as_user, tmp_path):
    check_backup_and_restore(app, as_user, tmp_path)


def test_a_new_process_calling_pool_admit_is_refused_at_deploy(app, as_user):
    from io import BytesIO
    from pathlib import Path
    source = (Path(__file__).resolve().parent.parent / "processes" / "provider_selection.bpmn").read_text("utf-8")
    sneaky = source.replace('id="provider_selection"', 'id="sneaky_admission"').replace(
        'processRef="provider_selection"', 'processRef="sneaky_admission"')
    owner = as_user("owner")
    response = owner.client.post("/api/v1/process-definitions", headers=owner.headers,
                                 content_type="multipart/form-data",
                                 data={"bpmn": (BytesIO(sneaky.encode()), "sneaky_admission.bpmn")})
    assert response.status_code == 422
    assert "服务 pool.admit 只能由流程 provider_selection 调用" in str(response.get_json())


def test_a_service_of_the_public_record_is_refused_at_run_time_outside_its_processes(app):
    from types import SimpleNamespace

    from webapp.engine.services import Services
    with app.app_context(), pytest.raises(PermissionError):
        Services(SimpleNamespace(process_key="sneaky_admission", id=1), "owner").call("pool.admit", {"categories": []})


@pytest.mark.postgres
def test_the_app_s_restricted_role_works_and_cannot_touch_the_audit_trail(app, as_user):
    """After `flask grant-app-role`, the app runs as that role (a case goes a step on), and the role can
    neither rewrite the audit trail nor remove its trigger or the table."""
    from selection import apply
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    role = "ci_app_role"
    result = flask(app, "grant-app-role", role)
    assert result.returncode == 0, result.stderr
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).set(username=role)
    restricted = create_engine(url)
    try:
        from api_client import Api
        from conftest import app_config

        from webapp import create_app
        as_role = create_app(app_config(url.render_as_string(hide_password=False)))
        client = as_role.test_client()
        apply(lambda username: Api(client, username), year=2035)  # the whole app, as the restricted role
        for statement in ("UPDATE audit_event SET actor = 'someone else'", "TRUNCATE audit_event",
                          "DROP TRIGGER audit_event_append_only ON audit_event", "DROP TABLE audit_event",
                          "ALTER TABLE audit_event DISABLE TRIGGER ALL"):
            with restricted.connect() as connection, pytest.raises(DatabaseError) as refused:
                connection.exec_driver_sql(statement)
            assert "permission denied" in str(refused.value) or "must be owner" in str(refused.value), statement
        with restricted.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM audit_event WHERE actor = 'applicant1'")).scalar() > 0
    finally:
        restricted.dispose()
        with app.app_context():
            db.session.execute(text(f'DROP OWNED BY "{role}"'))
            db.session.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
            db.session.commit()
