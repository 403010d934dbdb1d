"""The benchmark suite of issue 6: one command, a table of figures, bench/results.json.

    .venv/bin/python bench/run.py [--quick] [--only engine,e2e,growth,dashboard,timers,memory,storage]

Needs the PostgreSQL server named by --pg (default postgresql://postgres@127.0.0.1:5432, env
BENCH_PG_URL): it creates throw-away databases bench_e2e, bench_growth, bench_bytes and drops them
afterwards. SQLite runs in a temporary directory. Never part of `make test`.

Sections (see README "Performance"):
  engine  bare engine, in process, one core: deserialize + complete one user task + engine steps + serialize
  e2e     completions through gunicorn (gunicorn.conf.py, 2 sync workers) on PostgreSQL and SQLite:
          closed-loop saturation, open-loop p50/p95/p99 at constant rates (median of runs)
  growth  GET /api/v1/tasks, /inbox/, /pool at 1k, 10k (, 100k) cases, with SQL statement counts
  dashboard  the oversight dashboard (issue 17) at the same sizes: its figures' refresh, then /dashboard/
          (city, district), the heat overlay of two versions side by side and the API's figures
  timers  a sweep with nothing due at the largest size; N due timers fired by one scheduler in process;
          10k due timers fired by two `flask timers run` processes at once, each exactly once
  memory  a gunicorn worker's RSS after 1k and 10k requests (max_requests off)
  storage bytes per finished provider-selection case (bench_selection.py)
"""

import argparse
import json
import os
import platform
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(HERE), str(ROOT), str(ROOT / "tests")]

import generate  # noqa: E402
import loadgen  # noqa: E402
import snapshots  # noqa: E402
from sqlalchemy import event, text  # noqa: E402

from webapp import create_app  # noqa: E402
from webapp.extensions import db  # noqa: E402
from webapp.models import Attachment, AuditEvent, HumanTask, PoolEntry, ProcessDefinition, Timer, User  # noqa: E402

PY = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists() else sys.executable
FLASK = [PY, "-m", "flask", "--app", "webapp"]
GUNICORN = [PY, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "webapp:create_app()"]
WORKERS = int(os.environ.get("BENCH_WORKERS", 2))  # gunicorn workers in the e2e and memory runs
SCHEDULERS = int(os.environ.get("BENCH_SCHEDULERS", 2))  # `flask timers run` processes (BENCH_DUE_TIMERS due)
# The growth/dashboard/timers database (another name lets two checkouts measure on one server at once).
GROWTH_DB = os.environ.get("BENCH_GROWTH_DB", "bench_growth")
DISTRICT_DATA = {"decision": "approve", "opinion": "同意推荐"}


def log(*args):
    print(f"{time.strftime('%H:%M:%S')} load {os.getloadavg()[0]:.1f}", *args, file=sys.stderr, flush=True)


LOAD = {}


def note_load(section):
    """The 1-minute load average when a section starts: other work on the machine shows here."""
    LOAD[section] = round(os.getloadavg()[0], 2)


# ---------------------------------------------------------------- databases and servers

def pg_admin(base, sql):
    import psycopg
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def fresh_database(kind, base, name, tmp):
    """A migrated database with processes/ deployed and the demo accounts; returns its URL."""
    if kind == "postgresql":
        pg_admin(base, f"DROP DATABASE IF EXISTS {name}")
        pg_admin(base, f"CREATE DATABASE {name}")
        url = f"{base}/{name}"
    else:
        url = f"sqlite:///{tmp}/{name}.db"
    env = {**os.environ, "DATABASE_URL": url}
    for args in (["init-db"], ["processes", "deploy"], ["demo", "--if-empty"]):
        subprocess.run(FLASK + args, cwd=ROOT, env=env, check=True, capture_output=True)
    return url


