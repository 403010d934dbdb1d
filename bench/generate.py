"""Fill a benchmark database with realistic provider-selection cases, fast: rows are copied from
real captured cases (bench/snapshots.py) with bulk inserts, not produced by running workflows.

Every case gets its own organisation (with a valid credit code) in one of the 16 districts, the
inbox rows, timers, audit events, notices and pool entry its stage has. Cases whose rows must be
driven further (tasks completed through the API, timers fired) get `consistent=True`: every UUID in
their workflow state is replaced by a fresh one, so their inbox/timer rows point into their own state.
"""

import json
import random
import re
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, text

from webapp.demo import districts
from webapp.extensions import db
from webapp.formkit.credit_code import CHARSET, check_digit
from webapp.models import (
    AuditEvent,
    HumanTask,
    Notice,
    Organization,
    PoolEntry,
    ProcessDefinition,
    ProcessInstance,
    Round,
    Timer,
)

# Share of cases per stage: a few years of rounds, most cases finished, a round in progress.
MIX = {"submit_application": 4, "district_review": 8, "city_formal_check": 5, "expert_review": 5,
       "city_decision": 4, "notice": 4, "admitted": 45, "rejected": 10, "not_recommended": 15}
UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
DISTRICTS = [d["value"] for d in districts()]
BATCH = 2000


def remap_uuids(value):
    """A deep copy of `value` with every UUID replaced consistently by a fresh one; returns (copy, mapping)."""
    mapping = {}

    def fresh(match):
        old = match.group(0)
        if old not in mapping:
            mapping[old] = str(uuid.uuid4())
        return mapping[old]
    return json.loads(UUID_RE.sub(fresh, json.dumps(value))), mapping


def _next_id(model):
    return (db.session.execute(select(func.max(model.id))).scalar() or 0) + 1


def _insert(model, rows):
    for start in range(0, len(rows), BATCH):
        db.session.execute(model.__table__.insert(), rows[start:start + BATCH])


def _fix_sequences(models):
    if db.engine.dialect.name != "postgresql":
        return
    for model in models:
        table = model.__table__.name
        db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                f"coalesce((SELECT max(id) FROM {table}), 1))"))


def credit_code(n):
    first17 = f"9112{n:013d}"[:17]
    assert all(c in CHARSET for c in first17)
    return first17 + check_digit(first17)


def setup_rounds(years=(2023, 2024, 2025, 2026)):
    """One provider_selection round per year, the last one open; returns {year: id}."""
    now = datetime.now(UTC)
    ids = {}
    for year in years:
        row = Round.query.filter_by(kind="provider_selection", year=year).first()
        if row is None:
            open_ = year == years[-1]
            row = Round(kind="provider_selection", year=year, title=f"{year}年度制造业数字化转型服务商遴选（基准）",
                        opens_at=now - timedelta(days=30 if open_ else 400 * (years[-1] - year)),
                        closes_at=now + timedelta(days=60) if open_ else now - timedelta(days=300),
                        created_by="bench")
            db.session.add(row)
            db.session.flush()
        ids[year] = row.id
    db.session.commit()
    return ids


