"""How long one task completion takes through the API, and how many bytes a finished case stores.

Run: .venv/bin/python bench/bench_selection.py [N]   (N finished cases, default 20; SQLite in a temp dir,
or DATABASE_URL for PostgreSQL). Prints the figures; asserts nothing. bench/run.py calls measure().
"""

import json
import os
import statistics
import sys
import tempfile
import time
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from conftest import Api, make_app  # noqa: E402
from selection import apply, assign_experts, complete, recommend, score  # noqa: E402
from sqlalchemy import func, text  # noqa: E402

from webapp.extensions import db  # noqa: E402
from webapp.models import ProcessInstance  # noqa: E402


def case_bytes(instance_id):
    """Bytes of one case: JSON payloads and files, plus a nominal 200/100 bytes per inbox/audit row."""
    def total(sql):
        return db.session.execute(text(sql), {"i": instance_id}).scalar() or 0
    return {
        "state": total("SELECT length(CAST(state AS TEXT)) FROM process_instance WHERE id=:i"),
        "data": total("SELECT length(CAST(data AS TEXT)) FROM process_instance WHERE id=:i"),
        "tasks": total("SELECT sum(length(CAST(data AS TEXT)) + 200) FROM human_task WHERE instance_id=:i"),
        "audit": total("SELECT sum(coalesce(length(CAST(data AS TEXT)), 0) + 100) FROM audit_event"
                       " WHERE instance_id=:i"),
        "files": total("SELECT sum(size) FROM attachment WHERE instance_id=:i"),
    }


STORED = {"process_instance": "id", "human_task": "instance_id", "audit_event": "instance_id",
          "timer": "instance_id", "notice": "instance_id", "pool_entry": "instance_id"}


def stored_bytes(instance_id):
    """What PostgreSQL stores for the case's rows (pg_column_size of each row: after TOAST compression,
    without attachments, tuple headers and indexes) — the on-disk counterpart of case_bytes."""
    sql = " + ".join(f"(SELECT coalesce(sum(pg_column_size(t.*)), 0) FROM {table} t WHERE t.{key} = :i)"
                     for table, key in STORED.items())
    return db.session.execute(text(f"SELECT {sql}"), {"i": instance_id}).scalar()


def measure(n, uri=None):
    """Run `n` provider-selection cases to the end through the API; returns the figures as a dict."""
    uri = uri or os.environ.get("DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    app = make_app(uri)
    client = app.test_client()
    users = {}

    def as_user(name):
        users.setdefault(name, Api(client, name))
        return users[name]

    timings = []
    original = Api.post

    def timed_post(self, path, json=None, **kw):
        started = time.perf_counter()
        response = original(self, path, json, **kw)
        if path.endswith("/complete"):
            timings.append(time.perf_counter() - started)
        return response

    Api.post = timed_post
    ids = []
    try:
        for i in range(n):
            applicant = ["applicant1", "applicant2", "applicant3"][i % 3]
            district = {"applicant1": "district-hexi", "applicant2": "district-nankai",
                        "applicant3": "district-binhai"}[applicant]
            instance_id, _ = apply(as_user, applicant)
            recommend(as_user(district), instance_id)
            assign_experts(as_user("city"), instance_id)
            score(as_user, instance_id)
            complete(as_user("city"), instance_id, "city_decision", {"decision": "reject", "opinion": "基准测试"})
            ids.append(instance_id)
    finally:
        Api.post = original
    with app.app_context():
        per_case = [case_bytes(instance_id) for instance_id in ids]
        spec_bytes = db.session.execute(text("SELECT length(CAST(spec AS TEXT)) FROM process_definition "
                                             "WHERE key='provider_selection'")).scalar()
        states = [db.session.get(ProcessInstance, i).state for i in ids]
        stored = [stored_bytes(i) for i in ids] if db.engine.dialect.name == "postgresql" else None
        assert db.session.query(func.count(ProcessInstance.id)).scalar() >= n
        db.session.remove()
        db.engine.dispose()
    timings.sort()
    med = lambda key: round(statistics.median(b[key] for b in per_case))  # noqa: E731
    return {
        "cases": n, "database": uri.split(":")[0], "completions_timed": len(timings),
        "complete_via_test_client_ms": {"median": round(statistics.median(timings) * 1000, 1),
                                        "p90": round(timings[int(len(timings) * 0.9)] * 1000, 1),
                                        "max": round(timings[-1] * 1000, 1)},
        "bytes_per_case": round(statistics.median(sum(b.values()) for b in per_case)),
        "bytes_per_case_without_attachments": round(statistics.median(sum(b.values()) - b["files"]
                                                                      for b in per_case)),
        "state": med("state"), "data": med("data"), "tasks": med("tasks"), "audit": med("audit"),
        "files": med("files"),
        "state_zlib": round(statistics.median(len(zlib.compress(json.dumps(s).encode())) for s in states)),
        "spec_bytes_once_per_version": spec_bytes,
        "stored_bytes_per_case_postgresql": round(statistics.median(stored)) if stored else None,
    }


def main(n):
    r = measure(n)
    t = r["complete_via_test_client_ms"]
    print(f"cases finished: {n}, task completions timed: {r['completions_timed']}")
    print(f"complete one task via API: median {t['median']} ms, p90 {t['p90']} ms, max {t['max']} ms")
    print(f"bytes stored per finished case (median): {r['bytes_per_case']:,} in all — workflow state {r['state']:,}"
          f" (zlib {r['state_zlib']:,}), case data {r['data']:,}, inbox rows {r['tasks']:,}, audit {r['audit']:,},"
          f" attachments {r['files']:,}")
    print(f"spec stored once per version: {r['spec_bytes_once_per_version']:,} bytes")
    if r["stored_bytes_per_case_postgresql"]:
        print(f"stored by PostgreSQL per finished case (rows after TOAST compression): "
              f"{r['stored_bytes_per_case_postgresql']:,} bytes")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
