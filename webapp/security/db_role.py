"""`flask grant-app-role NAME`: on PostgreSQL the running app should not be the owner of its tables — an
owner can drop the audit trail's trigger (audit_guard.py) or the table itself. Run by the owner (the
role migrations run as) after every migration, this gives a login role what the running app needs and
no more: the rows of every table, but of audit_event only SELECT, INSERT and DELETE (the trigger lets
only entries past the retention go), never UPDATE, TRUNCATE or any DDL. The deployment then sets
DATABASE_URL of the app servers and the scheduler to that role (and its password, or certificate auth)."""

import re

import click
from flask.cli import with_appcontext
from sqlalchemy import text

from ..extensions import db

ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
AUDIT_TABLE = "audit_event"


def grants(role):
    """The statements that make `role` the app's restricted role (idempotent)."""
    return (
        f'GRANT USAGE ON SCHEMA public TO "{role}"',
        f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "{role}"',
        f'REVOKE UPDATE, TRUNCATE, REFERENCES, TRIGGER ON {AUDIT_TABLE} FROM "{role}"',
        f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "{role}"',
    )


@click.command("grant-app-role")
@click.argument("role")
@with_appcontext
def grant_app_role(role):
    """Create (if missing) and grant the PostgreSQL login role ROLE the app runs as."""
    if db.engine.dialect.name != "postgresql":
        raise click.ClickException("grant-app-role is for PostgreSQL (SQLite has no roles)")
    if not ROLE_NAME.fullmatch(role):
        raise click.ClickException("角色名须为小写字母、数字和下划线，且不以数字开头")
    with db.engine.begin() as connection:
        if connection.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :role"), {"role": role}).first() is None:
            connection.exec_driver_sql(f'CREATE ROLE "{role}" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE')
        for statement in grants(role):
            connection.exec_driver_sql(statement)
    click.echo(f"{role}: 可读写业务表；审计表 {AUDIT_TABLE} 仅可查询、追加和删除过保留期的记录，不能修改或删除触发器")
