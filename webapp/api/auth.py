"""Tokens and who-am-I."""

from flask import g, jsonify, request

from ..auth import authenticate, issue_token
from . import bp, error, login_required


@bp.post("/auth/token")
def token():
    body = request.get_json(silent=True) or {}
    user = authenticate(body.get("username"), body.get("password"))
    if user is None:
        return error(401, "用户名或密码错误")
    return jsonify({"token": issue_token(user)})


@bp.get("/me")
@login_required()
def me():
    user = g.user
    return jsonify({"username": user.username, "roles": [user.role], "district": user.district,
                    "organization": user.organization.name if user.organization else None,
                    "display_name": user.display_name})
