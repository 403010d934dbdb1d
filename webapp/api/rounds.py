"""Annual calls (申报批次) that processes needing a round start in."""

from datetime import datetime

from flask import g, jsonify, request

from .. import rounds
from ..extensions import db
from ..models import Round
from . import bp, json_body, login_required


def round_json(r):
    return {"id": r.id, "kind": r.kind, "year": r.year, "title": r.title, "opens_at": r.opens_at.isoformat(),
            "closes_at": r.closes_at.isoformat(), "open": r.is_open()}


def _parse_time(value):
    try:
        parsed = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    return parsed if parsed.tzinfo else None


@bp.post("/rounds")
@login_required("city")
def open_round():
    body = json_body()
    round_ = rounds.open_round(body.get("kind"), body.get("year"), body.get("title"),
                               _parse_time(body.get("closes_at")), g.user.username)
    db.session.commit()
    return jsonify(round_json(round_)), 201


@bp.get("/rounds")
@login_required()
def list_rounds():
    query = Round.query.order_by(Round.id.desc())
    if request.args.get("kind"):
        query = query.filter_by(kind=request.args["kind"])
    rounds = [r for r in query if request.args.get("open") != "true" or r.is_open()]
    return jsonify([round_json(r) for r in rounds])
