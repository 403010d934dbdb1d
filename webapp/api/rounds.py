"""Annual calls (申报批次) that processes needing a round start in."""

from datetime import datetime

from flask import current_app, g, jsonify, request

from ..engine import ValidationFailed, latest_definition
from ..extensions import db
from ..models import Round, utcnow
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
    errors = {}
    kind = body.get("kind")
    definition = latest_definition(kind, required=False) if isinstance(kind, str) else None
    if definition is None or not definition.needs_round:
        errors["kind"] = ["必须是需要申报批次的已部署流程"]
    year = body.get("year")
    if not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= 2100:
        errors["year"] = ["年份无效"]
    title = body.get("title")
    if not isinstance(title, str) or not title.strip() or len(title) > 200:
        errors["title"] = ["请填写标题（不超过200字）"]
    closes_at = _parse_time(body.get("closes_at"))
    valid_until = datetime.fromisoformat(current_app.config["PROGRAMME_VALID_UNTIL"])
    if closes_at is None or closes_at <= utcnow():
        errors["closes_at"] = ["截止时间须为带时区的未来时间（ISO 8601）"]
    elif closes_at > valid_until:
        errors["closes_at"] = [f"规范有效期至 {valid_until.date()}（第十七条），批次不能晚于此截止"]
    if errors:
        raise ValidationFailed("批次信息有误", errors)
    round_ = Round(kind=kind, year=year, title=title.strip(), closes_at=closes_at, created_by=g.user.username)
    db.session.add(round_)
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
