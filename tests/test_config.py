"""Configuration as the README documents it works from any directory."""

from conftest import ROOT

from webapp import create_app
from webapp.extensions import db


def test_the_readmes_relative_sqlite_url_works_from_another_directory(tmp_path, monkeypatch):
    name = f"config-test-{tmp_path.name}.db"
    target = ROOT / "instance" / name
    monkeypatch.chdir(tmp_path)  # "unable to open database file" came from resolving against the cwd
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///instance/{name}")
    app = create_app({"TESTING": True})
    try:
        assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{target}"
        result = app.test_cli_runner().invoke(args=["init-db"])
        assert result.exit_code == 0, result.output
        with app.app_context():
            assert db.session.execute(db.text("SELECT count(*) FROM process_definition")).scalar() == 0
        assert target.is_file() and not (tmp_path / "instance").exists()
    finally:
        with app.app_context():
            db.engine.dispose()
        target.unlink(missing_ok=True)


def test_absolute_and_memory_sqlite_urls_are_kept(monkeypatch, tmp_path):
    for uri in (f"sqlite:///{tmp_path}/x.db", "sqlite:///:memory:"):
        monkeypatch.setenv("DATABASE_URL", uri)
        assert create_app({"TESTING": True}).config["SQLALCHEMY_DATABASE_URI"] == uri
