"""A known history for the oversight figures: provider-selection cases on two versions, in two rounds and
three districts, each step's task with chosen creation, completion and due times; a few complaints without
a round, one started on New Year's Eve UTC (New Year's Day in China). `expected` computes every figure
from the same choices in plain Python, to compare with what the dashboard says."""

import random
import statistics
import uuid
from datetime import UTC, datetime, timedelta

from webapp import engine
from webapp.extensions import db
from webapp.models import (
    HumanTask,
    Organization,
    PoolEntry,
    ProcessDefinition,
    ProcessInstance,
    Round,
)

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
PATH = ["submit_application", "district_review", "city_formal_check", "expert_review", "city_decision"]
ROLES = {"submit_application": "applicant", "district_review": "district", "city_formal_check": "city",
         "expert_review": "expert", "city_decision": "city"}
DISTRICTS = ["hexi", "nankai", "binhai"]
CATEGORIES = ["consulting", "testing", "rnd"]
# How a case ends after its last completed step, or where it waits.
ENDS = {"not_recommended": "district_review", "admitted": "city_decision", "not_admitted": "city_decision",
        "rejected": "city_decision"}


def second_version(key="provider_selection"):
    """Version 2 of a process: its diagram with one step renamed (a rule change)."""
    latest = engine.latest_definition(key)
    package = engine.of_version(latest)
    name, text = package.bpmn
    engine.deploy(package.changed(bpmn=(name, text.replace('name="区级初审推荐"', 'name="区级初审推荐（新规）"'))),
                  actor="cli", run_scenarios=False)
    db.session.commit()
    return engine.latest_definition(key)


def _round(year):
    row = Round(kind="provider_selection", year=year, title=f"{year}年度服务商遴选", created_by="city",
                opens_at=datetime(year, 3, 1, tzinfo=UTC), closes_at=datetime(year, 12, 1, tzinfo=UTC))
    db.session.add(row)
    db.session.flush()
    return row


def build(seed=17, cases=60):
    """Insert the history; returns its description (what `expected` reads)."""
    rng = random.Random(seed)
    v1 = ProcessDefinition.query.filter_by(key="provider_selection", version=1).one()
    v2 = second_version()
    rounds = {2025: _round(2025), 2026: _round(2026)}
    org = Organization.query.first()
    described = []
    for n in range(cases):
        year = rng.choice([2025, 2026])
        fate = rng.choice(["running"] * 3 + list(ENDS))
        last = rng.randrange(len(PATH)) if fate == "running" else PATH.index(ENDS[fate])
        start = datetime(year, 4, 1, tzinfo=UTC) + timedelta(hours=rng.randrange(2000))
        case = {"definition": rng.choice([v1, v2]), "district": rng.choice(DISTRICTS), "round": rounds[year],
                "year": year, "category": rng.choice(CATEGORIES), "fate": fate, "start": start, "tasks": []}
        at = start
        for index, element in enumerate(PATH[:last + 1]):
            open_ = fate == "running" and index == last
            took = timedelta(seconds=rng.randrange(3600, 30 * 86400))
            due = at + timedelta(days=rng.choice([5, 10, 20])) if element != "expert_review" else None
            for _reviewer in range(2 if element == "expert_review" else 1):
                done = None if open_ else at + took + timedelta(seconds=rng.randrange(600))
                case["tasks"].append({"element": element, "created": at, "completed": done, "due": due})
            at = max(t["completed"] or at for t in case["tasks"])
        described.append(case)
        _insert(case, org, n)
    for n, started in enumerate((datetime(2025, 12, 31, 17, 0, tzinfo=UTC), datetime(2025, 6, 1, tzinfo=UTC))):
        complaint = engine.latest_definition("complaint")
        db.session.add(ProcessInstance(definition_id=complaint.id, process_key="complaint", status="running",
                                       district="hexi", subject=f"投诉{n}", started_at=started, data={},
                                       active_ids=["verify"], completed_ids=[]))
    db.session.commit()
    return {"cases": described, "rounds": rounds, "v1": v1, "v2": v2}


