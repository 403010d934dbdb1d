"""What anyone may read without signing in: the pool and notices; and the objection form."""

from flask import jsonify, make_response, request

from .. import objections, paging, pool
from ..extensions import db
from ..models import Notice, utcnow
from . import bp, error, json_body, paged_json


@bp.get("/public/resource-pool")
def resource_pool():
    """The whole pool (the contract); with ?page= or ?per_page=, one page of it with X-Total-Count and Link."""
    args = request.args
    query = pool.active_query(args.get("q"), args.get("category"), args.get("district"), args.get("grade"))
    if "page" in args or "per_page" in args:
        page = paging.page_of(query, *paging.request_page(args), exact_count=True)
        return paged_json([pool_json(e) for e in page.items], page)
    return jsonify([pool_json(e) for e in query])


def pool_json(e):
    return {"name": e.name, "credit_code": e.credit_code, "categories": e.categories, "district": e.district,
            "grade": e.grade, "grade_year": e.grade_year, "admitted_at": e.admitted_at.isoformat()}


def notice_json(n):
    return {"id": n.id, "kind": n.kind, "title": n.title, "subject": n.subject, "subjects": n.subjects,
            "units": [{"name": e.name, "credit_code": e.credit_code, "district": e.district,
                       "categories": e.categories} for e in n.entries],
            "body": n.body, "starts_at": n.starts_at.isoformat(),
            "ends_at": n.ends_at.isoformat() if n.ends_at else None, "open": n.is_open()}


@bp.get("/public/notices")
def notices():
    query = Notice.query.order_by(Notice.starts_at.desc())
    if request.args.get("open") == "true":
        now = utcnow()
        query = query.filter(Notice.closed_at.is_(None), (Notice.ends_at.is_(None)) | (Notice.ends_at > now))
    return jsonify([notice_json(n) for n in query.limit(500)])


@bp.post("/public/notices/<int:notice_id>/objections")
def object_to(notice_id):
    body = json_body()
    unit = body.pop("unit", None)  # the unit on a round's list the objection names (its credit code)
    clean, errors = objections.form(objections.open_notice(notice_id)).validate(body)
    if errors:
        return error(422, "异议信息不完整", errors)
    objection = objections.file(notice_id, clean, request.remote_addr or "unknown",
                                unit if isinstance(unit, str) else None)
    db.session.commit()
    return jsonify({"receipt": objection.receipt, "id": objection.id, "notice_id": notice_id,
                    "received_at": objection.created_at.isoformat()}), 201


@bp.get("/public/objections/<receipt>")
def objection_status(receipt):
    """What became of an objection, for whoever holds its 受理编号 (nothing about the objector)."""
    return jsonify(objections.status(objections.by_receipt(receipt)))


@bp.get("/public/notices/<int:notice_id>/pdf")
def notice_pdf(notice_id):
    """The notice (公示 / 公告) as a printable PDF, for anyone."""
    from ..documents import notice as notice_document
    from ..documents import pdf

    item = db.session.get(Notice, notice_id)
    if item is None:
        return error(404, "公告不存在")
    return send_pdf(pdf.render(notice_document.document(item)), f"notice-{item.id}.pdf")


def send_pdf(content, filename):
    response = make_response(content)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
