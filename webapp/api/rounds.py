"""Annual calls (申报批次) that processes needing a round start in: opened, edited, extended or closed
early by the city (webapp/rounds.py audits each); the public reads the open ones with their text."""

from datetime import datetime

from flask import g, jsonify, request, url_for

from .. import rounds
from ..engine import NotFound, ValidationFailed
from ..extensions import db
from ..ids import parse_id
from ..models import Round
from . import bp, json_body, login_required


def round_json(r, text=False):
    """A round; with `text`, its 申报通知 and the templates to download as well."""
    found = {"id": r.id, "kind": r.kind, "year": r.year, "title": r.title, "opens_at": r.opens_at.isoformat(),
             "closes_at": r.closes_at.isoformat(), "open": r.is_open(),
             "closed_early_at": r.closed_early_at.isoformat() if r.closed_early_at else None}
    if text:
        found["body"] = r.body
        found["attachments"] = [{"id": i, "filename": name, "url": url_for("public.call_file", round_id=r.id,
                                                                           attachment_id=i)}
                                for i, name in rounds.attachments(r)]
    return found


def _parse_time(value):
    try:
        parsed = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    return parsed if parsed.tzinfo else None


def _given_times(body, *names):
    """{name: aware datetime} of the times the body gives; one that does not parse is refused by its name."""
    found = {name: _parse_time(body[name]) for name in names if body.get(name) is not None}
    wrong = {name: ["须为带时区的时间（ISO 8601）"] for name, value in found.items() if value is None}
    if wrong:
        raise ValidationFailed("批次信息有误", wrong)
    return found


@bp.post("/rounds")
@login_required("city")
def open_round():
    body = json_body()
    round_ = rounds.open_round(body.get("kind"), body.get("year"), body.get("title"),
                               _parse_time(body.get("closes_at")), g.user, body=body.get("body"),
                               attachments=body.get("attachments"), **_given_times(body, "opens_at"))
    db.session.commit()
    return jsonify(round_json(round_, text=True)), 201


@bp.get("/rounds")
@login_required()
def list_rounds():
    query = Round.query.order_by(Round.id.desc())
    if request.args.get("kind"):
        query = query.filter_by(kind=request.args["kind"])
    rounds_ = [r for r in query if request.args.get("open") != "true" or r.is_open()]
    return jsonify([round_json(r) for r in rounds_])


def _round(round_id):
    found = db.session.get(Round, round_id) if parse_id(round_id) else None
    if found is None:
        raise NotFound("批次不存在")
    return found


@bp.get("/rounds/<int:round_id>")
@login_required()
def get_round(round_id):
    round_ = _round(round_id)
    return jsonify(round_json(round_, text=True))


@bp.patch("/rounds/<int:round_id>")
@login_required("city")
def change_round(round_id):
    """{title?, body?, opens_at?, closes_at?, attachments?}: edit the call, move its opening, extend it."""
    round_ = _round(round_id)
    body = json_body()
    given = {k: body[k] for k in ("title", "body", "attachments") if k in body}
    rounds.change_round(round_, g.user, **given, **_given_times(body, "opens_at", "closes_at"))
    db.session.commit()
    return jsonify(round_json(round_, text=True))


@bp.post("/rounds/<int:round_id>/close")
@login_required("city")
def close_round(round_id):
    """{reason}: close the round now, before its closing time (409 once closed)."""
    round_ = _round(round_id)
    rounds.close_round(round_, g.user, json_body().get("reason"))
    db.session.commit()
    return jsonify(round_json(round_, text=True))


@bp.get("/public/rounds")
def public_rounds():
    """The calls open now or opening later, with their text and templates, for anyone."""
    return jsonify([round_json(r, text=True) for r in rounds.public_rounds()])
