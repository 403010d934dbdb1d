"""A JSON body is read once here, before any view: at most MAX_JSON_BYTES, nested at most
MAX_JSON_DEPTH, integers inside ±2**53 (what every JSON client can represent), no NUL in any text.
Anything else is a 400 (413 when too long) instead of a RecursionError or an overflow deep inside."""

import json
import math

from flask import abort, request

SAFE_INT = 2**53


def _problem(value, max_depth):
    """The first reason this parsed document is refused, or None."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > max_depth:
            return f"JSON 嵌套超过 {max_depth} 层"
        if isinstance(item, dict):
            stack.extend((k, depth + 1) for k in item)
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
        elif isinstance(item, bool):
            continue
        elif isinstance(item, int) and not -SAFE_INT < item < SAFE_INT:
            return "JSON 中的整数超出范围"
        elif isinstance(item, float) and not math.isfinite(item):
            return "JSON 中的数值无效"
        elif isinstance(item, str) and "\x00" in item:
            return "文本中不能含有 NUL 字符"
    return None


def _refuse_constant(name):
    raise ValueError(f"{name} is not JSON")


def check_request(max_bytes, max_depth):
    if not request.is_json or request.method in ("GET", "HEAD", "OPTIONS"):
        return
    if (request.content_length or 0) > max_bytes:
        abort(413)
    raw = request.get_data(cache=True)
    if len(raw) > max_bytes:
        abort(413)
    if not raw.strip():
        return
    try:
        value = json.loads(raw, parse_constant=_refuse_constant)
    except (ValueError, RecursionError):
        abort(400, "请求体不是有效的 JSON")
    problem = _problem(value, max_depth)
    if problem:
        abort(400, problem)
    request._cached_json = (value, value)  # what request.get_json() returns from now on, parsed once


def init_app(app):
    @app.before_request
    def guard_json():
        check_request(app.config["MAX_JSON_BYTES"], app.config["MAX_JSON_DEPTH"])
