"""Pages anyone may open without signing in: home, the annual calls, the resource pool, notices with the
objection form, and objections and complaints followed by their 受理编号."""

from dataclasses import dataclass
from io import BytesIO

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .. import complaints, notice_lists, objections, paging, pool, rounds
from ..documents import texts
from ..engine import NotFound, ValidationFailed
from ..extensions import db
from ..models import Attachment, Notice, Round, utcnow
from .start_links import start_links

bp = Blueprint("public", __name__)


@bp.get("/")
def home():
    if current_user.is_authenticated:
        return redirect(url_for("cases.mine" if current_user.role == "applicant" else "inbox.todo"))
    return render_template("public/home.html", open_notices=Notice.query.filter(
                               Notice.kind == "selection_notice", Notice.closed_at.is_(None),
                               Notice.ends_at > utcnow()).order_by(Notice.ends_at).limit(20).all(),
                           pool_size=pool.active_query().order_by(None).count(), calls=rounds.public_rounds(),
                           now=utcnow())


@bp.get("/calls/<int:round_id>")
def call(round_id):
    """A round's 申报通知 as the public reads it: its text, dates and templates to download."""
    round_ = db.session.get(Round, round_id) or abort(404)
    return render_template("public/call.html", round=round_, files=rounds.attachments(round_),
                           paragraphs=texts.paragraphs, now=utcnow())


@bp.get("/calls/<int:round_id>/files/<int:attachment_id>")
def call_file(round_id, attachment_id):
    """A template the call offers, for anyone: only the files the round holds."""
    round_ = db.session.get(Round, round_id) or abort(404)
    attachment = db.session.get(Attachment, attachment_id) if attachment_id in (round_.attachment_ids or ()) else None
    if attachment is None:
        abort(404)
    return send_file(BytesIO(attachment.content), mimetype=attachment.content_type, as_attachment=True,
                     download_name=attachment.filename)


@bp.get("/pool", endpoint="pool")
def pool_page():
    args = request.args
    query = pool.active_query(args.get("q"), args.get("category"), args.get("district"), args.get("grade"))
    page = paging.page_of(query, paging.request_page(args)[0], exact_count=True)
    filters = {k: v for k, v in args.items() if k != "page" and v}
    links = [s for s in start_links(current_user, False) if s.about_pool] if current_user.is_authenticated else []
    return render_template("public/pool.html", entries=page.items, page=page, args=args, filters=filters,
                           start_links=links)


@bp.get("/notices")
def notices():
    rows = Notice.query.order_by(Notice.starts_at.desc()).limit(200).all()
    return render_template("public/notices.html", notices=rows)


@bp.route("/notices/<int:notice_id>", methods=["GET", "POST"])
def notice(notice_id):
    item = db.session.get(Notice, notice_id)
    if item is None:
        abort(404)
    objectable = item.kind == "selection_notice"
    definition = objections.form(item) if objectable else None
    form, _clean, errors = (None, None, {})
    locale = str(get_locale())
    unit = request.form.get("unit") or None
    if request.method == "POST" and objectable:
        form, clean, errors = definition.bind(request.form, locale=locale)
        if not errors:
            try:
                objection = objections.file(notice_id, clean, request.remote_addr or "unknown", unit)
            except ValidationFailed as err:
                errors = err.errors
            else:
                db.session.commit()
                flash(_("异议已受理，受理编号 %(receipt)s。请妥善保存，凭编号查询核查结果；"
                        "我们将依法核查并保护您的个人信息。", receipt=objection.receipt), "success")
                return redirect(url_for("public.objection", receipt=objection.receipt))
    form = form or (definition.wtform_class(locale)() if definition else None)
    return render_template("public/notice.html", notice=item, form=form, definition=definition, errors=errors,
                           units=notice_lists.unit_rows(item.entries, locale), unit=unit,
                           parts=item.details or {"body": item.body or ""}, paragraphs=texts.paragraphs)


@bp.get("/notices/<int:notice_id>.pdf")
def notice_pdf(notice_id):
    """The notice as a printable PDF (the same as the API's)."""
    from ..api.public import notice_pdf as pdf_of

    return pdf_of(notice_id)


@dataclass(frozen=True)
class ReceiptKind:
    """A kind of matter followed by its 受理编号: how to find it, what its page says."""

    find: object
    status: object
    heading: str
    lookup: str
    page: str
    unknown: str


OBJECTIONS = ReceiptKind(objections.by_receipt, objections.status, _l("异议查询"), "public.objection_lookup",
                         "public.objection", _l("没有该受理编号的异议，请核对后重试。"))
COMPLAINTS = ReceiptKind(complaints.by_receipt, complaints.status, _l("投诉查询"), "public.complaint_lookup",
                         "public.complaint", _l("没有该受理编号的投诉，请核对后重试。"))
STATES = {"pending": (_l("核查中"), "bg-warning text-dark"), "upheld": (_l("异议成立"), "bg-danger"),
          "dismissed": (_l("异议不成立"), "bg-secondary"), "verified": (_l("投诉属实"), "bg-danger"),
          "unfounded": (_l("投诉不属实"), "bg-secondary")}


def _lookup(kind):
    receipt = request.args.get("receipt", "").strip()
    if receipt:
        return redirect(url_for(kind.page, receipt=receipt[:40]))
    return render_template("public/receipt.html", kind=kind, states=STATES, found=None, receipt="")


def _status(kind, receipt):
    """What became of the matter: received, being verified, or the finding (nothing about who filed it)."""
    try:
        found = kind.status(kind.find(receipt))
    except NotFound:
        return render_template("public/receipt.html", kind=kind, states=STATES, found=None, receipt=receipt[:40]), 404
    return render_template("public/receipt.html", kind=kind, states=STATES, found=found, receipt=found["receipt"])


@bp.get("/objections")
def objection_lookup():
    """The form to follow an objection by its 受理编号."""
    return _lookup(OBJECTIONS)


@bp.get("/objections/<receipt>")
def objection(receipt):
    return _status(OBJECTIONS, receipt)


@bp.get("/complaints")
def complaint_lookup():
    """The form to follow a complaint by its 受理编号."""
    return _lookup(COMPLAINTS)


@bp.get("/complaints/<receipt>")
def complaint(receipt):
    return _status(COMPLAINTS, receipt)
