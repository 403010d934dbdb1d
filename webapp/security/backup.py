"""`flask backup PATH` / `flask restore PATH`: the whole database — cases, accounts, audit and the
attachments, which live in it — to one file and back. SQLite: the online backup API (a consistent
copy while the app runs); PostgreSQL: pg_dump's custom format and pg_restore, which need the client
tools on the PATH."""

import shutil
import sqlite3
import subprocess
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import make_url

from ..extensions import db

SQLITE_MAGIC, PG_MAGIC = b"SQLite format 3\x00", b"PGDMP"


def _url():
    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])


def _libpq(url):
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _tool(name):
    path = shutil.which(name)
    if path is None:
        raise click.ClickException(f"{name} is needed for PostgreSQL (apt-get install postgresql-client)")
    return path


def _copy_sqlite(source, target):
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup(path):
    """Write the whole database (attachments included) to PATH."""
    url = _url()
    if url.get_backend_name() == "sqlite":
        _copy_sqlite(url.database, str(path))
    else:
        subprocess.run([_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={path}", _libpq(url)], check=True)
    click.echo(f"已备份到 {path}（{path.stat().st_size} 字节）")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask before replacing the database.")
@with_appcontext
def restore(path, yes):
    """Replace the whole database with the backup in PATH."""
    if not yes and not click.confirm("恢复将覆盖当前数据库的全部内容，确定吗？"):
        raise SystemExit(1)
    url, head = _url(), path.read_bytes()[:16]
    db.session.remove()
    db.engine.dispose()
    if url.get_backend_name() == "sqlite":
        if head != SQLITE_MAGIC:
            raise click.ClickException("不是 SQLite 备份文件")
        _copy_sqlite(str(path), url.database)
    else:
        if not head.startswith(PG_MAGIC):
            raise click.ClickException("不是 PostgreSQL（pg_dump）备份文件")
        subprocess.run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
                        f"--dbname={_libpq(url)}", str(path)], check=True)
    click.echo(f"已从 {path} 恢复")
