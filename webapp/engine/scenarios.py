"""Scenario tests for diagrams: start data, who completes which task with what, timers passing, and the
expected end and path — run against a throw-away database, never the real one.

A package's scenarios (seeded from processes/<key>.scenarios.yaml) are a YAML list of scenarios:

    - name: 区级退回后补正并入库
      setup: {pool: [applicant2]}          # optional: providers already in the resource pool
      start: {as: city, for: applicant1, round: true, data: {...}}
      steps:
        - {complete: submit_application, as: applicant1, data: {business_license: "@file", ...}}
        - {timer: notice_timer}            # the clock moves to just past that timer's due time; it fires
        - {timer: P1D}                     # or on by a duration; due timers fire
        - {message: objection, payload: {name: 张三, contact: "138…", content: 异议内容}}
      expect: {status: completed, outcome: admitted, path: [admit_to_pool], not_path: [end_city_rejected]}

`"@file"` anywhere in data becomes a fresh PDF attachment uploaded by that user. `start.for` names the
organisation (by one of its users) an official starts the case about; `as: system` starts it as the
system does (a round's population, a removal); `round: true` opens a round of the process first;
`setup` puts providers into the pool (`pool`), gives organisations a center (`centers`), or submits the
current package of a process as a rule change (`changes`; "@change:<key>" in start data is its id). The
`objection` message is filed on the case's open public notice as the public would; any other message
is delivered to the case as it is. `expect` may also list `waiting` (elements the case waits at).

The runner builds a temporary SQLite app (demo accounts, every diagram in processes/, then the
candidate), keeps a copy of that database and restores it before each scenario, so scenarios do not
see each other's cases.
"""

import hashlib
import shutil
import tempfile
from datetime import timedelta
from pathlib import Path

import yaml
from flask import current_app

from ..extensions import db
from ..security import yaml_guard
from .errors import EngineError

PDF = b"%PDF-1.4\n% scenario attachment\n%%EOF\n"
STEP_KINDS = ("complete", "timer", "message")


class ScenarioFileError(ValueError):
    """The scenario file is not a list of well-formed scenarios."""


class CaseEnded(Exception):
    """A timer step found the case already finished: the steps stop, the expectations judge."""


def load(source):
    """Parse and check a scenario file (text or bytes); raise ScenarioFileError naming the problem."""
    if isinstance(source, bytes):
        try:
            source = source.decode("utf-8")
        except UnicodeDecodeError:
            raise ScenarioFileError("场景文件须为 UTF-8 编码") from None
    try:
        scenarios = yaml_guard.safe_load(source)
    except yaml.YAMLError as err:
        raise ScenarioFileError(f"场景文件不是有效的 YAML：{err}") from None
    if scenarios is None:
        return []
    if not isinstance(scenarios, list):
        raise ScenarioFileError("场景文件须为场景列表")
    names = set()
    for n, scenario in enumerate(scenarios, 1):
        if not isinstance(scenario, dict) or not isinstance(scenario.get("name"), str) or not scenario["name"]:
            raise ScenarioFileError(f"第 {n} 个场景缺少名称（name）")
        name = scenario["name"]
        if name in names:
            raise ScenarioFileError(f"场景名称重复：{name}")
        names.add(name)
        start = scenario.get("start")
        if not isinstance(start, dict) or not isinstance(start.get("as"), str):
            raise ScenarioFileError(f"场景「{name}」缺少发起人（start.as）")
        steps = scenario.get("steps") or []
        if not isinstance(steps, list):
            raise ScenarioFileError(f"场景「{name}」的 steps 须为列表")
        for i, step in enumerate(steps, 1):
            kinds = [k for k in STEP_KINDS if isinstance(step, dict) and k in step]
            if len(kinds) != 1:
                raise ScenarioFileError(f"场景「{name}」第 {i} 步须是 complete、timer、message 之一")
            if kinds[0] == "complete" and not isinstance(step.get("as"), str):
                raise ScenarioFileError(f"场景「{name}」第 {i} 步缺少办理人（as）")
        if not isinstance(scenario.get("expect") or {}, dict):
            raise ScenarioFileError(f"场景「{name}」的 expect 须为映射")
    return scenarios


