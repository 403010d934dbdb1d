"""Tokens and who-am-I."""

from flask import current_app, g, jsonify, request

from ..auth import Locked, authenticate, issue_token, revoke_token
from ..extensions import db
from ..security import events, passwords
from . import PASSWORD_EXPIRED, bp, error, login_required


@bp.post("/auth/token")
def token():
    body = request.get_json(silent=True)
    body = body if isinstance(body, dict) else {}  # no credentials (a list, a text): refused as wrong ones
    try:
        user = authenticate(body.get("username"), body.get("password"))
    except Locked:
        return error(429, f"登录失败次数过多，请 {current_app.config['LOGIN_LOCK_MINUTES']} 分钟后再试")
    if user is None:
        return error(401, "用户名或密码错误")
    if passwords.expired(user):
        return error(403, PASSWORD_EXPIRED)
    return jsonify({"token": issue_token(user)})


@bp.post("/auth/logout")
@login_required()
def logout():
    """Revokes the bearer token used: it answers 401 from now on, on every server."""
    revoke_token(request.headers["Authorization"][7:])
    events.record("token_revoked", g.user.username)
    db.session.commit()
    return "", 204


@bp.get("/me")
@login_required()
def me():
    user = g.user
    return jsonify({"username": user.username, "roles": [user.role], "district": user.district,
                    "organization": user.organization.name if user.organization else None,
                    "display_name": user.display_name})
