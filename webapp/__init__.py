"""Tianjin digital-transformation programme: BPMN-driven approvals on Flask and SpiffWorkflow."""

from flask import Flask
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from .config import from_env
from .extensions import csrf, db, login_manager, migrate


def create_app(overrides=None):
    app = Flask(__name__, instance_relative_config=True)
    app.config.update(from_env(overrides))
    app.json.ensure_ascii = False
    app.url_map.converters["int"] = BoundedInt
    from . import security
    security.init_app(app)  # settings, the secret's check, headers, input guards, sessions' pages
    db.init_app(app)
    migrate.init_app(app, db, directory=str(app.root_path + "/../migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)

    from . import api, auth, cli, web
    auth.init_app(app)
    app.register_blueprint(api.bp)
    csrf.exempt(api.bp)  # token-authenticated JSON API: no cookies, so no CSRF exposure
    web.init_app(app)
    cli.init_app(app)
    register_error_pages(app)
    return app


class BoundedInt(IntegerConverter):
    """<int:…> in URLs stops at the database's integer range, so a huge id is a 404, not an overflow."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def register_error_pages(app):
    """JSON for the API, a Chinese page for people; a failed step is rolled back either way."""
    from flask import request
    from sqlalchemy.exc import OperationalError
    from sqlalchemy.orm.exc import StaleDataError

    from .api import error as api_error
    from .engine import EngineError
    from .web import error_page

    def wants_json():
        return request.path.startswith("/api/")

    @app.errorhandler(HTTPException)
    def http_error(err):
        db.session.rollback()
        return api_error(err.code, err.description) if wants_json() else error_page(err.code)

    @app.errorhandler(EngineError)
    def engine_error(err):
        db.session.rollback()
        if wants_json():
            return api_error(err.status, str(err), getattr(err, "errors", None) if err.status == 422 else None)
        return error_page(err.status, str(err))

    @app.errorhandler(StaleDataError)
    @app.errorhandler(OperationalError)
    def concurrent_change(err):
        db.session.rollback()
        message = "案件已被他人同时处理，请刷新后重试"
        return api_error(409, message) if wants_json() else error_page(409, message)

    @app.errorhandler(Exception)
    def unexpected(err):
        db.session.rollback()
        app.logger.exception("unexpected error on %s", request.path)
        return api_error(500, "服务器内部错误，已记录") if wants_json() else error_page(500)
