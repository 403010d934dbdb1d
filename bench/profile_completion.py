"""Where a task completion's time goes: run in process against PostgreSQL, sampled, not traced.

    .venv/bin/python bench/profile_completion.py [N]      (N cases at district review, default 300)

Creates the throw-away database bench_profile (BENCH_PG_URL, as bench/run.py), completes N district
reviews through the Flask test client (the same view, engine and SQL as behind gunicorn, without
HTTP), and prints: the SQL statements of one completion; CPU per completion in this process and in
its PostgreSQL backend; and where this process's CPU goes, by library, from a CPU-time sampling
timer (SIGPROF every 0.5 ms) — a tracing profiler would inflate the call-heavy ORM and engine code.
"""

import os
import signal
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent), str(HERE.parent / "tests")]

import run  # noqa: E402
from sqlalchemy import event, text  # noqa: E402

from webapp.extensions import db  # noqa: E402

LIBRARIES = [("SpiffWorkflow", "engine (SpiffWorkflow)"), ("/sqlalchemy/", "SQLAlchemy"), ("/psycopg/", "psycopg"),
             ("/wtforms/", "WTForms"), ("/werkzeug/", "Werkzeug"), ("/flask", "Flask"),
             ("/itsdangerous/", "itsdangerous"), ("/json/", "json"), ("/webapp/", "webapp (our code)")]


def main(n):
    base = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432")
    url = run.fresh_database("postgresql", base, "bench_profile", tempfile.mkdtemp())
    try:
        import snapshots
        app = run.app_for(url)
        server = _InProcess(app)
        jobs = run.district_jobs(app, snapshots.capture(), n, server)
        client = app.test_client()

        def complete(job):
            method, path, body, headers = job
            response = client.open(path, method=method, data=body, headers=headers)
            assert response.status_code == 200, response.get_json()

        for job in jobs[:20]:  # warm up: spec objects, form definitions, statement caches
            complete(job)
        statements = []
        with app.app_context():
            backend = db.session.execute(text("SELECT pg_backend_pid()")).scalar()
            db.session.commit()
            event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(" ".join(a[2].split())))
        complete(jobs[20])
        print(f"SQL statements in one completion: {len(statements)}")
        for sql in statements:
            print("   ", sql[:110])
        samples = Counter()

        def sample(_signum, frame):
            files = []
            while frame is not None:
                files.append(frame.f_code.co_filename)
                frame = frame.f_back
            samples[next((name for f in files for key, name in LIBRARIES if key in f), "other")] += 1

        rest = jobs[21:]
        signal.signal(signal.SIGPROF, sample)
        pg_before, cpu_before, wall_before = run.cpu_seconds(backend), time.process_time(), time.perf_counter()
        signal.setitimer(signal.ITIMER_PROF, 0.0005, 0.0005)
        for job in rest:
            complete(job)
        signal.setitimer(signal.ITIMER_PROF, 0)
        cpu, wall = time.process_time() - cpu_before, time.perf_counter() - wall_before
        pg = run.cpu_seconds(backend) - pg_before
        print(f"{len(rest)} completions: {wall / len(rest) * 1000:.1f} ms wall, {cpu / len(rest) * 1000:.1f} ms CPU "
              f"in this process, {pg / len(rest) * 1000:.1f} ms CPU in its PostgreSQL backend, each")
        total = sum(samples.values())
        print("this process's CPU by library (innermost known frame):")
        for name, count in samples.most_common():
            print(f"    {name:24s} {100 * count / total:5.1f} %")
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    finally:
        run.drop_database("postgresql", base, "bench_profile")


class _InProcess:
    """What run.district_jobs needs of a server (a token), answered by the test client."""

    def __init__(self, app):
        self.client = app.test_client()

    def post_json(self, path, body):
        return self.client.post(path, json=body).get_json()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