def _insert(case, org, n):
    running = case["fate"] == "running"
    waiting = [t["element"] for t in case["tasks"] if t["completed"] is None]
    instance = ProcessInstance(
        definition_id=case["definition"].id, process_key="provider_selection", district=case["district"],
        round_id=case["round"].id, subject=f"天津测试{n:03d}科技有限公司", organization_id=org.id,
        status="running" if running else "completed", outcome=None if running else case["fate"],
        started_at=case["start"], ended_at=None if running else case["tasks"][-1]["completed"],
        data={"category": case["category"]}, active_ids=sorted(set(waiting)), completed_ids=[])
    db.session.add(instance)
    db.session.flush()
    case["id"] = instance.id
    for task in case["tasks"]:
        element = task["element"]
        db.session.add(HumanTask(
            instance_id=instance.id, task_guid=str(uuid.uuid4()), element_id=element, name=element,
            role=ROLES[element], district=case["district"] if ROLES[element] == "district" else None,
            organization_id=org.id if ROLES[element] == "applicant" else None,
            assignee="expert1" if element == "expert_review" else None,
            state="open" if task["completed"] is None else "completed", due_at=task["due"],
            created_at=task["created"], completed_at=task["completed"],
            completed_by=None if task["completed"] is None else "someone"))
    if case["fate"] == "admitted":
        db.session.add(PoolEntry(organization_id=org.id, instance_id=instance.id, name=instance.subject,
                                 credit_code=org.credit_code, categories=[case["category"]],
                                 district=case["district"], admitted_at=case["tasks"][-1]["completed"]))


def chosen(history, version=None, year=None, round_year=None, district=None):
    """The history's provider-selection cases a filter keeps."""
    return [c for c in history["cases"]
            if (version is None or c["definition"].version == version) and (year is None or c["year"] == year)
            and (round_year is None or c["year"] == round_year) and (district is None or c["district"] == district)]


def expected(cases):
    """Every figure of the dashboard's tables, from the chosen cases."""
    out = {"stages": {}, "districts": {}, "categories": {}, "outcomes": {}, "on_time": {}, "rounds": {}}
    for c in cases:
        running = c["fate"] == "running"
        admitted = int(c["fate"] == "admitted")
        row = out["districts"].setdefault(c["district"], {"cases": 0, "running": 0, "overdue": 0, "admitted": 0,
                                                          "outcomes": {}})
        row["cases"] += 1
        row["overdue"] += sum(t["completed"] is None and t["due"] is not None and t["due"] < NOW for t in c["tasks"])
        row["running"] += running
        row["admitted"] += admitted
        if not running:
            row["outcomes"][c["fate"]] = row["outcomes"].get(c["fate"], 0) + 1
            out["outcomes"][c["fate"]] = out["outcomes"].get(c["fate"], 0) + 1
        for element in {t["element"] for t in c["tasks"] if t["completed"] is None}:
            out["stages"][element] = out["stages"].get(element, 0) + 1
        category = out["categories"].setdefault(c["category"], [0, 0])
        category[0] += 1
        category[1] += admitted
        in_round = out["rounds"].setdefault(c["year"], [0, 0])
        in_round[0] += 1
        in_round[1] += admitted
        for t in c["tasks"]:
            if t["due"] is None or (t["completed"] is None and t["due"] >= NOW):
                continue
            slot = out["on_time"].setdefault((c["district"], t["element"]), [0, 0])
            slot[0] += 1
            slot[1] += t["completed"] is not None and t["completed"] <= t["due"]
    return out


def step_times(cases):
    """{element: (tasks, median seconds, 90th percentile seconds)} of the completed tasks of the cases."""
    durations = {}
    for c in cases:
        for t in c["tasks"]:
            if t["completed"] is not None:
                durations.setdefault(t["element"], []).append(round((t["completed"] - t["created"]).total_seconds()))
    return {element: (len(d), statistics.median(d),
                      statistics.quantiles(d, n=10, method="inclusive")[8] if len(d) > 1 else d[0])
            for element, d in durations.items()}
