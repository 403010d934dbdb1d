"""Sign-in: passwords for people, signed bearer tokens (each a revocable session) for the API."""

from functools import lru_cache

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from werkzeug.security import check_password_hash, generate_password_hash

from .extensions import db, login_manager
from .models import User
from .security import events, sessions, throttle
from .security.proxies import client_ip

USERNAME_LENGTH = User.__table__.c.username.type.length  # a longer name names no one: not looked up


class Locked(Exception):
    """Too many failed logins for this name or address (security/throttle.py)."""


def _signer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="api-token")


@lru_cache(maxsize=4)
def _dummy_hash(method):
    return generate_password_hash("not a password of anyone", method=method)


def authenticate(username, password):
    """The active user with these credentials, or None; Locked while the name or address is locked.

    A name that does not exist costs the same password hash as one that does, so timing tells nothing."""
    name = username if isinstance(username, str) else ""
    password = password if isinstance(password, str) else ""
    user = User.query.filter_by(username=name).first() if 0 < len(name) <= USERNAME_LENGTH else None
    hashed = user.password_hash if user is not None else _dummy_hash(
        current_app.config.get("PASSWORD_HASH_METHOD", "scrypt"))
    right = check_password_hash(hashed, password) and user is not None and user.active
    keys = throttle.keys(name, client_ip())
    if throttle.locked(keys):
        events.record("login_refused", name, "locked", commit=True)
        raise Locked()
    if not right:
        now_locked = throttle.failed(keys)
        events.record("login_refused", name, "failure")
        if now_locked:
            events.record("lockout", name, "locked")
        db.session.commit()
        return None
    throttle.succeeded(keys[0])
    events.record("login", user.username)
    db.session.commit()
    return user


def issue_token(user):
    raw = sessions.start(user, "api")
    events.record("token_issued", user.username)
    db.session.commit()
    return _signer().dumps({"uid": user.id, "sid": raw})


def _payload(token):
    try:
        return _signer().loads(token, max_age=current_app.config["TOKEN_MAX_AGE"])
    except (BadSignature, SignatureExpired):
        return None


def user_from_token(token):
    payload = _payload(token)
    if not isinstance(payload, dict):
        return None
    user = sessions.user_of(payload.get("sid"), "api")
    return user if user is not None and user.id == payload.get("uid") else None


def revoke_token(token):
    payload = _payload(token)
    if isinstance(payload, dict):
        sessions.revoke(payload.get("sid"))


def init_app(app):
    @login_manager.user_loader
    def load_user(user_id):
        user = sessions.web_user()
        return user if user is not None and str(user.id) == user_id else None
