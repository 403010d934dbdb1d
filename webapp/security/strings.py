"""Text a client sends that a database cannot hold: a NUL byte (PostgreSQL refuses it in any text),
or a value longer than its column (PostgreSQL refuses it, SQLite stores it). NUL is refused in the
query string and form fields before any view runs; what reaches the database anyway and is refused
there (DataError) is the client's 422, never a 500."""

from flask import abort, request
from sqlalchemy.exc import DataError


def _has_nul(multidict):
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in multidict.lists())


def init_app(app):
    from .web import refusal

    @app.before_request
    def refuse_nul():
        if "\x00" in request.path or _has_nul(request.args):
            abort(400, "请求中不能含有 NUL 字符")
        if request.method in ("POST", "PUT", "PATCH") and not request.is_json:
            if _has_nul(request.form) or any("\x00" in (f.filename or "") for f in request.files.values()):
                abort(400, "请求中不能含有 NUL 字符")

    @app.errorhandler(DataError)
    def refused_by_database(err):
        return refusal(422, "输入的内容过长或格式不被接受")
