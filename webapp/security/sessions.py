"""Server-side sessions and revocable API tokens.

The browser's signed cookie and the API token carry only a random session id; its row says whose it
is, when it began and when it was last used. Logout, deactivation and a password change revoke the
rows, so a replayed cookie or token stops working on every server; a web session also ends after
SESSION_IDLE_MINUTES without use and SESSION_MAX_HOURS after login, a token after TOKEN_MAX_AGE.
"""

import hashlib
import secrets
from datetime import timedelta

from flask import current_app, session
from sqlalchemy import select, update

from ..extensions import db
from ..models import User, utcnow
from .models import UserSession
from .proxies import client_ip

TOUCH_EVERY = timedelta(seconds=60)  # last_seen_at is written at most once a minute per session


def _digest(raw):
    return hashlib.sha256(raw.encode()).hexdigest()


def start(user, kind):
    """A new session row for the user; the random id the client keeps is returned (never stored)."""
    raw = secrets.token_urlsafe(32)
    db.session.add(UserSession(id=_digest(raw), user_id=user.id, kind=kind, source_ip=client_ip()))
    return raw


def login_web(user):
    lang = session.get("lang")
    session.clear()  # a fresh cookie: nothing of the anonymous session carries over (fixation)
    session["sid"] = start(user, "web")
    if lang:
        session["lang"] = lang


def sign_in(user, event=None):
    """A new web session for the user in this browser, committed and known to Flask-Login; `event` is audited."""
    from flask_login import login_user

    from . import events
    if event:
        events.record(event, user.username)
    login_web(user)
    db.session.commit()
    login_user(user)


def _expired(row, now):
    config = current_app.config
    if row.kind == "api":
        return row.created_at + timedelta(seconds=config["TOKEN_MAX_AGE"]) < now
    return (row.last_seen_at + timedelta(minutes=config["SESSION_IDLE_MINUTES"]) < now
            or row.created_at + timedelta(hours=config["SESSION_MAX_HOURS"]) < now)


def user_of(raw, kind):
    """The active user of a session id still valid, or None. A web session is touched (idle timeout)."""
    if not isinstance(raw, str) or len(raw) > 100:
        return None
    found = db.session.execute(select(UserSession, User).join(User, User.id == UserSession.user_id)
                               .where(UserSession.id == _digest(raw))).first()  # one statement per request
    now = utcnow()
    if found is None:
        return None
    row, user = found
    if row.kind != kind or row.revoked_at is not None or _expired(row, now) or not user.active:
        return None
    if kind == "web" and now - row.last_seen_at > TOUCH_EVERY:
        row.last_seen_at = now
        db.session.commit()
        user = db.session.get(User, row.user_id)
    return user


def revoke(raw):
    if isinstance(raw, str):
        db.session.execute(update(UserSession).where(UserSession.id == _digest(raw), UserSession.revoked_at.is_(None))
                           .values(revoked_at=utcnow()))


def revoke_all(user_id):
    """Every session and token of the account ends (password change or reset, deactivation, 退出所有设备)."""
    db.session.execute(update(UserSession).where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
                       .values(revoked_at=utcnow()))


def web_user():
    return user_of(session.get("sid"), "web")


def end_web():
    revoke(session.get("sid"))
    session.clear()
