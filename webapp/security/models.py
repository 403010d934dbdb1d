"""The security tables: sessions and tokens that can be revoked, login throttling, password history."""

from ..extensions import db
from ..models import UTCDateTime, utcnow


class UserSession(db.Model):
    """A signed-in browser session or an API token. The cookie or token carries a random id whose
    SHA-256 is kept here, so logout, deactivation and a password change end it on every server."""

    id = db.Column(db.String(64), primary_key=True)  # sha256 of the random id the client holds
    user_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=False, index=True)
    kind = db.Column(db.String(10), nullable=False)  # web | api
    source_ip = db.Column(db.String(45))
    created_at = db.Column(UTCDateTime, default=utcnow, nullable=False)
    last_seen_at = db.Column(UTCDateTime, default=utcnow, nullable=False)
    revoked_at = db.Column(UTCDateTime)


class LoginThrottle(db.Model):
    """Failed logins counted per account name ("user:…", also names that do not exist, so a lockout
    says nothing about who exists) and per source address ("ip:…")."""

    key = db.Column(db.String(130), primary_key=True)
    failures = db.Column(db.Integer, nullable=False, default=0)
    window_start = db.Column(UTCDateTime, default=utcnow, nullable=False)
    locked_until = db.Column(UTCDateTime)


class PasswordHistory(db.Model):
    """Every password an account had (its hash), newest last: reuse is refused, the newest dates expiry."""

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=False, index=True)
    password_hash = db.Column(db.String(255), nullable=False)
    temporary = db.Column(db.Boolean, nullable=False, default=False)  # set by a reset: change at next login
    created_at = db.Column(UTCDateTime, default=utcnow, nullable=False)
