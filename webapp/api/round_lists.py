"""A round's list (拟入库名单): the city reads the notice as it would be published, then publishes it."""

from flask import g, jsonify

from .. import engine, notice_lists
from ..extensions import db
from ..models import Round
from . import bp, login_required
from .public import notice_json


def _round(round_id):
    round_ = db.session.get(Round, round_id)
    if round_ is None:
        raise engine.NotFound("申报批次不存在")
    return round_


@bp.get("/rounds/<int:round_id>/list")
@login_required("city", "owner")
def round_list(round_id):
    """The units waiting to be published and the notice text the template gives them now."""
    entries = notice_lists.waiting(_round(round_id).id)
    found = notice_lists.draft(_round(round_id), entries) if entries else None
    return jsonify({"units": notice_lists.unit_rows(entries),
                    "notice": None if found is None else {
                        "title": found.title, "parts": found.parts, "starts_at": found.starts_at.isoformat(),
                        "ends_at": found.ends_at.isoformat()}})


@bp.post("/rounds/<int:round_id>/list")
@login_required("city")
def publish_round_list(round_id):
    notice = notice_lists.publish(_round(round_id), g.user)
    db.session.commit()
    return jsonify(notice_json(notice)), 201
