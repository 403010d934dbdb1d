"""The security settings, each from the environment with its default (README, "Security")."""

import os

SECRET_KEY_DEFAULT = "dev-only-insecure-key"  # config.py's development key: refused in production
MIN_SECRET_KEY_LENGTH = 32


def _int(name, default):
    return int(os.environ.get(name, default))


def _flag(name, default):
    value = os.environ.get(name)
    return default if value is None else value.lower() not in ("0", "off", "false", "no", "")


def defaults(production):
    """{setting: value} for whatever the app's config does not already hold (tests pass overrides)."""
    return {
        "SESSION_IDLE_MINUTES": _int("SESSION_IDLE_MINUTES", 30),
        "SESSION_MAX_HOURS": _int("SESSION_MAX_HOURS", 12),
        "SESSION_COOKIE_SECURE": _flag("SESSION_COOKIE_SECURE", production),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": os.environ.get("SESSION_COOKIE_SAMESITE", "Lax"),
        "HSTS_SECONDS": _int("HSTS_SECONDS", 31536000 if production else 0),
        "LOGIN_MAX_FAILURES": _int("LOGIN_MAX_FAILURES", 5),
        "LOGIN_IP_MAX_FAILURES": _int("LOGIN_IP_MAX_FAILURES", 20),
        "LOGIN_LOCK_MINUTES": _int("LOGIN_LOCK_MINUTES", 15),
        "REGISTRATIONS_PER_HOUR": _int("REGISTRATIONS_PER_HOUR", 10),
        "PASSWORD_MIN_LENGTH": _int("PASSWORD_MIN_LENGTH", 10),
        "PASSWORD_MAX_AGE_DAYS": _int("PASSWORD_MAX_AGE_DAYS", 90),
        "PASSWORD_HISTORY": _int("PASSWORD_HISTORY", 5),
        "TRUSTED_PROXIES": _int("TRUSTED_PROXIES", 0),
        "MAX_JSON_BYTES": _int("MAX_JSON_BYTES", 1024 * 1024),
        "MAX_JSON_DEPTH": _int("MAX_JSON_DEPTH", 32),
        "UPLOAD_BYTES_PER_DAY": _int("UPLOAD_BYTES_PER_DAY", 200 * 1024 * 1024),
        "ORPHAN_UPLOAD_HOURS": _int("ORPHAN_UPLOAD_HOURS", 24),
        "AUDIT_RETENTION_DAYS": _int("AUDIT_RETENTION_DAYS", 180),
    }
