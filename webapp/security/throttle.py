"""Login throttling: after LOGIN_MAX_FAILURES wrong passwords an account name is locked for
LOGIN_LOCK_MINUTES, and a source address after LOGIN_IP_MAX_FAILURES. Names that do not exist are
counted and locked alike, so neither the lock nor its message tells who has an account. The
security administrator may lift a lock early (unlock)."""

from datetime import timedelta

from flask import current_app
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import utcnow
from .models import LoginThrottle


def keys(username, ip):
    name = username.strip().lower()[:120] if isinstance(username, str) else ""
    return f"user:{name}", f"ip:{ip}"


def _limit(key):
    config = current_app.config
    return config["LOGIN_MAX_FAILURES"] if key.startswith("user:") else config["LOGIN_IP_MAX_FAILURES"]


def locked(key_list):
    """True when any of the keys is locked now."""
    now = utcnow()
    rows = LoginThrottle.query.filter(LoginThrottle.key.in_(key_list)).all()
    return any(row.locked_until is not None and row.locked_until > now for row in rows)


def failed(key_list):
    """Count one failure on each key; returns True when this failure locked one of them."""
    now, window = utcnow(), timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])
    newly_locked = False
    for key in key_list:
        row = db.session.get(LoginThrottle, key)
        if row is None:
            row = LoginThrottle(key=key, failures=0, window_start=now)
            try:
                with db.session.begin_nested():
                    db.session.add(row)
            except IntegrityError:  # another request counted the first failure at the same moment
                row = db.session.get(LoginThrottle, key)
        if row.window_start + window < now:
            row.failures, row.window_start = 0, now
        row.failures += 1
        if row.failures >= _limit(key) and (row.locked_until is None or row.locked_until <= now):
            row.locked_until, newly_locked = now + window, True
    return newly_locked


def succeeded(user_key):
    row = db.session.get(LoginThrottle, user_key)
    if row is not None:
        db.session.delete(row)


def unlock(username):
    """Lift the lock (and the count) of an account name; True when there was one."""
    row = db.session.get(LoginThrottle, keys(username, "")[0])
    if row is None:
        return False
    db.session.delete(row)
    return True


def locked_accounts():
    now = utcnow()
    return (LoginThrottle.query.filter(LoginThrottle.key.like("user:%"), LoginThrottle.locked_until > now)
            .order_by(LoginThrottle.key).all())


def registration_limited(ip):
    """Count one registration attempt of the address; True past REGISTRATIONS_PER_HOUR in the hour, so
    the registration form cannot be used to try names in bulk."""
    now, key = utcnow(), f"register:{ip}"
    row = db.session.get(LoginThrottle, key)
    if row is None:
        row = LoginThrottle(key=key, failures=0, window_start=now)
        db.session.add(row)
    if row.window_start + timedelta(hours=1) < now:
        row.failures, row.window_start = 0, now
    row.failures += 1
    db.session.commit()
    return row.failures > current_app.config["REGISTRATIONS_PER_HOUR"]
