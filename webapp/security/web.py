"""Wiring into the app: the security pages, the forced password change, the audit of refused requests
and downloads, the administrators' role names in the pages, and the backup commands."""

from flask import abort, redirect, request, url_for
from flask_login import current_user

from ..extensions import db
from ..uploads import UploadRefused
from . import backup, db_role, events, limits, passwords, roles  # noqa: F401 - limits: the upload quota's listener

# What a person whose password must change may still reach.
OPEN_WHILE_EXPIRED = {"security.change_password", "account.logout", "static", "vendor.asset"}
DOWNLOADS = {"api.download", "cases.download"}
ADMIN_BLUEPRINTS = {"security", "account", "public", "centers", "vendor", "api"}  # api: scoped to nothing anyway


def refusal(status, message):
    """A refused request after a failed write: rolled back, JSON for the API, a page for people."""
    from .. import web
    from ..api import error as api_error
    db.session.rollback()
    return api_error(status, message) if request.path.startswith("/api/") else web.error_page(status, message)


def init_app(app):
    from .views import bp

    app.register_blueprint(bp)
    app.cli.add_command(backup.backup)
    app.cli.add_command(backup.restore)
    app.cli.add_command(db_role.grant_app_role)
    app.jinja_env.globals["admin_role_label"] = roles.label

    @app.errorhandler(UploadRefused)
    def upload_refused(err):  # the daily quota, checked as the attachment row is written (security/limits.py)
        return refusal(err.status, str(err))

    @app.before_request
    def administrators_stay_out_of_the_business():
        """三员 handle no case: every page but their own, the public ones and sign-in/out is refused."""
        if request.blueprint not in ADMIN_BLUEPRINTS and request.endpoint not in (None, "static") \
                and current_user.is_authenticated and current_user.role in roles.ADMIN_ROLES:
            abort(403)
        return None

    @app.before_request
    def password_must_change():
        if request.blueprint == "api" or request.endpoint in OPEN_WHILE_EXPIRED or request.endpoint is None:
            return None
        if current_user.is_authenticated and passwords.expired(current_user):
            return redirect(url_for("security.change_password"))
        return None

    @app.after_request
    def audit_refusals_and_downloads(response):
        status = response.status_code
        if status == 403 or (status == 401 and request.headers.get("Authorization")):
            user = _who()
            events.record("permission_denied" if status == 403 else "token_refused", user, "refused",
                          data={"method": request.method, "path": request.path[:200]}, commit=True)
        elif status == 200 and request.endpoint in DOWNLOADS:
            events.record("download", _who(), data={"path": request.path[:200]}, commit=True)
        return response

    def _who():
        from flask import g
        user = getattr(g, "user", None) or (current_user if current_user.is_authenticated else None)
        return user.username if user is not None else None

