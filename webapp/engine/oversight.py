"""Oversight (issue 17): where cases wait and for how long, from SQL over the case, inbox and history tables
— no workflow is deserialised.

The counts and step times are aggregated by `refresh` (the scheduler runs it every OVERSIGHT_REFRESH_MINUTES;
also `flask --app webapp oversight refresh`) into rows summed per version, round, year and district, so the
dashboard reads a few thousand rows however many cases there are. What must be live is read live: the tasks
overdue now, from the index of open tasks by due date.

A case's year is its round's, else the year (China time) it started. A step's time runs from its task's
creation to its completion, in whole seconds; percentiles interpolate between the closest ranks (as
PostgreSQL's percentile_cont and Python's statistics.quantiles(method="inclusive") do). A task is on time
when completed by its due date (dueWorkingDays, dueIn or dueAt, as the inbox shows it); a task still open
past its due date counts as late.
"""

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, case, delete, extract, func, insert, literal, or_, select

from ..extensions import db
from ..ids import parse_id
from ..models import (
    AuditEvent,
    HumanTask,
    OversightCount,
    OversightRefresh,
    OversightTime,
    PoolEntry,
    ProcessDefinition,
    ProcessInstance,
    Round,
)
from . import clock
from .compare import bpmn_elements

_cases, _tasks, _defs = ProcessInstance.__table__, HumanTask.__table__, ProcessDefinition.__table__
_rounds, _pool = Round.__table__, PoolEntry.__table__
_counts, _times = OversightCount.__table__, OversightTime.__table__
# The percentiles a step shows, as fractions (numerator, denominator): the median and the 90th.
PERCENTILES = {"median_s": (1, 2), "p90_s": (9, 10)}
GRADING_SERVICE = "grading.record"  # the service that records a provider's annual grade (services/grading.py)


@dataclass(frozen=True)
class Filters:
    """What the dashboard shows: one process, optionally one version, round or year, and one district
    (a district official's own, always)."""

    process: str
    version: int | None = None
    round_id: int | None = None
    year: int | None = None
    district: str | None = None


READERS = ("city", "owner", "district")  # who reads the dashboard; a district official only their district's
MAX_YEAR = 9999


def filters_for(user, args, processes, districts):
    """The filters a person asked for (query arguments), within what they may see: a district official's
    are always their own district's. `processes`: the keys offered, the first the default (None if there are
    none); `districts`: the districts one may choose."""
    if not processes:
        return None
    process = args.get("process") if args.get("process") in processes else processes[0]
    district = user.district if user.role == "district" else (
        args.get("district") if args.get("district") in districts else None)
    year = parse_id(args.get("year"))
    return Filters(process, parse_id(args.get("version")), parse_id(args.get("round")),
                   year if year and year <= MAX_YEAR else None, district)


def processes_offered(listed):
    """The deployed processes in the order of `listed` (the processes list), any others after them."""
    deployed = set(db.session.scalars(select(ProcessDefinition.key).distinct()))
    return [key for key in listed if key in deployed] + sorted(deployed - set(listed))


def versions_of(process):
    """The version numbers of a process, newest first."""
    return list(db.session.scalars(select(_defs.c.version).where(_defs.c.key == process)
                                   .order_by(_defs.c.version.desc())))


def years_of(process):
    """The years a process's figures cover, newest first."""
    return sorted({y for y in db.session.scalars(select(OversightCount.year).where(
        OversightCount.process_key == process).distinct()) if y is not None}, reverse=True)


# ---------------------------------------------------------------- refresh

def _year_start(year):
    return datetime(year, 1, 1, tzinfo=clock.ZONE)


def _case_year():
    """SQL for a case's year: its round's, else its start's in China time (one comparison per year, so
    both databases run it alike)."""
    first, last = db.session.execute(select(func.min(_cases.c.started_at), func.max(_cases.c.started_at))).one()
    if first is None:
        return _rounds.c.year
    first, last = clock.local(first).year, clock.local(last).year
    if first == last:
        return func.coalesce(_rounds.c.year, literal(last))
    started = case(*[(_cases.c.started_at < _year_start(y + 1), y) for y in range(first, last)], else_=last)
    return func.coalesce(_rounds.c.year, started)


