"""Flask commands: init-db, demo, processes deploy, timers run, scheduler, oversight refresh."""

import time
from datetime import datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from flask_migrate import upgrade

from . import demo, engine, outbox
from .engine import PolicyChangeRequired
from .extensions import db
from .models import ProcessInstance, User
from .security import housekeeping

RELEASE = "cli"  # who deployed a version from the repository's files (a release), not a person


def init_app(app):
    app.cli.add_command(init_db)
    app.cli.add_command(demo_command)
    app.cli.add_command(processes)
    app.cli.add_command(timers)
    app.cli.add_command(scheduler)
    app.cli.add_command(check)
    app.cli.add_command(oversight)


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
@click.option("--confirm-policy-change", is_flag=True,
              help="Confirm a change to what the regulation fixes (grade bands, delisting grounds).")
@click.option("--reason", default=None, help="Why the policy changes (required with --confirm-policy-change).")
@click.option("--force", is_flag=True, help="Deploy even over a newer version a person deployed in the workspace.")
def deploy(paths, confirm_policy_change, reason, force):
    """Validate and deploy processes/ (or the files named) as rule packages: each diagram with its tables,
    the forms it names and the lists of forms/, its parameters and scenarios. Unchanged packages deploy
    nothing; a package that would replace a version a process owner deployed is skipped with a warning
    unless --force (the repository is the release's seed, not the rules in force)."""
    files = list(paths) or sorted(Path(current_app.config["PROCESSES_DIR"]).glob("*.bpmn"))
    failed = False
    for path in files:
        try:
            package = engine.from_repository(path, current_app.config["FORMS_DIR"])
            latest = engine.latest_definition(engine.package.process_key(package.bpmn[1]), required=False)
            if engine.package.already_deployed(package) and not force:
                click.echo(f"{path.name}: {latest.key} v{latest.version}（未变化）")
                continue  # this release was deployed before; a later version stands (the owner's, or a restore)
            if latest is not None and latest.deployed_by != RELEASE and not force:
                click.echo(f"{path.name}: 跳过——{latest.key} 的最新版本 v{latest.version} 由 {latest.deployed_by} "
                           f"在工作台部署，发布包会覆盖它；确需覆盖请加 --force", err=True)
                failed = True
                continue
            definition, created = engine.deploy(package, actor=RELEASE, confirm_policy_change=confirm_policy_change,
                                                reason=reason)
            db.session.commit()
            change = "（新版本）" if created else "（未变化）"
            click.echo(f"{path.name}: {definition.key} v{definition.version}{change}")
        except engine.DefinitionError as err:
            db.session.rollback()
            failed = True
            click.echo(f"{path.name}: 部署失败", err=True)
            for finding in err.errors:
                click.echo(f"  - {finding}", err=True)
            if isinstance(err, PolicyChangeRequired):
                click.echo("  确认这是有意的政策变更时，请加 --confirm-policy-change --reason \"理由\" 重新部署",
                           err=True)
    if failed:
        raise SystemExit(1)


@processes.command("migrate")
@click.argument("key")
@click.option("--dry-run", is_flag=True, help="Only report which running cases could move and why not.")
def migrate(key, dry_run):
    """Move the running cases of KEY to its newest version where that is safe; prints each case."""
    from .engine import migration

    try:
        checks = migration.check_all(key)
    except engine.NotFound as err:
        raise click.ClickException(str(err)) from None
    moved = 0
    for instance, verdict in checks:
        if verdict["from_version"] == verdict["to_version"]:
            continue  # already on the newest version
        if not verdict["can_move"]:
            click.echo(f"案件 {instance.id} v{verdict['from_version']}：不能迁移（{verdict['reason']}）")
            continue
        if dry_run:
            click.echo(f"案件 {instance.id} v{verdict['from_version']}：可迁移到 v{verdict['to_version']}")
            continue
        try:
            migration.move(instance, "cli")
            db.session.commit()
            moved += 1
            click.echo(f"案件 {instance.id}：已迁移 v{verdict['from_version']} → v{verdict['to_version']}")
        except engine.EngineError as err:
            db.session.rollback()
            click.echo(f"案件 {instance.id}：迁移失败（{err}）", err=True)
    if not dry_run:
        click.echo(f"migrated {moved}")


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
    """Long-running: fire timers as they fall due and send the outbox (e-mail, SMS). A failing case or
    message is marked and skipped by the sweep itself; anything else (the database away for a while) is
    logged and the next sweep tries again."""
    while True:
        try:
            fired = engine.fire_timers()
            if fired:
                click.echo(f"fired {fired}")
            engine.deadlines.sweep()
            sent, failed = outbox.send_due()
            if sent or failed:
                click.echo(f"sent {sent}, failed {failed}")
            housekeeping.maybe_sweep()  # orphan uploads, audit past its retention (security/housekeeping.py)
            engine.oversight.maybe_refresh(current_app.config["OVERSIGHT_REFRESH_MINUTES"])
        except Exception:  # noqa: BLE001 - the scheduler outlives any one failure
            db.session.rollback()
            current_app.logger.exception("timer sweep failed; retrying in %s s", interval)
        finally:
            db.session.remove()
        time.sleep(interval)


@click.group(cls=AppGroup)
def oversight():
    """The oversight dashboard's figures."""


@oversight.command("refresh")
def refresh_oversight():
    """Compute the dashboard's figures now (the scheduler does every OVERSIGHT_REFRESH_MINUTES)."""
    record = engine.oversight.refresh()
    click.echo(f"{record.cases} cases in {record.seconds} s")


@processes.command("scenarios")
@click.argument("key")
def scenarios(key):
    """Run processes/KEY.scenarios.yaml against the package of processes/KEY.bpmn, in a throw-away database."""
    from .engine import scenarios as runner

    path = Path(current_app.config["PROCESSES_DIR"]) / f"{key}.bpmn"
    if not path.is_file():
        raise click.ClickException(f"没有 {path.name}")
    package = engine.from_repository(path, current_app.config["FORMS_DIR"])
    if not package.scenarios:
        raise click.ClickException(f"没有 {key}.scenarios.yaml")
    try:
        results = runner.run(package)
    except (runner.ScenarioFileError, engine.DefinitionError) as err:
        raise click.ClickException(str(err)) from None
    for result in results:
        click.echo(f"{'通过' if result['passed'] else '未通过'}  {result['name']}")
        for problem in result["problems"]:
            click.echo(f"      {problem}")
    failed = [r for r in results if not r["passed"]]
    click.echo(f"{len(results) - len(failed)} / {len(results)} 个场景通过")
    if failed:
        raise SystemExit(1)


@click.command("check")
@with_appcontext
def check():
    """Verify every case's invariants (state, inbox rows, timers, history); exit 1 naming each broken case."""
    from .engine import integrity

    broken, orphans = integrity.check()
    for instance, found in broken:
        click.echo(f"案件 {instance.id}（{instance.process_key} v{instance.definition.version}，{instance.status}）：")
        for problem in found:
            click.echo(f"  - {problem}")
    for instance_id in orphans:
        click.echo(f"案件 {instance_id} 不存在，却有待办任务或定时")
    for instance in integrity.errors():
        click.echo(f"案件 {instance.id} 出错待处理：{instance.error}")
    total = ProcessInstance.query.count()
    click.echo(f"checked {total} cases: {len(broken) + len(orphans)} broken")
    if broken or orphans:
        raise SystemExit(1)
