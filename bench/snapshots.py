"""Real provider-selection cases, captured once at every stage, to copy into a benchmark database.

A throw-away SQLite app (the tests' make_app) runs three cases through the HTTP API with the demo
users; after every step the case's rows (state, data, inbox rows, timers, audit, notices, pool
entry) are read back as plain dicts. The generator (bench/generate.py) inserts copies of them;
the bare-engine benchmark replays the captured completions in process.
"""

import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from conftest import Api, make_app  # noqa: E402
from selection import (  # noqa: E402
    PAST_NOTICE,
    apply,
    assign_experts,
    complete,
    open_round,
    publish_list,
    recommend,
    run_timers,
    score,
)

from webapp.extensions import db  # noqa: E402
from webapp.models import AuditEvent, HumanTask, Notice, PoolEntry, ProcessInstance, Timer  # noqa: E402

INSTANCE_COLUMNS = ("state", "serializer_version", "data", "completed_ids", "active_ids", "status", "outcome",
                    "outcome_reason")


def _capture(instance_id, now):
    i = db.session.get(ProcessInstance, instance_id)
    db.session.refresh(i)
    tasks = HumanTask.query.filter_by(instance_id=instance_id).order_by(HumanTask.id).all()
    return {
        "instance": {c: getattr(i, c) for c in INSTANCE_COLUMNS},
        "tasks": [{"task_guid": t.task_guid, "element_id": t.element_id, "name": t.name, "lane": t.lane,
                   "role": t.role, "form_key": t.form_key, "assignee": t.assignee, "state": t.state,
                   "claimed_by": t.claimed_by, "completed_by": t.completed_by, "data": t.data,
                   "due_in": (t.due_at - now) if t.due_at else None} for t in tasks],
        "timers": [{"task_guid": t.task_guid, "element_id": t.element_id, "name": t.name,
                    "due_in": t.due_at - now, "fired": t.fired_at is not None}
                   for t in Timer.query.filter_by(instance_id=instance_id)],
        "audit": [{"actor": e.actor, "action": e.action, "element_id": e.element_id, "name": e.name, "data": e.data}
                  for e in AuditEvent.query.filter_by(instance_id=instance_id).order_by(AuditEvent.id)],
        "notices": [{"kind": n.kind, "title": n.title, "subject": n.subject, "body": n.body,
                     "ends_in": (n.ends_at - now) if n.ends_at else None, "closed": n.closed_at is not None}
                    for n in Notice.query.filter_by(instance_id=instance_id)],
        "pool": [{"categories": p.categories, "grade": p.grade}
                 for p in PoolEntry.query.filter_by(instance_id=instance_id)],
    }


def capture():
    """{stage: rows} for every stage of provider_selection, and the completions between stages."""
    app = make_app(f"sqlite:///{tempfile.mkdtemp()}/snap.db")
    client = app.test_client()
    users = {}

    def as_user(name):
        users.setdefault(name, Api(client, name))
        return users[name]

    now = datetime.now(UTC)
    stages, order = {}, []

    def snap(name, instance_id):
        with app.app_context():
            stages[name] = _capture(instance_id, now)
        order.append(name)

    # Case 1: all the way into the pool.
    round_id = open_round(as_user("city"))
    applicant = as_user("applicant1")
    instance_id = applicant.post("/process-instances", {"process": "provider_selection",
                                                        "round_id": round_id}).get_json()["id"]
    snap("submit_application", instance_id)
    from selection import application
    complete(applicant, instance_id, "submit_application", application(applicant, "applicant1"))
    snap("district_review", instance_id)
    recommend(as_user("district-hexi"), instance_id)
    snap("city_formal_check", instance_id)
    assign_experts(as_user("city"), instance_id)
    snap("expert_review", instance_id)
    score(as_user, instance_id)
    snap("city_decision", instance_id)
    complete(as_user("city"), instance_id, "city_decision", {"decision": "approve", "opinion": "列入初选名单"})
    publish_list(as_user("city"), instance_id)  # the round's list goes out; the case waits on its notice timer
    snap("notice", instance_id)
    run_timers(app, now + PAST_NOTICE)
    snap("admitted", instance_id)
    # Case 2: rejected by the city; case 3: not recommended by its district.
    second, _ = apply(as_user, "applicant2")
    recommend(as_user("district-nankai"), second)
    assign_experts(as_user("city"), second)
    score(as_user, second)
    complete(as_user("city"), second, "city_decision", {"decision": "reject", "opinion": "综合评分不足"})
    snap("rejected", second)
    third, _ = apply(as_user, "applicant3")
    complete(as_user("district-binhai"), third, "district_review", {"decision": "reject", "opinion": "不符合条件"})
    snap("not_recommended", third)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    return {"stages": stages, "captured_at": now, "app": app}


def completions(stages):
    """(state before, task guid, element id, the submitted data) for each user task of the main path
    that runs no database service (the city decision publishes a notice, so it is left out)."""
    path = ["submit_application", "district_review", "city_formal_check", "expert_review", "city_decision"]
    steps = []
    for before, after in zip(path, path[1:], strict=False):
        state = stages[before]["instance"]["state"]
        for task in stages[before]["tasks"]:
            if task["state"] != "open":
                continue
            done = next(t for t in stages[after]["tasks"] if t["task_guid"] == task["task_guid"])
            steps.append((state, task["task_guid"], task["element_id"], done["data"]))
            # experts complete one after the other: the second one runs on the state after the first
            if before == "expert_review":
                break
    return steps
