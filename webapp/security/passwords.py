"""The password policy (等保 2.0 8.1.4.1): at least PASSWORD_MIN_LENGTH characters of at least two
kinds (lower case, upper case, digits, others), not containing the username, not a common password,
not one of the account's last PASSWORD_HISTORY passwords. Officials must change theirs after
PASSWORD_MAX_AGE_DAYS (enterprise accounts are not forced: they sign in a few times a year)."""

import secrets
from datetime import timedelta
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from werkzeug.security import check_password_hash

from ..extensions import db
from ..models import utcnow
from .models import PasswordHistory

COMMON = frozenset(Path(__file__).with_name("common_passwords.txt").read_text(encoding="utf-8").split())
NOT_EXPIRING = {"applicant"}


def _kinds(password):
    return sum((any(c.islower() for c in password), any(c.isupper() for c in password),
                any(c.isdigit() for c in password), any(not c.isalnum() for c in password)))


def problems(password, username, user=None):
    """The messages for a password this account may not have ([] when it is acceptable)."""
    config = current_app.config
    found = []
    if len(password or "") < config["PASSWORD_MIN_LENGTH"]:
        found.append(_("密码至少 %(n)d 位", n=config["PASSWORD_MIN_LENGTH"]))
    if _kinds(password or "") < 2:
        found.append(_("密码须包含字母、数字、符号中的至少两类"))
    if username and username.lower() in (password or "").lower():
        found.append(_("密码不能包含用户名"))
    if (password or "").lower() in COMMON:
        found.append(_("密码过于常见，请换一个"))
    if user is not None and _reused(user, password):
        found.append(_("不能使用最近用过的密码"))
    return found


def _recent(user, count):
    return (PasswordHistory.query.filter_by(user_id=user.id).order_by(PasswordHistory.id.desc())
            .limit(count).all()) if user.id else []


def _reused(user, password):
    hashes = [row.password_hash for row in _recent(user, current_app.config["PASSWORD_HISTORY"])]
    return any(check_password_hash(h, password) for h in [user.password_hash, *hashes] if h)


def set_password(user, password, temporary=False):
    """Set and remember the password (reuse is refused, its age counted); a temporary one must be changed."""
    user.set_password(password)
    user.password_changed_at = utcnow()
    user.password_temporary = temporary
    db.session.flush()
    db.session.add(PasswordHistory(user_id=user.id, password_hash=user.password_hash, temporary=temporary))


def temporary_password():
    """A random password that meets the policy, for a reset (shown once to the system administrator)."""
    return secrets.token_urlsafe(12) + "-7a"


def expired(user):
    """True when the account must change its password before anything else (too old, or a reset's)."""
    if user.password_temporary:
        return True
    days = current_app.config["PASSWORD_MAX_AGE_DAYS"]
    if user.role in NOT_EXPIRING or days <= 0:
        return False
    return (user.password_changed_at or user.created_at) + timedelta(days=days) < utcnow()