def run(package, source=None, reason=None):
    """Run the scenarios (a file's text, else the package's own) against the candidate package, beside
    the current version of every other process.

    Returns [{"name", "passed", "problems": [str]}]; an empty list when there are no scenarios.
    """
    from .package import latest_versions, of_version, process_key

    scenarios = load(package.scenarios if source is None else source)
    if not scenarios:
        return []
    key = process_key(package.bpmn[1], package.bpmn[0])
    others = [of_version(d) for d in latest_versions() if d.key != key]
    with _Sandbox(package, others) as sandbox:
        return [sandbox.run(scenario) for scenario in scenarios]


def failures(results):
    return [f"场景「{r['name']}」未通过：{'；'.join(r['problems'])}" for r in results if not r["passed"]]


class _Sandbox:
    """A temporary app and SQLite database with the demo accounts, the shipped diagrams and the candidate."""

    def __init__(self, package, others):
        self.package, self.others = package, others
        self.outer = current_app._get_current_object()

    def __enter__(self):
        from .. import create_app

        self.folder = tempfile.mkdtemp(prefix="scenarios-")
        self.work = Path(self.folder) / "work.db"
        self.template = Path(self.folder) / "template.db"
        config = self.outer.config
        self.app = create_app({
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{self.work}", "TESTING": True,
            "SECRET_KEY": "scenarios", "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "FORMS_DIR": config["FORMS_DIR"], "PROCESSES_DIR": config["PROCESSES_DIR"],
            "PROGRAMME_VALID_UNTIL": config.get("PROGRAMME_VALID_UNTIL", "2030-12-31T23:59:59+08:00"),
            "ENGINE_STEPS_PER_REQUEST": config["ENGINE_STEPS_PER_REQUEST"],
            "OBJECTIONS_PER_HOUR": 10**9, "DEPLOY_SCENARIOS": False})
        self.context = self.app.app_context()
        self.context.push()
        try:
            self._build()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _build(self):
        from .. import demo
        from .definitions import deploy

        db.create_all()
        demo.load()
        for other in self.others:
            try:
                deploy(other, actor="scenario", run_scenarios=False, confirm_policy_change=True, reason="scenario")
            except EngineError:
                db.session.rollback()  # a broken neighbour does not stop the candidate's scenarios
        candidate, _ = deploy(self.package, actor="scenario", run_scenarios=False, confirm_policy_change=True,
                              reason="scenario")
        self.app.config["SCENARIO_KEY"] = candidate.key
        db.session.commit()
        self._reset_engine()
        shutil.copyfile(self.work, self.template)

    def _reset_engine(self):
        db.session.remove()
        db.engine.dispose()

    def __exit__(self, *exc):
        try:
            self._reset_engine()
        finally:
            self.context.pop()
            shutil.rmtree(self.folder, ignore_errors=True)

    def run(self, scenario):
        self._reset_engine()
        shutil.copyfile(self.template, self.work)
        problems = []
        try:
            instance_id = _play(scenario, problems)
            if instance_id is not None and not problems:
                _check(scenario.get("expect") or {}, instance_id, problems)
        except Exception as err:  # noqa: BLE001 - any failure is the scenario's result, not a crash
            db.session.rollback()
            problems.append(f"运行出错：{err}")
        finally:
            db.session.rollback()
        return {"name": scenario["name"], "passed": not problems, "problems": problems}


def _user(username):
    from ..models import User

    user = User.query.filter_by(username=username).first()
    if user is None:
        raise ScenarioFileError(f"没有用户 {username}")
    return user


