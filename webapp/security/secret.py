"""Refuse to run in production with the development SECRET_KEY or a short one: anyone could forge
API tokens and sessions with a key that is public or guessable."""

from .settings import MIN_SECRET_KEY_LENGTH, SECRET_KEY_DEFAULT


class InsecureConfiguration(RuntimeError):
    pass


def check(config):
    if not config.get("PRODUCTION"):
        return
    key = config.get("SECRET_KEY") or ""
    if key == SECRET_KEY_DEFAULT or len(key) < MIN_SECRET_KEY_LENGTH:
        raise InsecureConfiguration(
            f"APP_ENV=production needs SECRET_KEY set to a random value of at least {MIN_SECRET_KEY_LENGTH} "
            "characters (e.g. python -c 'import secrets; print(secrets.token_urlsafe(48))')")
    if config.get("AUDIT_RETENTION_DAYS", 180) < 180:
        raise InsecureConfiguration("AUDIT_RETENTION_DAYS must be at least 180 (等保 2.0: six months of audit)")
