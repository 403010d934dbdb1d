"""A fresh app and database per test, with the demo accounts and processes/ deployed.

SQLite by default; tests marked `postgres` run against TEST_POSTGRES_URL (set by .ci/run) and are
skipped when it is not set.
"""

import os
import shutil
from pathlib import Path

import pytest
from api_client import Api
from sqlalchemy import text

from webapp import create_app, demo, engine
from webapp.extensions import db

ROOT = Path(__file__).resolve().parent.parent


def app_config(uri, **overrides):
    # A cheap password hash keeps 25 demo accounts per test fast; production uses scrypt.
    return {"SQLALCHEMY_DATABASE_URI": uri, "TESTING": True, "SECRET_KEY": "test",
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            # scenario runs on deploy are covered by tests/test_scenarios.py, which turns them on; the
            # four-eyes approval of rule changes by tests/test_rule_packages.py
            "DEPLOY_SCENARIOS": False, "RULE_CHANGE_APPROVAL": False, **overrides}


def make_app(uri, **overrides):
    """An app on a new database holding the demo accounts and processes/ deployed."""
    app = create_app(app_config(uri, **overrides))
    with app.app_context():
        if uri.startswith("postgresql"):
            db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.session.commit()
        db.create_all()
        demo.load()
        for path in sorted((ROOT / "processes").glob("*.bpmn")):
            engine.deploy(engine.from_repository(path, ROOT / "forms"), actor="cli", run_scenarios=False)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return app


def pytest_collection_modifyitems(items):
    """PostgreSQL tests need the server .ci/run names in TEST_POSTGRES_URL; without it they are skipped."""
    needs_server = pytest.mark.skipif(not os.environ.get("TEST_POSTGRES_URL"),
                                      reason="TEST_POSTGRES_URL not set (.ci/run sets it)")
    for item in items:
        if item.get_closest_marker("postgres"):
            item.add_marker(needs_server)


@pytest.fixture(scope="session")
def seeded_sqlite(tmp_path_factory):
    """One SQLite file set up as make_app does, built once per test process; each test gets a copy."""
    path = tmp_path_factory.mktemp("seed") / "seed.db"
    make_app(f"sqlite:///{path}")
    return path


@pytest.fixture
def app(tmp_path, request, seeded_sqlite):
    overrides = getattr(request, "param", {}) or {}
    if request.node.get_closest_marker("postgres"):
        application = make_app(os.environ["TEST_POSTGRES_URL"], **overrides)
    else:
        shutil.copyfile(seeded_sqlite, tmp_path / "test.db")
        application = create_app(app_config(f"sqlite:///{tmp_path / 'test.db'}", **overrides))
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def as_user(app):
    client = app.test_client()
    return lambda username: Api(client, username)
