"""kill -9 under load: gunicorn's workers and master die while district officials complete tasks on
PostgreSQL; afterwards every case still agrees with itself (`flask check`), every completion that was
answered 200 is in the database, and a restarted server finishes the rest. Run by .ci/run (slow)."""

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import ROOT, app_config, make_app

from webapp import create_app, engine
from webapp.extensions import db
from webapp.models import Attachment, HumanTask, Organization, Round, User, utcnow

pytestmark = [pytest.mark.slow, pytest.mark.postgres]
CASES, CLIENTS, KILL_AFTER = 200, 4, 50  # kill -9 once this many completions were answered 200


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url():
    return os.environ["TEST_POSTGRES_URL"].replace("postgresql+psycopg://", "postgresql://", 1)


def cases_at_district_review(app):
    """CASES applications of as many 河西区 enterprises, each waiting for the district's review."""
    from datetime import timedelta

    from selection import application

    from webapp.formkit.credit_code import check_digit

    with app.app_context():
        round_ = Round(kind="provider_selection", year=2026, title="崩溃测试批次",
                       closes_at=utcnow() + timedelta(days=30))
        db.session.add(round_)
        for n in range(CASES):
            first17 = f"91120103MA{n:07d}"
            org = Organization(name=f"天津测试企业{n}有限公司", credit_code=first17 + check_digit(first17),
                               district="hexi", contact_name="张", contact_phone="13800000000",
                               contact_email=f"c{n}@example.cn")
            db.session.add(org)
            db.session.flush()
            user = User(username=f"crash{n}", display_name=org.name, role="applicant", district="hexi",
                        organization_id=org.id, password_hash="-")
            db.session.add(user)
            db.session.flush()
            instance = engine.start("provider_selection", user, round_.id)
            task = HumanTask.query.filter_by(instance_id=instance.id, state="open").one()

            def upload(user=user):
                attachment = Attachment(filename="营业执照.pdf", content_type="application/pdf", size=8,
                                        sha256="0" * 64, content=b"%PDF-1.4", uploaded_by=user.id)
                db.session.add(attachment)
                db.session.flush()
                return attachment.id

            engine.complete(task.id, user, application(None, upload=upload))
        db.session.commit()
        return [t.id for t in HumanTask.query.filter_by(element_id="district_review", state="open")]


class Gunicorn:
    def __init__(self, url):
        self.port = free_port()
        env = {**os.environ, "DATABASE_URL": url, "PORT": str(self.port), "HOST": "127.0.0.1",
               "WEB_CONCURRENCY": "2", "SECRET_KEY": "crash-test", "GUNICORN_LOG_LEVEL": "warning"}
        self.proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"),
                                      "webapp:create_app()"], cwd=ROOT, env=env, start_new_session=True)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                urllib.request.urlopen(self.url("/api/v1/public/notices"), timeout=2).read()
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start")

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def kill(self):
        """kill -9 of every worker and the master, at once."""
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()
        for pid in [*map(int, children), self.proc.pid]:
            os.kill(pid, signal.SIGKILL)
        self.proc.wait(10)

    def post(self, path, body, token=None):
        request = urllib.request.Request(self.url(path), data=json.dumps(body).encode(), method="POST",
                                         headers={"Content-Type": "application/json",
                                                  **({"Authorization": f"Bearer {token}"} if token else {})})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as err:
            return err.code, None


def load(server, task_ids, token, acknowledged, stop):
    """Complete the tasks one after another until told to stop or the server is gone."""
    for task_id in task_ids:
        if stop.is_set():
            return
        body = {"data": {"decision": "reject", "opinion": "不符合申报条件"}} if task_id % 2 else \
            {"data": {"decision": "return", "opinion": "请补充审计报告"}}
        try:
            status, _ = server.post(f"/api/v1/tasks/{task_id}/complete", body, token)
        except OSError:
            return  # the server was killed under this request: it was never acknowledged
        if status == 200:
            acknowledged.append(task_id)


def test_kill_9_under_load_loses_nothing_acknowledged_and_leaves_every_case_whole():
    url = database_url()
    app = make_app(os.environ["TEST_POSTGRES_URL"])
    task_ids = cases_at_district_review(app)
    assert len(task_ids) == CASES
    server = Gunicorn(url)
    status, body = server.post("/api/v1/auth/token", {"username": "district-hexi", "password": "demo12345"})
    assert status == 200
    token, acknowledged, stop = body["token"], [], threading.Event()
    shares = [task_ids[i::CLIENTS] for i in range(CLIENTS)]
    clients = [threading.Thread(target=load, args=(server, share, token, acknowledged, stop)) for share in shares]
    for client in clients:
        client.start()
    deadline = time.time() + 30
    while len(acknowledged) < KILL_AFTER and time.time() < deadline:
        time.sleep(0.005)
    assert acknowledged, "no completion went through before the crash"
    server.kill()
    stop.set()
    for client in clients:
        client.join(15)
    assert len(acknowledged) < CASES, "the load finished before the kill: nothing was interrupted"

    env = {**os.environ, "DATABASE_URL": url}
    check = subprocess.run([sys.executable, "-m", "flask", "--app", "webapp", "check"], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=120)
    assert check.returncode == 0, check.stdout + check.stderr
    after = create_app(app_config(os.environ["TEST_POSTGRES_URL"]))
    with after.app_context():
        done = {t.id for t in HumanTask.query.filter(HumanTask.id.in_(task_ids), HumanTask.state == "completed")}
        assert set(acknowledged) <= done  # every 200 was committed
        db.engine.dispose()

    server = Gunicorn(url)  # a restart serves on; what was not done yet completes now
    try:
        token = server.post("/api/v1/auth/token", {"username": "district-hexi", "password": "demo12345"})[1]["token"]
        rest = sorted(set(task_ids) - done)
        finished = []
        load(server, rest, token, finished, threading.Event())
        assert sorted(finished) == rest
    finally:
        server.proc.send_signal(signal.SIGTERM)
        server.proc.wait(30)
    check = subprocess.run([sys.executable, "-m", "flask", "--app", "webapp", "check"], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=120)
    assert check.returncode == 0 and f"checked {CASES} cases: 0 broken" in check.stdout, check.stdout
