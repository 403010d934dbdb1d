"""The public list of municipal promotion centers (Art. 13 (四)) with each one's latest self-assessment."""

from flask import jsonify, request

from ..engine.services.centers import active_centers
from . import bp


def assessment_json(a):
    if a is None:
        return None
    return {"year": a.year, "accepted_at": a.accepted_at.isoformat(),
            "indicators": [{"name": i["name"], "label": i["label"], "value": i["value"]} for i in a.indicators]}


def center_json(c):
    return {"id": c.id, "name": c.name, "lead_unit": c.lead_name, "credit_code": c.credit_code,
            "district": c.district, "build_mode": c.build_mode,
            "members": [{"name": m.get("member_name"), "credit_code": m.get("member_credit_code"),
                         "type": m.get("member_type")} for m in c.members],
            "industries": c.industries, "confirmed_at": c.confirmed_at.isoformat(),
            "latest_assessment": assessment_json(c.latest_assessment)}


@bp.get("/public/centers")
def centers():
    rows = active_centers(request.args.get("q"), request.args.get("district"))
    return jsonify([center_json(c) for c in rows])
