"""What anyone may read without signing in: the pool and notices; and the objection form."""

from datetime import timedelta

from flask import current_app, jsonify, request

from .. import engine
from ..extensions import db
from ..formkit import load_form
from ..models import Notice, Objection, PoolEntry, utcnow
from . import bp, error, json_body


@bp.get("/public/resource-pool")
def resource_pool():
    query = PoolEntry.query.filter(PoolEntry.removed_at.is_(None)).order_by(PoolEntry.admitted_at.desc())
    if request.args.get("district"):
        query = query.filter(PoolEntry.district == request.args["district"])
    if request.args.get("grade"):
        query = query.filter(PoolEntry.grade == request.args["grade"])
    entries = [e for e in query if not request.args.get("category") or request.args["category"] in e.categories]
    return jsonify([{"name": e.name, "credit_code": e.credit_code, "categories": e.categories,
                     "district": e.district, "grade": e.grade, "grade_year": e.grade_year,
                     "admitted_at": e.admitted_at.isoformat()} for e in entries])


def notice_json(n):
    return {"id": n.id, "kind": n.kind, "title": n.title, "subject": n.subject, "body": n.body,
            "starts_at": n.starts_at.isoformat(), "ends_at": n.ends_at.isoformat() if n.ends_at else None,
            "open": n.is_open()}


@bp.get("/public/notices")
def notices():
    query = Notice.query.order_by(Notice.starts_at.desc())
    if request.args.get("open") == "true":
        now = utcnow()
        query = query.filter(Notice.closed_at.is_(None), (Notice.ends_at.is_(None)) | (Notice.ends_at > now))
    return jsonify([notice_json(n) for n in query.limit(500)])


@bp.post("/public/notices/<int:notice_id>/objections")
def object_to(notice_id):
    notice = db.session.get(Notice, notice_id)
    if notice is None or notice.kind != "selection_notice":
        return error(404, "公示不存在")
    if not notice.is_open():
        return error(409, "公示期已结束，不再受理异议")
    ip = request.remote_addr or "unknown"
    recent = Objection.query.filter(Objection.source_ip == ip,
                                    Objection.created_at > utcnow() - timedelta(hours=1)).count()
    if recent >= current_app.config["OBJECTIONS_PER_HOUR"]:
        return error(429, "提交过于频繁，请稍后再试")
    clean, errors = load_form("objection").validate(json_body())
    if errors:
        return error(422, "异议信息不完整", errors)
    objection = Objection(notice_id=notice.id, source_ip=ip, **clean)
    db.session.add(objection)
    db.session.flush()
    engine.deliver_message(notice.instance_id, "objection",
                           {"id": objection.id, "content": clean["content"], "notice_id": notice.id,
                            "received_at": objection.created_at.isoformat()}, actor="public")
    db.session.commit()
    return jsonify({"id": objection.id, "notice_id": notice.id, "received_at": objection.created_at.isoformat()}), 201