def _files(value, user):
    """Replace each "@file" with a fresh PDF uploaded by the user."""
    from ..models import Attachment

    if value == "@file":
        attachment = Attachment(filename="scenario.pdf", content_type="application/pdf", size=len(PDF),
                                sha256=hashlib.sha256(PDF).hexdigest(), content=PDF, uploaded_by=user.id)
        db.session.add(attachment)
        db.session.flush()
        return attachment.id
    if isinstance(value, dict):
        return {k: _files(v, user) for k, v in value.items()}
    if isinstance(value, list):
        return [_files(v, user) for v in value]
    return value


def _play(scenario, problems):
    from ..models import Center, PoolEntry, Round, RuleChange
    from . import clock, runtime
    from .package import library, of_version
    from .versions import latest_definition, process_properties

    start = scenario["start"]
    setup = scenario.get("setup") or {}
    changes = {}
    key = current_app.config["SCENARIO_KEY"]
    lists = library(latest_definition(key))

    def first(name):
        """The first entry of one of the package's lists: what a provider or center of the setup has."""
        return (lists.entries(name) or [{}])[0].get("value")

    for username in setup.get("pool") or []:
        org = _user(username).organization
        db.session.add(PoolEntry(organization_id=org.id, name=org.name, credit_code=org.credit_code,
                                 categories=[first("provider_categories")], district=org.district))
    for changed in setup.get("changes") or []:  # a change of that process's current package, by the owner
        change = RuleChange(key=changed, content=of_version(latest_definition(changed)).to_content(),
                            author="owner", base_version=latest_definition(changed).version)
        db.session.add(change)
        db.session.flush()
        changes[f"@change:{changed}"] = change.id
    for username in setup.get("centers") or []:
        org = _user(username).organization
        db.session.add(Center(organization_id=org.id, name=f"{org.name}数字化转型促进中心", lead_name=org.name,
                              credit_code=org.credit_code, district=org.district,
                              build_mode=first("center_build_modes")))
    db.session.flush()
    user = _user(start["as"]) if start.get("as") != "system" else None
    round_ = None
    if start.get("round"):
        now = clock.now()
        round_ = Round(kind=key, year=int(start.get("year") or now.year), title=f"{now.year}年度场景测试批次",
                       opens_at=now - timedelta(minutes=1), closes_at=now + timedelta(days=60),
                       created_by="scenario")
        db.session.add(round_)
        db.session.flush()
    data = _files(start.get("data"), user) if start.get("data") and user else start.get("data")
    data = {k: changes.get(v, v) if isinstance(v, str) else v for k, v in data.items()} if data else data
    definition = latest_definition(key)
    form_key = process_properties(definition).get("startForm")
    if form_key and user is not None:  # checked as the start page and the API check it
        data, errors = library(definition).form(form_key).validate(data or {}, runtime.attachment_checker(user))
        if errors:
            problems.append(f"发起数据未通过表单 {form_key} 校验：{errors}")
            return None
    organization = _user(start["for"]).organization if start.get("for") else None
    if user is None:  # the system starts it on the organisation's behalf (a round's population, a removal)
        if organization is None:
            raise ScenarioFileError("由系统发起（as: system）时须写明为哪个单位发起（for）")
        instance = runtime.start_for(key, organization, "system", data, round_)
    else:
        instance = runtime.start(key, user, round_.id if round_ else None, data, organization)
    db.session.commit()
    instance_id, elapsed = instance.id, timedelta(0)
    for n, step in enumerate(scenario.get("steps") or [], 1):
        try:
            elapsed = _step(step, instance_id, elapsed)
            db.session.commit()
        except CaseEnded:
            db.session.rollback()
            return instance_id  # nothing more to play; `expect` says whether it ended as it should
        except (EngineError, ScenarioFileError, ValueError) as err:
            db.session.rollback()
            label = next(f"{k} {step[k]}" for k in STEP_KINDS if k in step)
            detail = getattr(err, "errors", None)
            problems.append(f"第 {n} 步（{label}）失败：{err}" + (f" {detail}" if isinstance(detail, dict) else ""))
            return instance_id
    return instance_id


