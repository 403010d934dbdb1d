"""The audit trail is append-only in the database itself, not only in the ORM: triggers refuse every
UPDATE of audit_event, and every DELETE of an entry younger than MIN_RETENTION_DAYS (the retention
sweep removes only older ones). A bulk statement through the app, or a person at the SQL prompt with
the app's role, cannot rewrite history; what remains is a database superuser, for a deployment to
restrict (README, Security)."""

from sqlalchemy import DDL, event

from ..models import AuditEvent

MIN_RETENTION_DAYS = 180

SQLITE = (
    "CREATE TRIGGER IF NOT EXISTS audit_event_no_update BEFORE UPDATE ON audit_event "
    "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS audit_event_no_delete BEFORE DELETE ON audit_event "
    f"WHEN OLD.at > datetime('now', '-{MIN_RETENTION_DAYS} days') "
    "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END",
)
POSTGRESQL = (
    "CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN IF TG_OP = 'DELETE' AND OLD.at < now() - interval "
    f"'{MIN_RETENTION_DAYS} days' THEN RETURN OLD; END IF; "
    "RAISE EXCEPTION 'audit_event is append-only'; END $$",
    "DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event",
    "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
    "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()",
)


def statements(dialect):
    return {"sqlite": SQLITE, "postgresql": POSTGRESQL}.get(dialect, ())


REMOVE = {
    "sqlite": ("DROP TRIGGER IF EXISTS audit_event_no_update", "DROP TRIGGER IF EXISTS audit_event_no_delete"),
    "postgresql": ("DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event",
                   "DROP FUNCTION IF EXISTS audit_event_append_only()"),
}


def remove(connection):
    """Only for the migration's downgrade and for tests that play an intruder past the app."""
    for statement in REMOVE.get(connection.dialect.name, ()):
        connection.exec_driver_sql(statement)


def install(connection):
    for statement in statements(connection.dialect.name):
        connection.exec_driver_sql(statement)


for _dialect, _statements in (("sqlite", SQLITE), ("postgresql", POSTGRESQL)):
    for _statement in _statements:
        event.listen(AuditEvent.__table__, "after_create", DDL(_statement.replace("%", "%%")).execute_if(
            dialect=_dialect))
