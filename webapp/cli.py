"""Flask commands: init-db, demo, processes deploy, timers run, scheduler."""

import time
from datetime import datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from flask_migrate import upgrade

from . import demo, engine
from .extensions import db
from .models import User


def init_app(app):
    app.cli.add_command(init_db)
    app.cli.add_command(demo_command)
    app.cli.add_command(processes)
    app.cli.add_command(timers)
    app.cli.add_command(scheduler)


@click.command("init-db")
@with_appcontext
def init_db():
    """Create or migrate the schema."""
    upgrade(directory=str(Path(current_app.root_path).parent / "migrations"))
    click.echo("数据库已就绪")


@click.command("demo")
@with_appcontext
@click.option("--if-empty", is_flag=True, help="Only when the database has no users yet.")
def demo_command(if_empty):
    """Load the demo accounts and organisations (idempotent)."""
    if current_app.config["PRODUCTION"] and not click.confirm("生产环境：确定要创建演示账号吗？"):
        return
    if if_empty and User.query.first() is not None:
        click.echo("数据库已有用户，跳过演示数据")
        return
    demo.load()
    click.echo("演示账号已就绪（密码 demo12345）")


@click.group(cls=AppGroup)
def processes():
    """Process definitions."""


@processes.command("deploy")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
def deploy(paths):
    """Validate and deploy processes/ (or the files named); unchanged files deploy nothing."""
    files = list(paths) or sorted(Path(current_app.config["PROCESSES_DIR"]).glob("*.bpmn"))
    failed = False
    for path in files:
        dmns = [(p.name, p.read_bytes()) for p in path.parent.glob(f"{path.stem}*.dmn")]
        try:
            definition, created = engine.deploy((path.name, path.read_bytes()), dmns, actor="cli")
            db.session.commit()
            change = "（新版本）" if created else "（未变化）"
            click.echo(f"{path.name}: {definition.key} v{definition.version}{change}")
        except engine.DefinitionError as err:
            db.session.rollback()
            failed = True
            click.echo(f"{path.name}: 部署失败", err=True)
            for finding in err.errors:
                click.echo(f"  - {finding}", err=True)
    if failed:
        raise SystemExit(1)


@click.group(cls=AppGroup)
def timers():
    """Timers."""


@timers.command("run")
@click.option("--as-of", "as_of", help="ISO 8601 instant (default: now).")
def run_timers(as_of):
    """Fire every timer due at the given time; prints how many fired. Idempotent."""
    instant = None
    if as_of:
        try:
            instant = datetime.fromisoformat(as_of)
        except ValueError:
            raise click.BadParameter("需要 ISO 8601 时间，例如 2026-12-01T09:00:00+08:00") from None
        if instant.tzinfo is None:
            raise click.BadParameter("时间须带时区")
    click.echo(f"fired {engine.fire_timers(instant)}")


@click.command("scheduler")
@with_appcontext
@click.option("--interval", default=30, show_default=True, help="Seconds between checks.")
def scheduler(interval):
    """Long-running: fire timers as they fall due."""
    while True:
        fired = engine.fire_timers()
        if fired:
            click.echo(f"fired {fired}")
        db.session.remove()
        time.sleep(interval)
