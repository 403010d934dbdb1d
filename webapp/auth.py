"""Sign-in: passwords for people, signed bearer tokens for the API."""

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from .engine import audit
from .extensions import db, login_manager
from .ids import parse_id
from .models import User


def _signer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="api-token")


def authenticate(username, password):
    """The active user with these credentials, or None (and a refused-login audit event)."""
    user = User.query.filter_by(username=username or "").first()
    if user is None or not user.active or not user.check_password(password or ""):
        audit.record("login_refused", username if isinstance(username, str) else None)
        db.session.commit()
        return None
    return user


def issue_token(user):
    return _signer().dumps({"uid": user.id})


def user_from_token(token):
    try:
        payload = _signer().loads(token, max_age=current_app.config["TOKEN_MAX_AGE"])
    except (BadSignature, SignatureExpired):
        return None
    user = db.session.get(User, payload.get("uid"))
    return user if user is not None and user.active else None


def init_app(app):
    @login_manager.user_loader
    def load_user(user_id):
        return db.session.get(User, parse_id(user_id)) if parse_id(user_id) else None
