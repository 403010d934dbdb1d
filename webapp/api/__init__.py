"""REST API v1 (the public contract in shared/design/API.md): JSON in and out, bearer tokens."""

from functools import wraps

from flask import Blueprint, g, jsonify, request, url_for

from ..auth import user_from_token
from ..engine import EngineError
from ..security import passwords

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# A token works only while its account's password does (too old, or a reset's temporary one: the web
# page for changing it is the one way on).
PASSWORD_EXPIRED = "密码已过期或为临时密码，请先登录网页修改密码"


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
            if passwords.expired(user) and view.__name__ != "logout":
                return error(403, PASSWORD_EXPIRED)
            if roles and user.role not in roles:
                return error(403, "无权执行此操作")
            g.user = user
            return view(*args, **kwargs)
        return wrapped
    return decorator


def paged_json(items, page):
    """A list response for one paging.Page: the items, with X-Total-Count and a Link to the next page."""
    response = jsonify(items)
    response.headers["X-Total-Count"] = page.total_label
    if page.has_next:
        args = {**request.args.to_dict(), "page": page.number + 1, "per_page": page.size}
        response.headers["Link"] = f'<{url_for(request.endpoint, **request.view_args, **args)}>; rel="next"'
    return response


def json_body():
    """The request's JSON object, or an EngineError with status 400."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest("请求体必须是 JSON 对象")
    return body


class BadRequest(EngineError):
    status = 400


from . import (  # noqa: E402,F401
    attachments,
    auth,
    centers,
    complaints,
    definitions,
    documents,
    instances,
    migrations,
    operations,
    oversight,
    public,
    round_lists,
    rounds,
    spec,
    tasks,
)
