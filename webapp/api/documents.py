"""Documents generated for a case (contract: GET /process-instances/{id}/documents), and each letter as PDF."""

from flask import jsonify, url_for

from .. import engine
from ..documents import catalog, pdf
from . import bp, login_required
from .instances import visible_instance
from .public import send_pdf


def document_url(instance, item):
    if item["notice_id"]:
        return url_for("api.notice_pdf", notice_id=item["notice_id"])
    return url_for("api.case_document", instance_id=instance.id, kind=item["kind"])


@bp.get("/process-instances/<int:instance_id>/documents")
@login_required()
def documents(instance_id):
    instance = visible_instance(instance_id)
    return jsonify([{"kind": d["kind"], "title": d["title"], "url": document_url(instance, d),
                     "created_at": d["created_at"].isoformat()} for d in catalog.for_case(instance)])


@bp.get("/process-instances/<int:instance_id>/documents/<kind>.pdf")
@login_required()
def case_document(instance_id, kind):
    """A letter of the case (推荐函) as PDF, for whoever may see the case."""
    instance = visible_instance(instance_id)
    document = catalog.letter(instance, kind)
    if document is None:
        raise engine.NotFound("该案件没有此文书")
    return send_pdf(pdf.render(document), f"{kind}-{instance.id}.pdf")