def drop_database(kind, base, name):
    if kind == "postgresql":
        pg_admin(base, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def app_for(url):
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn with gunicorn.conf.py, as in production."""

    def __init__(self, url, workers=WORKERS, max_requests=None):
        self.port = free_port()
        env = {**os.environ, "DATABASE_URL": url, "PORT": str(self.port), "HOST": "127.0.0.1",
               "WEB_CONCURRENCY": str(workers), "SECRET_KEY": "bench", "GUNICORN_LOG_LEVEL": "warning"}
        if max_requests is not None:
            env["GUNICORN_MAX_REQUESTS"] = str(max_requests)
        self.proc = subprocess.Popen(GUNICORN, cwd=ROOT, env=env, start_new_session=True)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/api/v1/public/notices", timeout=2).read()
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start")

    def workers(self):
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()
        return [int(pid) for pid in children]

    def rss_kb(self):
        out = {}
        for pid in self.workers():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    out[pid] = int(line.split()[1])
        return out

    def post_json(self, path, body, headers=None):
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json", **(headers or {})})
        return json.loads(urllib.request.urlopen(request, timeout=30).read())

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def vacuum_analyze():
    """After a bulk insert, what autovacuum would do anyway — now, not in the middle of a measurement."""
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))


# ---------------------------------------------------------------- (a) bare engine

def bare_engine(snap, app, seconds):
    """Replay the captured completions in process, back to back, for `seconds` per kind."""
    from webapp.engine import runtime, serializer
    from webapp.engine.versions import spec_objects
    from webapp.models import ProcessInstance
    steps = snapshots.completions(snap["stages"])
    out = {}
    with app.app_context():
        definition = (ProcessDefinition.query.filter_by(key="provider_selection")
                      .order_by(ProcessDefinition.version.desc()).first())
        spec_dict = definition.spec
        specs = spec_objects(definition)  # restored once per version, as the app does
        instance = ProcessInstance(id=0, district="hexi", organization_id=1, definition=definition)

        def one(step):
            state, guid, _element, data = step
            workflow = serializer.workflow_from_dict(state, specs, runtime.script_engine_for(instance, "bench"))
            task = workflow.get_task_from_id(UUID(guid))
            task.set_data(**data)
            task.run()
            workflow.do_engine_steps()
            return json.dumps(serializer.workflow_to_dict(workflow))  # what the driver does with the JSON column

        def rate(fn, budget):
            n, started = 0, time.process_time()
            while time.process_time() - started < budget:
                fn()
                n += 1
            return n / (time.process_time() - started)

        for step in steps:
            one(step)  # warm up
        per_kind = {step[2]: rate(lambda s=step: one(s), seconds) for step in steps}
        mix = len(steps) / sum(1 / r for r in per_kind.values())
        state, guid, _, _ = next(s for s in steps if s[2] == "district_review")
        parts = {
            "workflow_from_dict_ms": 1000 / rate(lambda: serializer.workflow_from_dict(
                state, specs, runtime.script_engine_for(instance, "bench")), seconds / 2),
            "spec_restore_once_per_version_ms": 1000 / rate(lambda: serializer.spec_from_dict(spec_dict), seconds / 2),
            "workflow_to_dict_and_json_ms": None,
        }
        workflow = serializer.workflow_from_dict(state, specs, runtime.script_engine_for(instance, "bench"))
        parts["workflow_to_dict_and_json_ms"] = 1000 / rate(
            lambda: json.dumps(serializer.workflow_to_dict(workflow)), seconds / 2)
    out["tasks_per_s_by_task"] = {k: round(v, 1) for k, v in per_kind.items()}
    out["tasks_per_s_mix"] = round(mix, 1)
    out["tasks_per_s_district_review"] = round(per_kind["district_review"], 1)
    out["ms_per_district_review"] = round(1000 / per_kind["district_review"], 2)
    out["breakdown_district_review"] = {k: round(v, 2) for k, v in parts.items()}
    out["note"] = "CPU time of one process (one core); the DB and HTTP are not involved"
    return out


# ---------------------------------------------------------------- (b) end to end

def cpu_seconds(pid):
    """User + system CPU a process has used (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def postgres_pids():
    """Every PostgreSQL process of this machine (backends, WAL writer, checkpointer, autovacuum)."""
    out = subprocess.run(["pgrep", "-x", "postgres"], capture_output=True, text=True).stdout
    return [int(pid) for pid in out.split()]


def district_jobs(app, snap, n, server):
    """n cases waiting at district_review, consistent with their state; one completion job each."""
    with app.app_context():
        cases = generate.insert_cases(snap, ["district_review"] * n, consistent=True, rng=random.Random(n))
        ids = [c[0] for c in cases]
        tasks = sorted(task for chunk in range(0, len(ids), 10000)  # a statement takes ≤ 65 535 parameters
                       for task in HumanTask.query.with_entities(HumanTask.id, HumanTask.district).filter(
                           HumanTask.instance_id.in_(ids[chunk:chunk + 10000]), HumanTask.state == "open",
                           HumanTask.element_id == "district_review"))
        letters = {}
        for district in {t.district for t in tasks}:
            user = User.query.filter_by(username=f"district-{district}").one()
            att = Attachment.query.filter_by(uploaded_by=user.id, filename="bench-letter.pdf").first()
            if att is None:
                att = Attachment(filename="bench-letter.pdf", content_type="application/pdf", size=32,
                                 sha256="0" * 64, content=b"%PDF-1.4\n% bench\n%%EOF\n", uploaded_by=user.id)
                db.session.add(att)
                db.session.flush()
            letters[district] = att.id
        vacuum_analyze()
    tokens = {d: server.post_json("/api/v1/auth/token", {"username": f"district-{d}", "password": "demo12345"})["token"]
              for d in letters}
    jobs = []
    for task_id, district in tasks:
        body = json.dumps({"data": {**DISTRICT_DATA, "recommendation_letter": letters[district]}}).encode()
        jobs.append(("POST", f"/api/v1/tasks/{task_id}/complete", body,
                     {"Authorization": f"Bearer {tokens[district]}", "Content-Type": "application/json"}))
    random.Random(3).shuffle(jobs)
    return jobs


def end_to_end(kind, url, snap, args, engine_rate):
    """Saturation first (closed loop); then open loops at the issue's rates and at 50 % and 80 % of the
    measured saturation. A rate above 1.1x saturation only piles up a queue: it runs once, for at most
    10 s, and its latencies say how far behind the server fell."""
    app = app_for(url)
    server = Server(url)
    pending = []

    _reserved = []

    def take(k):
        if len(pending) < k:
            started = time.time()
            pending.extend(district_jobs(app, snap, k - len(pending) + 50, server))
            log(f"[e2e {kind}] generated {k} cases at district_review in {time.time() - started:.1f}s")
        chunk = pending[:k]
        del pending[:k]
        return chunk

    try:
        loadgen.closed_loop("127.0.0.1", server.port, take(100), 4, 30)  # warm both workers
        jobs = take(int(args.sat_seconds * 600))
        app_pids, pg_pids = [server.proc.pid, *server.workers()], postgres_pids() if kind == "postgresql" else []
        before = {pid: cpu_seconds(pid) for pid in app_pids + pg_pids}
        sat = loadgen.closed_loop("127.0.0.1", server.port, jobs, args.concurrency, args.sat_seconds)
        spent = lambda pids: sum(cpu_seconds(pid) - before[pid] for pid in pids)  # noqa: E731
        sat["cpu_ms_per_completion"] = {  # where the two cores went at saturation
            name: round(seconds / max(sat["ok"], 1) * 1000, 2)
            for name, seconds in (("gunicorn", spent(app_pids)), ("postgresql", spent(pg_pids)),
                                  ("load_generator", sat["loadgen_cpu_s"]))}
        log(f"[e2e {kind}] saturation {sat['throughput']}/s {sat['errors']} CPU {sat['cpu_ms_per_completion']}")
        capacity = max(sat["throughput"], 1)
        rates = sorted({*args.rates, int(capacity * 0.5), int(capacity * 0.8)} - {0})
        plan = {rate: (1, min(args.seconds, 10)) if rate > 1.1 * capacity else (args.runs, args.seconds)
                for rate in rates}
        # every case the open loops need, generated now: never while the server is still draining a queue
        _reserved.extend(take(sum(int(rate * seconds) * runs for rate, (runs, seconds) in plan.items())))
        pending[:0] = _reserved
        open_results = {}
        for rate in rates:
            overloaded = rate > 1.1 * capacity
            runs, seconds = plan[rate]
            results = []
            for _ in range(runs):
                results.append(loadgen.open_loop("127.0.0.1", server.port, take(int(rate * seconds)), rate, seconds,
                                                 timeout=15 if overloaded else 30))
                r = results[-1]
                log(f"[e2e {kind}] {rate}/s: p50 {r['p50_ms']} p95 {r['p95_ms']} p99 {r['p99_ms']} "
                    f"ok {r['ok']}/{r['sent']} {r['errors']}")
                time.sleep(15 if overloaded else 2)  # let a queue left by an overloaded run drain
            open_results[str(rate)] = {
                "overloaded": overloaded, "runs": results,
                **{k: statistics.median(r[k] for r in results) for k in ("p50_ms", "p95_ms", "p99_ms", "throughput")},
                "errors": sum(sum(r["errors"].values()) for r in results)}
        with app.app_context():
            advanced = HumanTask.query.filter_by(element_id="city_formal_check", state="open").count()
    finally:
        server.stop()
    return {"saturation": sat, "open_loop": open_results, "cases_advanced_to_city_check": advanced,
            "ratio_saturation_to_bare_engine": round(sat["throughput"] / engine_rate, 3)}


# ---------------------------------------------------------------- (c) growth

class SqlCounter:
    def __init__(self, engine):
        self.statements = []
        event.listen(engine, "before_cursor_execute", self.before)
        event.listen(engine, "after_cursor_execute", self.after)

    def before(self, conn, cursor, statement, params, context, executemany):
        conn.info[("bench_t0", id(self))] = time.perf_counter()

    def after(self, conn, cursor, statement, params, context, executemany):
        started = conn.info.pop(("bench_t0", id(self)), time.perf_counter())
        self.statements.append((time.perf_counter() - started, statement))


def list_probes(app):
    from conftest import Api
    from web import Session
    client = app.test_client()
    city_api, district_api = Api(client, "city"), Api(client, "district-hexi")
    city_web, district_web = Session(app, "city"), Session(app, "district-hexi")
    public = app.test_client()
    return {
        "GET /api/v1/tasks (city)": lambda: city_api.get("/tasks"),
        "GET /api/v1/tasks (district-hexi)": lambda: district_api.get("/tasks"),
        "GET /inbox/ (city)": lambda: city_web.get("/inbox/"),
        "GET /inbox/ (district-hexi)": lambda: district_web.get("/inbox/"),
        "GET /pool": lambda: public.get("/pool"),
        "GET /api/v1/public/resource-pool?page=1": lambda: public.get("/api/v1/public/resource-pool?page=1"),
    }


def growth_probe(app, reps, probes=None):
    """Latency and SQL statements of pages (default: the list pages), in process (Flask test client, no HTTP)."""
    probes = probes or list_probes(app)
    with app.app_context():
        counter = SqlCounter(db.engine)
    out = {}
    for name, probe in probes.items():
        response = probe()
        assert response.status_code == 200, (name, response.status_code)
        rows = None
        if response.is_json:
            rows = len(response.get_json())
        times = []
        for _ in range(reps):
            counter.statements.clear()
            started = time.perf_counter()
            probe()
            times.append(time.perf_counter() - started)
        slowest = max(counter.statements, key=lambda s: s[0]) if counter.statements else (0, "")
        out[name] = {"median_ms": round(statistics.median(times) * 1000, 1),
                     "p95_ms": round(loadgen.percentile(times, 95) * 1000, 1),
                     "rows": rows, "sql_statements": len(counter.statements),
                     "sql_ms": round(sum(s[0] for s in counter.statements) * 1000, 1),
                     "slowest_sql_ms": round(slowest[0] * 1000, 2), "slowest_sql": " ".join(slowest[1].split())[:300]}
    return out


def dashboard_probes(app):
    """The oversight dashboard's pages and API, as the city and a district official read them."""
    from conftest import Api
    from web import Session
    city_web, district_web = Session(app, "city"), Session(app, "district-hexi")
    city_api = Api(app.test_client(), "city")
    return {
        "GET /dashboard/ (city)": lambda: city_web.get("/dashboard/"),
        "GET /dashboard/ (district-hexi)": lambda: district_web.get("/dashboard/"),
        "GET /dashboard/diagram v2 beside v1 (city)": lambda: city_web.get("/dashboard/diagram?compare=1"),
        "GET /api/v1/oversight (city)": lambda: city_api.get("/oversight"),
        "GET /api/v1/oversight/steps (city)": lambda: city_api.get("/oversight/steps"),
    }


def second_version(app):
    """Version 2 of provider_selection (a renamed step), so the overlay compares two versions; the
    generated cases run on it (generate.insert_cases takes the latest)."""
    import oversight_history
    with app.app_context():
        oversight_history.second_version()
        db.session.remove()


def growth(url, snap, sizes, reps, measured=("growth",)):
    """The list pages (growth) and the dashboard (dashboard) at each size; the dashboard's figures are
    refreshed first, as the scheduler does, and that refresh is timed."""
    from webapp.engine import oversight
    app = app_for(url)
    if "dashboard" in measured:
        second_version(app)
    results = {}
    for size in sizes:
        with app.app_context():
            have = generate.count_cases()
            started = time.time()
            for chunk in range(have, size, 10000):
                generate.insert_cases(snap, generate.plan_for(min(10000, size - chunk), random.Random(chunk)),
                                      rng=random.Random(chunk + 1))
            took = time.time() - started
            per_case = None
            if db.engine.dialect.name == "postgresql":
                # What autovacuum has long done to a database that grew over years: statistics, and the
                # visibility map that lets a count read an index alone.
                vacuum_analyze()
                per_case = round(db.session.execute(text("SELECT pg_database_size(current_database())")).scalar()
                                 / size)
            db.session.remove()
        log(f"[growth] {size} cases (generated in {took:.1f}s)")
        results[str(size)] = {"generate_s": round(took, 1), "db_bytes_per_case": per_case, "pages": {}}
        if "dashboard" in measured:
            with app.app_context():
                record = oversight.refresh()
                results[str(size)]["oversight_refresh_s"] = record.seconds
                results[str(size)]["oversight_rows"] = db.session.execute(text(
                    "SELECT (SELECT count(*) FROM oversight_count) + (SELECT count(*) FROM oversight_time)")).scalar()
                db.session.remove()
            log(f"[dashboard] {size} cases: figures refreshed in {record.seconds:.1f}s")
        # outside the app context: each test-client request must get its own (CSRF tokens live in g)
        if "growth" in measured:
            results[str(size)]["pages"].update(growth_probe(app, reps))
        if "dashboard" in measured:
            results[str(size)]["pages"].update(growth_probe(app, reps, dashboard_probes(app)))
    first, last = results[str(sizes[0])]["pages"], results[str(sizes[-1])]["pages"]
    ratios = {name: round(last[name]["median_ms"] / first[name]["median_ms"], 2) for name in first}
    return {"sizes": results, "ratio_largest_to_smallest": ratios}


# ---------------------------------------------------------------- (d) timers

def timers(url, snap, n_due, n_pair):
    from webapp import engine
    app = app_for(url)
    captured = snap["captured_at"]
    as_of = captured + timedelta(days=8, minutes=1)  # past the notice, which ends at the end of its last day
    due_at = captured + timedelta(days=8)
    out = {}
    with app.app_context():
        out["cases"] = generate.count_cases()
        out["timer_rows"] = Timer.query.count()
        out["timers_pending_not_due"] = Timer.query.filter(Timer.fired_at.is_(None)).count()
        engine.fire_timers(datetime.now(UTC))
        times = []
        for _ in range(30):
            started = time.perf_counter()
            fired = engine.fire_timers(datetime.now(UTC))
            times.append(time.perf_counter() - started)
            db.session.remove()
            assert fired == 0
        out["sweep_nothing_due_ms"] = {"median": round(statistics.median(times) * 1000, 2),
                                       "p95": round(loadgen.percentile(times, 95) * 1000, 2)}
        # N due timers, one scheduler (in process: what `flask timers run` does)
        cases = generate.insert_cases(snap, ["notice"] * n_due, consistent=True, timer_due_at=due_at,
                                      rng=random.Random(5))
        ids = [c[0] for c in cases]
        db.session.remove()
        started = time.perf_counter()
        fired = engine.fire_timers(as_of)
        took = time.perf_counter() - started
        db.session.remove()
        admitted = PoolEntry.query.filter(PoolEntry.instance_id.in_(ids)).count()
        out["fire_due"] = {"due": n_due, "fired": fired, "admitted_to_pool": admitted, "seconds": round(took, 2),
                           "ms_per_timer": round(took / max(fired, 1) * 1000, 2),
                           "per_second": round(fired / took, 1),
                           "extrapolated_10k_s": round(took / max(fired, 1) * 10000, 1)}
        log(f"[timers] fired {fired}/{n_due} in {took:.1f}s")
        # Two schedulers at once on the same due timers
        cases = generate.insert_cases(snap, ["notice"] * n_pair, consistent=True, timer_due_at=due_at,
                                      rng=random.Random(6))
        pair_ids = [c[0] for c in cases]
        db.session.remove()
    env = {**os.environ, "DATABASE_URL": url}
    started = time.perf_counter()
    procs = [subprocess.Popen(FLASK + ["timers", "run", "--as-of", as_of.isoformat()], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(SCHEDULERS)]
    outputs = [p.communicate(timeout=3600) for p in procs]
    took = time.perf_counter() - started
    counts = [int(o[0].split()[-1]) if o[0].strip() else None for o in outputs]
    with app.app_context():
        fired_rows = Timer.query.filter(Timer.instance_id.in_(pair_ids), Timer.fired_at.isnot(None)).count()
        per_case = db.session.execute(
            text("SELECT count(*) FROM audit_event WHERE action='timer' AND instance_id = ANY(:ids)"
                 if db.engine.dialect.name == "postgresql" else "SELECT 0"), {"ids": pair_ids}).scalar()
        twice = db.session.execute(text(
            "SELECT count(*) FROM (SELECT instance_id FROM audit_event WHERE action='timer' "
            "AND instance_id = ANY(:ids) GROUP BY instance_id HAVING count(*) > 1) x"), {"ids": pair_ids}).scalar()
        pool = PoolEntry.query.filter(PoolEntry.instance_id.in_(pair_ids)).count()
        errors = AuditEvent.query.filter(AuditEvent.instance_id.in_(pair_ids), AuditEvent.action == "error").count()
    out["two_schedulers"] = {"due": n_pair, "fired_by_each": counts, "timer_rows_fired": fired_rows,
                             "timer_audit_events": per_case, "cases_fired_twice": twice, "pool_entries": pool,
                             "errors": errors, "seconds": round(took, 2),
                             "exactly_once": sum(c or 0 for c in counts) == n_pair == fired_rows == per_case == pool
                             and twice == 0,
                             "stderr_tail": [o[1][-300:] for o in outputs if o[1].strip()]}
    return out


# ---------------------------------------------------------------- (e) memory

def memory(url, snap, checkpoints):
    """RSS of the two workers after `checkpoints` requests (max_requests off): a mix of completions,
    task detail (deserializes a workflow), case detail and the open notices."""
    note_load("memory")
    app = app_for(url)
    server = Server(url, max_requests=0)
    try:
        cycles = checkpoints[-1] // 4 + 1
        completions = district_jobs(app, snap, cycles * 2, server)
        done, others = completions[:cycles], completions[cycles:]
        jobs = []
        for c, o in zip(done, others, strict=False):
            headers = o[3]
            task_id = o[1].split("/")[4]
            jobs += [c, ("GET", f"/api/v1/tasks/{task_id}", b"", headers),
                     ("GET", "/api/v1/public/notices?open=true", b"", {}),
                     ("GET", f"/api/v1/tasks/{c[1].split('/')[4]}", b"", c[3])]
        loadgen.closed_loop("127.0.0.1", server.port, jobs[:40], 2, 60)
        start_rss = server.rss_kb()
        out, sent = {"after_warmup_kb": start_rss}, 40
        for mark in checkpoints:
            summary = loadgen.closed_loop("127.0.0.1", server.port, jobs[sent:mark + 40], 2, 3600)
            sent = mark + 40
            out[f"after_{mark}_kb"] = server.rss_kb()
            out[f"errors_to_{mark}"] = summary["errors"]
            log(f"[memory] after {mark} requests: {out[f'after_{mark}_kb']}")
        first, last = out[f"after_{checkpoints[0]}_kb"], out[f"after_{checkpoints[-1]}_kb"]
        out["growth_pct_per_worker"] = {str(pid): round((last[pid] - first[pid]) / first[pid] * 100, 1)
                                        for pid in first if pid in last}
    finally:
        server.stop()
    return out


# ---------------------------------------------------------------- (f) storage

def storage(base, n):
    import bench_selection
    drop_database("postgresql", base, "bench_bytes")
    pg_admin(base, "CREATE DATABASE bench_bytes")
    try:
        return bench_selection.measure(n, f"{base.replace('postgresql://', 'postgresql+psycopg://')}/bench_bytes")
    finally:
        drop_database("postgresql", base, "bench_bytes")


# ---------------------------------------------------------------- report

def machine():
    mem = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
               if line.startswith("MemTotal"))
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    return {"nproc": os.cpu_count(), "ram_gb": round(mem / 1024 / 1024, 1), "cpu": cpu,
            "python": platform.python_version(), "postgres": None}


def table(results):
    rows = []
    add = lambda name, value, target="": rows.append((name, value, target))  # noqa: E731
    engine = results.get("engine")
    if engine:
        add("bare engine, district_review (tasks/s, 1 core)", engine["tasks_per_s_district_review"])
        add("bare engine, mix of 4 user tasks (tasks/s)", engine["tasks_per_s_mix"])
        b = engine["breakdown_district_review"]
        add("  deserialize / serialize / spec restore once per version (ms)", " / ".join(str(b[k]) for k in (
            "workflow_from_dict_ms", "workflow_to_dict_and_json_ms", "spec_restore_once_per_version_ms")))
    for kind, e2e in results.get("e2e", {}).items():
        sat = e2e["saturation"]
        add(f"e2e {kind}: saturation (completions/s, closed loop)", sat["throughput"], "≥ 300 (PG)")
        add(f"e2e {kind}: saturation / bare engine", e2e["ratio_saturation_to_bare_engine"], "≥ 0.40")
        if "cpu_ms_per_completion" in sat:
            add(f"e2e {kind}: CPU ms per completion (gunicorn / PostgreSQL / load generator)",
                " / ".join(str(v) for v in sat["cpu_ms_per_completion"].values()))
        for rate, r in e2e["open_loop"].items():
            add(f"e2e {kind}: {rate}/s open loop p50/p95/p99 (ms), errors" + (" OVERLOADED" if r["overloaded"] else ""),
                f"{r['p50_ms']} / {r['p95_ms']} / {r['p99_ms']}, {r['errors']}",
                "p95 ≤ 50 at 300/s (PG)" if rate == "300" else "")
    grow = results.get("growth")
    if grow:
        for size, g in grow["sizes"].items():
            for name, p in g["pages"].items():
                add(f"{name} @ {int(size):,} cases (ms, SQL stmts)", f"{p['median_ms']} ({p['sql_statements']})")
        for size, g in grow["sizes"].items():
            if "oversight_refresh_s" in g:
                add(f"oversight refresh (scheduler, in the background) @ {int(size):,} cases (s, rows)",
                    f"{g['oversight_refresh_s']} ({g['oversight_rows']})")
        for name, ratio in grow["ratio_largest_to_smallest"].items():
            add(f"{name}: largest / 1k", ratio, "≤ 1.5")
    t = results.get("timers")
    if t:
        add(f"timer sweep, nothing due, {t['cases']:,} cases (ms)", t["sweep_nothing_due_ms"]["median"], "≤ 10")
        f = t["fire_due"]
        add(f"one scheduler in process, {f['due']:,} due timers (s; ms/timer)", f"{f['seconds']}; {f['ms_per_timer']}")
        p = t["two_schedulers"]
        add(f"two schedulers (one per core), {p['due']:,} due: fired by each; exactly once; s (timers/s)",
            f"{p['fired_by_each']}; {p['exactly_once']}; {p['seconds']} ({p['due'] / p['seconds']:.0f}/s)",
            "10k in ≤ 30 s, exactly once")
    m = results.get("memory")
    if m:
        marks = [k for k in m if k.startswith("after_") and k != "after_warmup_kb"]
        add("worker RSS (MB) " + " → ".join(k[6:-3] for k in marks) + " requests",
            " | ".join(" → ".join(f"{m[k].get(pid, 0) / 1024:.1f}" for k in marks) for pid in m[marks[0]]),
            "flat ±10 %")
    s = results.get("storage")
    if s:
        add("bytes per finished case as JSON text (median; state part)", f"{s['bytes_per_case']:,} ({s['state']:,})")
        add("bytes PostgreSQL stores per finished case (rows, TOAST)", f"{s['stored_bytes_per_case_postgresql']:,}",
            "≤ 10 KB")
    width = max(len(r[0]) for r in rows) if rows else 10
    lines = [f"{'figure':<{width}}  {'value':<32}  target", "-" * (width + 50)]
    lines += [f"{n:<{width}}  {str(v):<32}  {t}" for n, v, t in rows]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="short runs for development")
    parser.add_argument("--only", default="engine,e2e,growth,dashboard,timers,memory,storage")
    parser.add_argument("--pg", default=os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432"))
    parser.add_argument("--dbs", default="postgresql,sqlite", help="databases for the e2e section")
    parser.add_argument("--out", default=str(HERE / "results.json"))
    args = parser.parse_args()
    quick = args.quick
    args.rates = [100, 200, 300]
    args.runs = 1 if quick else 3
    args.seconds = 5 if quick else 30
    args.sat_seconds = 5 if quick else 20
    args.concurrency = 4
    sizes = [1000, 10000] if quick else [1000, 10000, 100000]
    sections = set(args.only.split(","))
    started = datetime.now(UTC)
    results = {"date": started.isoformat(timespec="seconds"), "machine": machine(),
               "command": "make bench" + (" BENCH_ARGS=--quick" if quick else ""), "quick": quick}
    try:
        import psycopg
        with psycopg.connect(f"{args.pg}/postgres") as conn:
            results["machine"]["postgres"] = conn.execute("SHOW server_version").fetchone()[0]
    except Exception as err:  # noqa: BLE001 - reported, not fatal for the figures that need no PostgreSQL
        log(f"PostgreSQL not reachable at {args.pg}: {err}")
    tmp = tempfile.mkdtemp(prefix="bench-")
    log("capturing real cases at every stage…")
    snap = snapshots.capture()
    try:
        engine_rate = None
        if sections & {"engine", "e2e"}:
            note_load("engine")
            url = fresh_database("sqlite", args.pg, "engine", tmp)
            results["engine"] = bare_engine(snap, app_for(url), 1.0 if quick else 3.0)
            engine_rate = results["engine"]["tasks_per_s_district_review"]
            log(f"[engine] {results['engine']['tasks_per_s_district_review']} district reviews/s")
        if "e2e" in sections:
            results["e2e"] = {}
            for kind in args.dbs.split(","):
                url = fresh_database(kind, args.pg, "bench_e2e", tmp)
                try:
                    note_load(f"e2e_{kind}")
                    results["e2e"][kind] = end_to_end(kind, url, snap, args, engine_rate)
                    if kind == "postgresql" and "memory" in sections:
                        results["memory"] = memory(url, snap, [500, 2000] if quick else [1000, 10000])
                finally:
                    drop_database(kind, args.pg, "bench_e2e")
        elif "memory" in sections:
            url = fresh_database("postgresql", args.pg, "bench_e2e", tmp)
            try:
                results["memory"] = memory(url, snap, [500, 2000] if quick else [1000, 10000])
            finally:
                drop_database("postgresql", args.pg, "bench_e2e")
        if sections & {"growth", "dashboard", "timers"}:
            url = fresh_database("postgresql", args.pg, GROWTH_DB, tmp)
            try:
                if sections & {"growth", "dashboard"}:
                    note_load("growth")
                    results["growth"] = growth(url, snap, sizes, 3 if quick else 5,
                                               [s for s in ("growth", "dashboard") if s in sections])
                if "timers" in sections:
                    note_load("timers")
                    app = app_for(url)
                    with app.app_context():
                        have = generate.count_cases()
                    if have < sizes[-1]:
                        with app.app_context():
                            generate.insert_cases(snap, generate.plan_for(sizes[-1] - have))
                    due = int(os.environ.get("BENCH_DUE_TIMERS", 500 if quick else 10000))  # for the schedulers
                    results["timers"] = timers(url, snap, 200 if quick else 1000, due)
            finally:
                drop_database("postgresql", args.pg, GROWTH_DB)
        if "storage" in sections:
            note_load("storage")
            results["storage"] = storage(args.pg, 5 if quick else 20)
    finally:
        results["load_average_at_section_start"] = LOAD
        results["seconds"] = round((datetime.now(UTC) - started).total_seconds())
        Path(args.out).write_text(json.dumps(results, ensure_ascii=False, indent=2, default=str))
    print(table(results))
    print(f"\nwritten {args.out} ({results['seconds']} s)")


if __name__ == "__main__":
    main()