def _seconds(start, end):
    """Whole seconds from `start` to `end`, in SQL."""
    if db.engine.dialect.name == "postgresql":
        return func.round(extract("epoch", end - start))
    return func.round((func.julianday(end) - func.julianday(start)) * 86400)


def _elements(column):
    """The items of a JSON array column as a table (SQLite json_each, PostgreSQL json_array_elements_text)."""
    items = func.json_array_elements_text if db.engine.dialect.name == "postgresql" else func.json_each
    return items(column).table_valued("value")


def _count_rows(now, year):
    """(measure, definition id, process key, version, round id, year, district, key, cases, hits) rows."""
    admitted = func.sum(case((_cases.c.id.in_(select(_pool.c.instance_id).where(_pool.c.instance_id.isnot(None))),
                              1), else_=0))
    keys = (_cases.c.definition_id, _defs.c.key, _defs.c.version, _cases.c.round_id, year, _cases.c.district)
    cases = (_cases.join(_defs, _defs.c.id == _cases.c.definition_id)
             .outerjoin(_rounds, _rounds.c.id == _cases.c.round_id))

    def grouped(measure, key, cases_from, count, hits, *where):
        return (select(literal(measure), *keys, key, count, hits).select_from(cases_from).where(*where)
                .group_by(*keys, key))

    category = _cases.c.data["category"].as_string()
    steps = _elements(_cases.c.active_ids)
    late = or_(_tasks.c.state == "completed", and_(_tasks.c.state == "open", _tasks.c.due_at < now))
    on_time = func.sum(case((and_(_tasks.c.state == "completed", _tasks.c.completed_at <= _tasks.c.due_at), 1),
                            else_=0))
    queries = (
        grouped("status", _cases.c.status, cases, func.count(), admitted),
        grouped("outcome", _cases.c.outcome, cases, func.count(), literal(0),
                _cases.c.status != "running", _cases.c.outcome.isnot(None)),
        grouped("category", category, cases, func.count(), admitted, category.isnot(None)),
        grouped("stage", steps.c.value, cases.join(steps, literal(True)), func.count(), literal(0),
                _cases.c.status == "running"),
        grouped("ontime", _tasks.c.element_id, cases.join(_tasks, _tasks.c.instance_id == _cases.c.id),
                func.count(), on_time, _tasks.c.due_at.isnot(None), late),
        grouped("overdue", _tasks.c.element_id, cases.join(_tasks, _tasks.c.instance_id == _cases.c.id),
                func.count(), literal(0), _tasks.c.state == "open", _tasks.c.due_at < now),
    )
    for query in queries:
        yield from db.session.execute(query)


# The filters a step's times are kept for: all cases, a round, a year — each alone and within a district.
TIME_FILTERS = [period + where for period in ((), ("round_id",), ("year",)) for where in ((), ("district",))]


