"""Tianjin digital-transformation programme: BPMN-driven approvals on Flask and SpiffWorkflow."""

from flask import Flask
from werkzeug.exceptions import HTTPException

from .config import from_env
from .extensions import csrf, db, login_manager, migrate


def create_app(overrides=None):
    app = Flask(__name__, instance_relative_config=True)
    app.config.update(from_env(overrides))
    app.json.ensure_ascii = False
    db.init_app(app)
    migrate.init_app(app, db, directory=str(app.root_path + "/../migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)

    from . import api, auth, cli
    auth.init_app(app)
    app.register_blueprint(api.bp)
    csrf.exempt(api.bp)  # token-authenticated JSON API: no cookies, so no CSRF exposure
    cli.init_app(app)
    app.register_error_handler(HTTPException, api.http_error_outside_blueprint)
    return app
