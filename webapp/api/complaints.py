"""Complaints about providers in the pool (Art. 8 (四)): an enterprise files one, and follows its case or,
with its 受理编号, the public status."""

from flask import g, jsonify

from .. import complaints, engine
from ..extensions import db
from ..models import Complaint, Organization
from . import bp, error, json_body, login_required


@bp.post("/complaints")
@login_required("applicant")
def file_complaint():
    """{provider_credit_code, content, attachments?} → 201 {instance_id, complaint_id, receipt}; the case is
    the complainant's."""
    definition = engine.latest_definition("complaint")
    form = engine.package.library(definition).form(engine.process_properties(definition).get("startForm"))
    clean, errors = form.validate(json_body(), engine.attachment_checker(g.user))
    if errors:
        return error(422, "投诉信息不完整", errors)
    instance = engine.start("complaint", g.user, data=clean)
    db.session.commit()
    registered = Complaint.query.filter_by(instance_id=instance.id).one()
    return jsonify({"instance_id": instance.id, "complaint_id": registered.id, "receipt": registered.receipt}), 201


@bp.get("/complaints")
@login_required("applicant", "city", "owner")
def list_complaints():
    """The complaints the caller's organisation filed (the city and process owners: all of them)."""
    query = Complaint.query.order_by(Complaint.id.desc())
    if g.user.role == "applicant":
        query = query.filter(Complaint.complainant_org_id == g.user.organization_id)
    rows = query.limit(500).all()
    providers = {o.id: o for o in Organization.query.filter(Organization.id.in_({c.provider_org_id for c in rows}))}
    return jsonify([{"id": c.id, "receipt": c.receipt, "instance_id": c.instance_id,
                     "provider": providers[c.provider_org_id].name,
                     "provider_credit_code": providers[c.provider_org_id].credit_code, "status": c.status,
                     "reason": c.reason, "created_at": c.created_at.isoformat(),
                     "decided_at": c.decided_at.isoformat() if c.decided_at else None} for c in rows])


@bp.get("/public/complaints/<receipt>")
def complaint_status(receipt):
    """What became of a complaint, for whoever holds its 受理编号 (nothing about the complainant)."""
    return jsonify(complaints.status(complaints.by_receipt(receipt)))
