"""Opening an annual call (申报批次): the rules both the API and the city's page apply."""

from datetime import datetime

from flask import current_app

from .engine import ValidationFailed, latest_definition, start_round_cases
from .extensions import db
from .models import Round, utcnow


def open_round(kind, year, title, closes_at, actor):
    """Create a round, or raise ValidationFailed naming every problem."""
    errors = {}
    definition = latest_definition(kind, required=False) if isinstance(kind, str) else None
    if definition is None or not definition.needs_round:
        errors["kind"] = ["必须是需要申报批次的已部署流程"]
    if not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= 2100:
        errors["year"] = ["年份无效"]
    if not isinstance(title, str) or not title.strip() or len(title) > 200:
        errors["title"] = ["请填写标题（不超过200字）"]
    valid_until = datetime.fromisoformat(current_app.config["PROGRAMME_VALID_UNTIL"])
    if not isinstance(closes_at, datetime) or closes_at.tzinfo is None or closes_at <= utcnow():
        errors["closes_at"] = ["截止时间须为带时区的未来时间（ISO 8601）"]
    elif closes_at > valid_until:
        errors["closes_at"] = [f"规范有效期至 {valid_until.date()}（第十七条），批次不能晚于此截止"]
    if errors:
        raise ValidationFailed("批次信息有误", errors)
    round_ = Round(kind=kind, year=year, title=title.strip(), closes_at=closes_at, created_by=actor)
    db.session.add(round_)
    db.session.flush()
    start_round_cases(round_, actor)
    return round_