def _time_rows(year):
    """Each step's count, median and 90th percentile for every filter of TIME_FILTERS. The groups' sizes
    come first (one GROUP BY); then the completed tasks' times are read once in ascending order, and each
    group keeps only the values at the ranks its percentiles need — one sort however many filters."""
    done = (select(_cases.c.definition_id, _tasks.c.element_id, _cases.c.round_id, year.label("year"),
                   _cases.c.district, _seconds(_tasks.c.created_at, _tasks.c.completed_at).label("s"))
            .select_from(_tasks.join(_cases, _cases.c.id == _tasks.c.instance_id)
                         .outerjoin(_rounds, _rounds.c.id == _cases.c.round_id))
            .where(_tasks.c.state == "completed").subquery())
    leaf = [done.c.definition_id, done.c.element_id, done.c.round_id, done.c.year, done.c.district]
    positions = [[leaf.index(done.c[name]) for name in names] for names in TIME_FILTERS]
    sizes, groups_of = {}, {}  # groups_of: a leaf's (version, step, round, year, district) -> its groups
    for *key, n in db.session.execute(select(*leaf, func.count()).group_by(*leaf)):
        groups_of[tuple(key)] = [(f, key[0], key[1], *(key[i] for i in at)) for f, at in enumerate(positions)]
        for group in groups_of[tuple(key)]:
            sizes[group] = sizes.get(group, 0) + n
    # per group: [times seen so far, the ranks its percentiles need, {rank: time}]
    state = {group: [0, {(n - 1) * a // b + step for a, b in PERCENTILES.values() for step in (0, 1)}, {}]
             for group, n in sizes.items()}
    for *key, seconds in db.session.execute(select(*leaf, done.c.s).order_by(done.c.s)
                                            .execution_options(yield_per=10000)):
        for group in groups_of[tuple(key)]:
            kept = state[group]
            if kept[0] in kept[1]:
                kept[2][kept[0]] = seconds
            kept[0] += 1
    for group, n in sizes.items():
        yield _percentile_row(group, n, state[group][2])


def _percentile_row(group, n, at):
    """The row of one group: `at` holds its sorted times at the ranks the percentiles need (0-based)."""
    row = {"definition_id": group[1], "element_id": group[2], "round_id": None, "year": None, "district": None,
           "tasks": n, **dict(zip(TIME_FILTERS[group[0]], group[3:], strict=True))}
    for column, (a, b) in PERCENTILES.items():
        low, part = divmod((n - 1) * a, b)
        high = at.get(low + 1, at[low])
        row[column] = at[low] + (high - at[low]) * part / b
    return row


COUNT_COLUMNS = ("measure", "definition_id", "process_key", "version", "round_id", "year", "district", "key",
                 "cases", "hits")


def refresh(now=None):
    """Compute every figure afresh, replacing the last ones in one transaction; returns its record. The
    record's row is locked first, so two schedulers refreshing at once take turns instead of each adding
    its rows beside the other's."""
    started, now = time.perf_counter(), now or clock.now()
    record = OversightRefresh.query.order_by(OversightRefresh.id.desc()).with_for_update().first()
    year = _case_year()
    counts = [dict(zip(COUNT_COLUMNS, row, strict=True)) for row in _count_rows(now, year)]
    times = list(_time_rows(year))
    for table in (_counts, _times):
        db.session.execute(delete(table))
    if counts:
        db.session.execute(insert(_counts), counts)
    if times:
        db.session.execute(insert(_times), times)
    record = record or OversightRefresh()
    record.computed_at, record.seconds = now, round(time.perf_counter() - started, 3)
    record.cases = db.session.scalar(select(func.count()).select_from(_cases))
    db.session.add(record)
    db.session.commit()
    return record


_last = [0.0]


def maybe_refresh(minutes):
    """The scheduler calls this on every pass; it refreshes every `minutes` (0: never), unless another
    scheduler has just done so."""
    if not minutes or time.monotonic() - _last[0] < minutes * 60:
        return None
    _last[0] = time.monotonic()
    last = last_refresh()
    if last is not None and clock.now() - last.computed_at < timedelta(minutes=minutes):
        return None
    return refresh()


def last_refresh():
    return OversightRefresh.query.order_by(OversightRefresh.id.desc()).first()


# ---------------------------------------------------------------- reading

def _definition_ids(filters):
    query = select(_defs.c.id).where(_defs.c.key == filters.process)
    if filters.version is not None:
        query = query.where(_defs.c.version == filters.version)
    return query


def _count_filter(filters):
    where = [OversightCount.process_key == filters.process]
    for column, value in ((OversightCount.version, filters.version), (OversightCount.round_id, filters.round_id),
                          (OversightCount.year, filters.year), (OversightCount.district, filters.district)):
        if value is not None:
            where.append(column == value)
    return where


def figures(filters):
    """The dashboard's tables for `filters`: {measure: {(key, district, round id): [cases, hits]}} summed."""
    rows = db.session.execute(
        select(OversightCount.measure, OversightCount.key, OversightCount.district, OversightCount.round_id,
               func.sum(OversightCount.cases), func.sum(OversightCount.hits))
        .where(*_count_filter(filters))
        .group_by(OversightCount.measure, OversightCount.key, OversightCount.district, OversightCount.round_id))
    found = {}
    for measure, key, district, round_id, cases, hits in rows:
        found.setdefault(measure, {})[(key, district, round_id)] = [int(cases), int(hits)]
    return found


def total(figure, by):
    """Sum a figure's {(key, district, round id): [cases, hits]} by one of its parts (0 key, 1 district,
    2 round id, or a tuple of them): {part: [cases, hits]}."""
    parts = by if isinstance(by, tuple) else (by,)
    summed = {}
    for key, (cases, hits) in figure.items():
        part = tuple(key[p] for p in parts) if isinstance(by, tuple) else key[by]
        slot = summed.setdefault(part, [0, 0])
        slot[0] += cases
        slot[1] += hits
    return summed


def summary(filters):
    """The dashboard's tables for `filters`, in codes (the pages add labels): cases by stage, district,
    category and round, outcomes, and each step's on-time share per district."""
    counts = figures(filters)
    status, outcomes = counts.get("status", {}), counts.get("outcome", {})
    overdue = total(counts.get("overdue", {}), 1)
    running = total({key: value for key, value in status.items() if key[0] == "running"}, 1)
    by_district = total(status, 1)
    outcome_by_district = total(outcomes, (1, 0))
    names = process_step_names(filters)
    rows = {
        "stages": sorted(({"element_id": key, "name": names.get(key, key), "cases": n}
                          for key, (n, _h) in total(counts.get("stage", {}), 0).items()),
                         key=lambda r: (-r["cases"], r["element_id"])),
        "districts": [{"district": d, "cases": n, "running": running.get(d, [0])[0],
                       "admitted": hits, "overdue": overdue.get(d, [0])[0],
                       "outcomes": {o: c for (dd, o), (c, _h) in outcome_by_district.items()
                                                      if dd == d}}
                      for d, (n, hits) in sorted(by_district.items(), key=lambda i: i[0] or "")],
        "categories": [{"category": key, "cases": n, "admitted": hits}
                       for key, (n, hits) in sorted(total(counts.get("category", {}), 0).items())],
        "rounds": [{"round_id": r, "cases": n, "admitted": hits}
                   for r, (n, hits) in sorted(total(status, 2).items(), key=lambda i: i[0] or 0)],
        "outcomes": [{"outcome": key, "cases": n}
                     for key, (n, _h) in sorted(total(outcomes, 0).items(), key=lambda i: (-i[1][0], i[0]))],
        "on_time": [{"district": d, "element_id": key, "name": names.get(key, key), "due": n, "on_time": hits}
                    for (key, d), (n, hits) in sorted(total(counts.get("ontime", {}), (0, 1)).items(),
                                                      key=lambda i: (i[0][1] or "", i[0][0]))],
    }
    return rows


def process_step_names(filters):
    """{element id: name} of the process's versions in the filter, the newest version's name winning."""
    names = {}
    for definition in (ProcessDefinition.query.filter(ProcessDefinition.id.in_(_definition_ids(filters)))
                       .order_by(ProcessDefinition.version)):
        names.update(element_names(definition))
    return names


def step_times(definition_id, filters):
    """{element id: {tasks, median_s, p90_s}} of one version for the filter's round (else year) and district."""
    where = [OversightTime.definition_id == definition_id]
    round_id, year = filters.round_id, None if filters.round_id is not None else filters.year
    for column, value in ((OversightTime.round_id, round_id), (OversightTime.year, year),
                          (OversightTime.district, filters.district)):
        where.append(column.is_(None) if value is None else column == value)
    return {t.element_id: {"tasks": t.tasks, "median_s": t.median_s, "p90_s": t.p90_s}
            for t in OversightTime.query.filter(*where)}


def heat(definition, filters):
    """Each step of a version as its diagram's overlay draws it: {element id: {name, waiting, tasks,
    median_s, p90_s, due, on_time}} — waiting cases, completed tasks and their times, tasks with a time
    limit and how many of them were done within it."""
    version_only = Filters(filters.process, definition.version, filters.round_id, filters.year, filters.district)
    counts = figures(version_only)
    names = element_names(definition)
    steps = {}

    def step(element_id):
        return steps.setdefault(element_id, {"name": names.get(element_id, element_id), "waiting": 0, "tasks": 0,
                                             "median_s": None, "p90_s": None, "due": 0, "on_time": 0})
    for element_id, (cases, _hits) in total(counts.get("stage", {}), 0).items():
        step(element_id)["waiting"] = cases
    for element_id, (cases, hits) in total(counts.get("ontime", {}), 0).items():
        step(element_id).update(due=cases, on_time=hits)
    for element_id, times in step_times(definition.id, filters).items():
        step(element_id).update(times)
    return steps


_elements_of = {}  # content hash -> {element id: (name, form key)}: a version's diagram never changes


def _steps(definition):
    if definition.content_hash not in _elements_of:
        _elements_of[definition.content_hash] = {
            element_id: (e["name"] or element_id, e["fields"].get("property:formKey"))
            for element_id, e in bpmn_elements(definition.bpmn_xml).items()}
    return _elements_of[definition.content_hash]


def element_names(definition):
    """{element id: its name in the version's diagram} (parsed once per version)."""
    return {element_id: name for element_id, (name, _form) in _steps(definition).items()}


def element_forms(definition):
    """{element id: the form key of its task} of a version's user tasks with a form."""
    return {element_id: form for element_id, (_name, form) in _steps(definition).items() if form}


def _live_filter(query, filters):
    """The filters on live rows of cases (the overdue list)."""
    query = query.where(ProcessInstance.process_key == filters.process)
    if filters.version is not None:
        query = query.where(ProcessInstance.definition_id.in_(_definition_ids(filters)))
    if filters.round_id is not None:
        query = query.where(ProcessInstance.round_id == filters.round_id)
    if filters.year is not None:
        in_year = and_(ProcessInstance.round_id.is_(None), ProcessInstance.started_at >= _year_start(filters.year),
                       ProcessInstance.started_at < _year_start(filters.year + 1))
        query = query.where(or_(ProcessInstance.round_id.in_(select(Round.id).where(Round.year == filters.year)),
                                in_year))
    if filters.district is not None:
        query = query.where(ProcessInstance.district == filters.district)
    return query


# What the overdue list shows of a task and its case: plain rows, no objects and none of their JSON.
OVERDUE_COLUMNS = (HumanTask.id, HumanTask.instance_id, HumanTask.element_id, HumanTask.name, HumanTask.role,
                   HumanTask.due_at, ProcessInstance.subject, ProcessInstance.district)


def overdue(filters, now=None, limit=50):
    """Open tasks past their due date, the longest overdue first, as rows of OVERDUE_COLUMNS; at most `limit` — the
    index of open tasks by due date is read in order, so the list costs the same however many there are."""
    query = (select(*OVERDUE_COLUMNS).join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
             .where(HumanTask.state == "open", HumanTask.due_at < (now or clock.now())))
    query = _live_filter(query, filters).order_by(HumanTask.due_at, HumanTask.id).limit(limit)
    return db.session.execute(query).all()


def grading_results(district=None):
    """Every annual grade the grading service recorded, newest first: [(history entry, case)]."""
    query = (select(AuditEvent, ProcessInstance).join(ProcessInstance, ProcessInstance.id == AuditEvent.instance_id)
             .where(AuditEvent.action == "service", AuditEvent.name == GRADING_SERVICE)
             .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()))
    if district is not None:
        query = query.where(ProcessInstance.district == district)
    return db.session.execute(query).all()