def _step(step, instance_id, elapsed):
    from .. import notice_lists, objections, scope
    from ..models import HumanTask, Notice, NoticeEntry, ProcessInstance
    from . import clock, runtime

    if "complete" in step:
        user = _user(step["as"])
        tasks = HumanTask.query.filter_by(instance_id=instance_id, element_id=step["complete"], state="open")
        task = next((t for t in tasks.order_by(HumanTask.id) if scope.is_candidate(user, t)), None)
        if task is None:
            raise ScenarioFileError(f"{step['as']} 在此案件没有待办的 {step['complete']} 任务")
        runtime.complete(task.id, user, _files(step.get("data") or {}, user))
    elif "timer" in step:
        elapsed = _timer_passes(step["timer"], instance_id, elapsed)
        runtime.fire_timers(as_of=clock.now() + elapsed)
    else:
        if db.session.get(ProcessInstance, instance_id).status != "running":
            raise CaseEnded()  # nothing waits for a message any more; `expect` says whether that is right
        payload = step.get("payload") or {}
        entry = NoticeEntry.query.filter_by(instance_id=instance_id).first()
        if step["message"] == "objection":
            notice = entry.notice if entry else Notice.query.filter_by(
                instance_id=instance_id, kind="selection_notice", closed_at=None).first()
            if notice is None:
                raise ScenarioFileError("此案件没有公示中的公告，无法提出异议")
            clean = {"name": payload.get("name", "场景测试"), "contact": payload.get("contact", "13800000000"),
                     "content": payload.get("content", "场景测试异议")}
            objections.file(notice.id, clean, "127.0.0.1", entry.credit_code if entry else None)
        elif entry is not None and entry.notice_id is None and step["message"] == entry.message:
            # The city publishes the round's list the case is on (the real path: notice_lists.publish).
            notice_lists.publish(entry.instance.round, _user(step.get("as", "city")))
        else:
            runtime.deliver_message(instance_id, step["message"], payload, "scenario")
    return elapsed


def _timer_passes(what, instance_id, elapsed):
    """How far the clock is moved for a `timer` step: to just past the due time of the case's waiting timer
    `what` names by its element (so a scenario follows the rule, whatever period the package sets), or by
    an ISO 8601 duration."""
    from ..models import ProcessInstance, Timer
    from . import clock
    from .services.notices import iso_duration

    if isinstance(what, str) and not what.startswith("P"):
        timer = (Timer.query.filter_by(instance_id=instance_id, element_id=what, fired_at=None)
                 .order_by(Timer.due_at).first())
        if timer is None:
            if db.session.get(ProcessInstance, instance_id).status != "running":
                raise CaseEnded()
            raise ScenarioFileError(f"此案件没有等待中的定时 {what}")
        return max(elapsed, timer.due_at - clock.now() + timedelta(minutes=1))
    return elapsed + iso_duration(what)


def _check(expect, instance_id, problems):
    from ..models import ProcessInstance

    instance = db.session.get(ProcessInstance, instance_id)
    if instance.error:
        problems.append(f"案件出错：{instance.error}")
    for field in ("status", "outcome"):
        if field in expect and getattr(instance, field) != expect[field]:
            problems.append(f"{field} 应为 {expect[field]}，实际为 {getattr(instance, field)}")
    completed = set(instance.completed_ids or [])
    missing = [e for e in expect.get("path") or [] if e not in completed]
    if missing:
        problems.append(f"路径应经过 {'、'.join(missing)}，实际未经过")
    passed = [e for e in expect.get("not_path") or [] if e in completed]
    if passed:
        problems.append(f"路径不应经过 {'、'.join(passed)}，实际经过了")
    for element in expect.get("waiting") or []:
        if element not in (instance.active_ids or []):
            problems.append(f"应停在 {element}，实际停在 {'、'.join(instance.active_ids or []) or '无'}")
