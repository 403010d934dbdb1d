"""Configuration from the environment, so one build runs on a laptop (SQLite) and in production (PostgreSQL)."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def from_env(overrides=None):
    """Build the Flask config: environment first, explicit overrides (tests) last."""
    instance = ROOT / "instance"
    config = {
        "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL") or f"sqlite:///{instance / 'app.db'}",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or "dev-only-insecure-key",
        "MAX_UPLOAD_BYTES": int(os.environ.get("MAX_UPLOAD_BYTES", 20 * 1024 * 1024)),
        "PROCESSES_DIR": str(ROOT / "processes"),
        "FORMS_DIR": str(ROOT / "forms"),
        "TOKEN_MAX_AGE": int(os.environ.get("TOKEN_MAX_AGE", 12 * 3600)),
        "OBJECTIONS_PER_HOUR": int(os.environ.get("OBJECTIONS_PER_HOUR", 10)),
        "PRODUCTION": os.environ.get("APP_ENV") == "production",
        # Art. 17: the regulation is in force until this day; no round may close after it.
        "PROGRAMME_VALID_UNTIL": os.environ.get("PROGRAMME_VALID_UNTIL", "2030-12-31T23:59:59+08:00"),
        "JSON_AS_ASCII": False,
        # Lists (inbox, task API, pool) are shown PAGE_SIZE rows at a time; counts stop at LIST_COUNT_CAP.
        "PAGE_SIZE": int(os.environ.get("PAGE_SIZE", 50)),
        "LIST_COUNT_CAP": int(os.environ.get("LIST_COUNT_CAP", 200)),
        # Art. 16, four eyes: a rule change deploys only when a city official approves it. Off for development.
        "RULE_CHANGE_APPROVAL": os.environ.get("RULE_CHANGE_APPROVAL", "on").lower() not in ("off", "0", "false"),
        # Notifications by e-mail (only when MAIL_SERVER is set) and SMS (SMS_SENDER: "module:function"
        # called with (mobile, text); the default writes them to the log), sent from the outbox.
        "MAIL_SERVER": os.environ.get("MAIL_SERVER"),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", 25)),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "noreply@gyxxh.tj.gov.cn"),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME"),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD"),
        "MAIL_USE_TLS": os.environ.get("MAIL_USE_TLS", "off").lower() in ("on", "1", "true"),
        "SMS_SENDER": os.environ.get("SMS_SENDER", "webapp.outbox:log_sms"),
        # A form takes an hour or two to fill in: its CSRF token lives as long as the session, not 60 minutes.
        "WTF_CSRF_TIME_LIMIT": None,
        "AUTOSAVE_SECONDS": int(os.environ.get("AUTOSAVE_SECONDS", 60)),  # a task form's 暂存 while typing
        # Automatic steps (scripts, gateways, services, events) one request or timer may run: a loop with no
        # exit and no user task fails with a clear error and rolls back instead of spinning.
        "ENGINE_STEPS_PER_REQUEST": int(os.environ.get("ENGINE_STEPS_PER_REQUEST", 500)),
        "URGE_INTERVAL_MINUTES": int(os.environ.get("URGE_INTERVAL_MINUTES", 60)),  # 催办 at most this often
        # The oversight dashboard's figures are computed afresh by the scheduler this often (0: only by the CLI).
        "OVERSIGHT_REFRESH_MINUTES": int(os.environ.get("OVERSIGHT_REFRESH_MINUTES", 10)),
    }
    config.update(overrides or {})
    # Leave room above the per-file limit for multipart overhead; the per-file check is exact.
    config["MAX_CONTENT_LENGTH"] = config["MAX_UPLOAD_BYTES"] + 1024 * 1024
    uri = config["SQLALCHEMY_DATABASE_URI"] = sqlite_from_root(config["SQLALCHEMY_DATABASE_URI"])
    if uri.startswith("sqlite:///"):
        Path(uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    if uri.startswith("postgresql://"):
        config["SQLALCHEMY_DATABASE_URI"] = uri.replace("postgresql://", "postgresql+psycopg://", 1)
    return config


def sqlite_from_root(uri):
    """A relative SQLite path (the README's `sqlite:///instance/app.db`) is read from the repository's
    root, not from wherever the command runs, so the documented value works from any directory."""
    path = uri.removeprefix("sqlite:///")
    if not uri.startswith("sqlite:///") or path.startswith("/") or path in ("", ":memory:"):
        return uri
    return f"sqlite:///{ROOT / path}"
