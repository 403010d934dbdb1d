"""The documents of a case on its page (推荐函, the 公示 it is on) and each letter as PDF for the signed-in
reader who may see the case."""

from flask import Blueprint, abort, make_response, url_for
from flask_login import login_required

from ..documents import catalog, pdf
from .cases import visible_case

bp = Blueprint("documents", __name__)


@bp.app_template_global()
def case_documents(instance):
    """[(title, url, created_at)] of the case's generated documents, for its page."""
    return [(d["title"], url_for("public.notice_pdf", notice_id=d["notice_id"]) if d["notice_id"] else
             url_for("documents.letter", instance_id=instance.id, kind=d["kind"]), d["created_at"])
            for d in catalog.for_case(instance)]


@bp.get("/cases/<int:instance_id>/documents/<kind>.pdf")
@login_required
def letter(instance_id, kind):
    instance = visible_case(instance_id)
    document = catalog.letter(instance, kind)
    if document is None:
        abort(404)
    response = make_response(pdf.render(document))
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'inline; filename="{kind}-{instance.id}.pdf"'
    return response
