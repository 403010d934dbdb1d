"""The set-up commands `make run` relies on, on a database built by the migrations alone."""

from sqlalchemy import inspect

from webapp import create_app
from webapp.extensions import db


def test_init_db_demo_deploy_and_timers_on_a_fresh_database(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'fresh.db'}", "SECRET_KEY": "t"})
    runner = app.test_cli_runner()
    assert runner.invoke(args=["init-db"]).exit_code == 0
    with app.app_context():
        from alembic.autogenerate import compare_metadata
        from alembic.migration import MigrationContext
        with db.engine.connect() as connection:
            drift = compare_metadata(MigrationContext.configure(connection), db.metadata)
        assert [d for d in drift if d[0] != "modify_type"] == []  # migrations match the models
        assert {"process_instance", "human_task", "timer", "audit_event"} <= set(inspect(db.engine).get_table_names())

    first = runner.invoke(args=["demo", "--if-empty"])
    assert first.exit_code == 0 and "demo12345" in first.output
    assert "跳过" in runner.invoke(args=["demo", "--if-empty"]).output

    deployed = runner.invoke(args=["processes", "deploy"])
    assert deployed.exit_code == 0 and "provider_selection v1（新版本）" in deployed.output
    again = runner.invoke(args=["processes", "deploy"])
    assert "provider_selection v1（未变化）" in again.output

    assert runner.invoke(args=["timers", "run"]).output.strip() == "fired 0"
    bad = runner.invoke(args=["timers", "run", "--as-of", "next tuesday"])
    assert bad.exit_code == 2 and "ISO 8601" in bad.output


def test_deploy_reports_a_broken_diagram_and_exits_nonzero(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'b.db'}", "SECRET_KEY": "t"})
    runner = app.test_cli_runner()
    runner.invoke(args=["init-db"])
    broken = tmp_path / "broken.bpmn"
    broken.write_text('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "x">]><x>&e;</x>', encoding="utf-8")
    result = runner.invoke(args=["processes", "deploy", str(broken)])
    assert result.exit_code == 1 and "DOCTYPE" in result.output
