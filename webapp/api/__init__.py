"""REST API v1 (the public contract in shared/design/API.md): JSON in and out, bearer tokens."""

from functools import wraps

from flask import Blueprint, current_app, g, jsonify, request
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from ..auth import user_from_token
from ..engine import EngineError
from ..extensions import db

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def error(status, message, errors=None):
    body = {"error": message}
    if errors:
        body["errors"] = errors
    return jsonify(body), status


def login_required(*roles):
    """Bearer-token auth; with roles given, only those roles pass (403 otherwise)."""
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            header = request.headers.get("Authorization", "")
            user = user_from_token(header[7:]) if header.startswith("Bearer ") else None
            if user is None:
                return error(401, "未登录或令牌无效")
            if roles and user.role not in roles:
                return error(403, "无权执行此操作")
            g.user = user
            return view(*args, **kwargs)
        return wrapped
    return decorator


def json_body():
    """The request's JSON object, or an EngineError with status 400."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest("请求体必须是 JSON 对象")
    return body


class BadRequest(EngineError):
    status = 400


@bp.errorhandler(EngineError)
def engine_error(err):
    db.session.rollback()
    return error(err.status, str(err), getattr(err, "errors", None) if err.status == 422 else None)


@bp.errorhandler(StaleDataError)
@bp.errorhandler(OperationalError)
def concurrent_change(err):
    db.session.rollback()
    return error(409, "案件已被他人同时处理，请刷新后重试")


@bp.errorhandler(HTTPException)
def http_error(err):
    db.session.rollback()
    return error(err.code, err.description if err.code != 413 else "文件过大")


@bp.errorhandler(Exception)
def unexpected(err):
    """A bug, not bad input: roll back, log it, and still answer in JSON."""
    db.session.rollback()
    current_app.logger.exception("unexpected error in %s", request.path)
    return error(500, "服务器内部错误，已记录")


def http_error_outside_blueprint(err):
    """Routing errors (unknown URL, wrong method) happen before a blueprint is chosen."""
    if request.path.startswith(bp.url_prefix):
        return error(err.code, err.description)
    return err


from . import attachments, auth, definitions, instances, public, rounds, spec, tasks  # noqa: E402,F401