def insert_cases(snap, plan, consistent=False, timer_due_at=None, rng=None):
    """Insert one case per entry of `plan` (a list of stage names); returns the new cases as
    [(instance id, district, {captured task guid: new guid})]. `timer_due_at` overrides the
    due time of the notice timers (the captured case's own timer stays in its state)."""
    rng = rng or random.Random(7)
    stages, captured_at = snap["stages"], snap["captured_at"]
    now = datetime.now(UTC)
    definition = (ProcessDefinition.query.filter_by(key="provider_selection")
                  .order_by(ProcessDefinition.version.desc()).first())
    rounds = setup_rounds()
    years = sorted(rounds)
    ids = {m: _next_id(m) for m in (Organization, ProcessInstance, HumanTask, Timer, AuditEvent, Notice, PoolEntry)}
    rows = {m: [] for m in ids}
    created = []
    for stage in plan:
        case = stages[stage]
        district = rng.choice(DISTRICTS)
        org_id, instance_id = ids[Organization], ids[ProcessInstance]
        ids[Organization] += 1
        ids[ProcessInstance] += 1
        name = f"天津基准测试{org_id:06d}数字科技有限公司"
        code = credit_code(org_id)
        rows[Organization].append({"id": org_id, "name": name, "credit_code": code, "district": district,
                                   "contact_name": "王经理", "contact_phone": "022-23456789",
                                   "contact_email": f"bench{org_id}@example.cn", "created_at": now})
        instance = dict(case["instance"])
        mapping = {}
        if consistent:
            instance["state"], mapping = remap_uuids(instance["state"])
        finished = instance["status"] == "completed"
        year = years[-1] if not finished else rng.choice(years)
        started = now - timedelta(days=rng.randint(1, 25) if not finished else 365 * (years[-1] - year) + 40)
        rows[ProcessInstance].append({
            "id": instance_id, "definition_id": definition.id, "process_key": "provider_selection",
            "subject": name, "organization_id": org_id, "district": district, "round_id": rounds[year],
            "revision": 1, "started_by": "bench", "started_at": started,
            "ended_at": started + timedelta(days=35) if finished else None, **instance})
        for task in case["tasks"]:
            guid = mapping.get(task["task_guid"], str(uuid.uuid4()))
            due = (task["due_in"] + now) if task["due_in"] is not None else None
            if task["state"] == "open" and due is not None:
                due -= timedelta(days=rng.randint(0, 20))  # some of them overdue
            elif due is not None:
                due = started + (task["due_in"])
            rows[HumanTask].append({
                "id": ids[HumanTask], "instance_id": instance_id, "task_guid": guid,
                "element_id": task["element_id"], "name": task["name"], "lane": task["lane"], "role": task["role"],
                "form_key": task["form_key"], "district": district if task["role"] == "district" else None,
                "organization_id": org_id if task["role"] == "applicant" else None,
                "assignee": task["assignee"], "claimed_by": None, "state": task["state"], "due_at": due,
                "created_at": started, "completed_by": task["completed_by"] if task["role"] != "district"
                else (f"district-{district}" if task["completed_by"] else None),
                "completed_at": started + timedelta(days=3) if task["state"] == "completed" else None,
                "data": task["data"]})
            ids[HumanTask] += 1
        for timer in case["timers"]:
            rows[Timer].append({
                "id": ids[Timer], "instance_id": instance_id,
                "task_guid": mapping.get(timer["task_guid"], str(uuid.uuid4())),
                "element_id": timer["element_id"], "name": timer["name"],
                # not due before the benchmark's "as of" instant unless asked (timer_due_at)
                "due_at": timer_due_at or (captured_at + timer["due_in"] + timedelta(days=1 + rng.randint(0, 20))),
                "fired_at": started + timedelta(days=30) if timer["fired"] else None})
            ids[Timer] += 1
        for event in case["audit"]:
            rows[AuditEvent].append({"id": ids[AuditEvent], "at": started, "actor": event["actor"],
                                     "action": event["action"], "instance_id": instance_id,
                                     "element_id": event["element_id"], "name": event["name"], "data": event["data"]})
            ids[AuditEvent] += 1
        for notice in case["notices"]:
            rows[Notice].append({"id": ids[Notice], "kind": notice["kind"], "title": notice["title"],
                                 "subject": name, "body": notice["body"], "instance_id": instance_id,
                                 "starts_at": now if not finished else started + timedelta(days=30),
                                 "ends_at": (notice["ends_in"] + now) if notice["ends_in"] is not None else None,
                                 "closed_at": started + timedelta(days=37) if notice["closed"] else None})
            ids[Notice] += 1
        for entry in case["pool"]:
            rows[PoolEntry].append({"id": ids[PoolEntry], "organization_id": org_id, "instance_id": instance_id,
                                    "name": name, "credit_code": code, "categories": entry["categories"],
                                    "district": district, "grade": rng.choice([None, None, "A", "B", "C"]),
                                    "grade_year": year, "admitted_at": started + timedelta(days=38)})
            ids[PoolEntry] += 1
        created.append((instance_id, district, mapping))
    for model in (Organization, ProcessInstance, HumanTask, Timer, AuditEvent, Notice, PoolEntry):
        _insert(model, rows[model])
    _fix_sequences(rows)
    db.session.commit()
    return created


def plan_for(n, rng=None):
    """`n` stage names drawn with the MIX shares."""
    rng = rng or random.Random(11)
    names, weights = zip(*MIX.items(), strict=False)
    return rng.choices(names, weights=weights, k=n)


def count_cases():
    return db.session.execute(select(func.count(ProcessInstance.id))).scalar()
