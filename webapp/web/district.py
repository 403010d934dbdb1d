"""推荐信息汇总表 (Art. 6 (二)): a district's recommended applications in a round, exported for stamping,
and the stamped copies it submits to the city. Districts see their own; the city sees any district."""

from collections import Counter
from dataclasses import dataclass
from io import BytesIO

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

from .. import engine, labels, scope
from ..engine import audit
from ..extensions import db
from ..models import Attachment, HumanTask, ProcessInstance, Round, RoundDocument
from ..uploads import UploadRefused, check
from . import localtime

bp = Blueprint("district", __name__, url_prefix="/district")

# A stamped copy is a scan or a PDF; Office files are not a stamped document.
STAMPED_TYPES = {"application/pdf", "image/png", "image/jpeg"}
COLUMN_WIDTHS = (6, 34, 22, 26, 10, 10, 16, 40, 12)
MAX_ID = 2**31 - 1  # an integer column's range on PostgreSQL; larger ids cannot exist


@dataclass
class Recommended:
    instance_id: int
    district: str
    org_name: str
    credit_code: str
    categories: str
    contact_name: str
    contact_phone: str
    opinion: str
    recommended_at: object


def _locale():
    return str(get_locale())


def _text(value):
    """A value the applicant typed, as plain text (anything that is not text or a number is dropped)."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return ""
    return str(value).strip()


def _district_values():
    return {value for value, _label in labels.options("districts")}


def _summary_roles():
    if current_user.role not in ("district", "city"):
        abort(403)


def _chosen_district():
    """The district whose table the user sees: a district official's own; for the city, the one chosen."""
    if current_user.role == "district":
        return current_user.district
    chosen = request.args.get("district", "")
    return chosen if chosen in _district_values() else None


@dataclass(frozen=True)
class Summarized:
    """The process the table summarizes and its two steps, named by the diagram's properties
    `summaryApplication` (the task holding the application) and `summaryReview` (the district's
    recommendation, whose decision is approve)."""

    key: str
    application: str
    review: str


def _summarized():
    """The process whose diagram names a district summary; 404 when no process does."""
    for definition in engine.package.latest_versions():
        properties = engine.process_properties(definition)
        if properties.get("summaryReview") and properties.get("summaryApplication"):
            return Summarized(definition.key, properties["summaryApplication"], properties["summaryReview"])
    abort(404)


def _selection_rounds():
    return Round.query.filter_by(kind=_summarized().key).order_by(Round.id.desc()).all()


def _selection_round(round_id):
    if round_id > MAX_ID:
        abort(404)
    round_ = Round.query.filter_by(id=round_id, kind=_summarized().key).first()
    if round_ is None:
        abort(404)
    return round_


def _latest_completed(instance_ids, element_id):
    """{instance_id: the latest completed task of this element on each case}."""
    latest = {}
    if not instance_ids:
        return latest
    tasks = (HumanTask.query.filter(HumanTask.instance_id.in_(instance_ids), HumanTask.element_id == element_id,
                                    HumanTask.state == "completed")
             .order_by(HumanTask.completed_at, HumanTask.id))
    for task in tasks:
        latest[task.instance_id] = task
    return latest


def _categories(data):
    locale = _locale()
    main = data.get("category")
    main_label = labels.label("provider_categories", main, locale) if isinstance(main, str) else ""
    others = data.get("other_categories")
    others = [o for o in others if isinstance(o, str) and o != main] if isinstance(others, list) else []
    other_labels = _("、").join(labels.label("provider_categories", o, locale) for o in others)
    if main_label and other_labels:
        return _("%(main)s（其他类别：%(others)s）", main=main_label, others=other_labels)
    return main_label or other_labels


def recommended(round_, district=None):
    """The cases of this round the district recommended: the latest completed district review said approve.

    Scoped by the user first, so a district official never gets another district's case whatever is asked.
    """
    summarized = _summarized()
    query = scope.instances_query(current_user).filter(ProcessInstance.process_key == summarized.key,
                                                       ProcessInstance.round_id == round_.id)
    if district is not None:
        query = query.filter(ProcessInstance.district == district)
    cases = query.order_by(ProcessInstance.id).all()
    ids = [c.id for c in cases]
    reviews = _latest_completed(ids, summarized.review)
    applications = _latest_completed(ids, summarized.application)
    rows = []
    for case in cases:
        reader = engine.reader(current_user, case, ())  # an export reads what its reader may read, as pages do
        review = reviews.get(case.id)
        decision = (reader.submission(review) if review is not None else None) or {}
        if decision.get("decision") != "approve":
            continue
        submitted = applications.get(case.id)
        data = (reader.submission(submitted) if submitted is not None else None) or {}
        rows.append(Recommended(
            instance_id=case.id, district=case.district or "",
            org_name=_text(data.get("org_name")) or _text(case.subject),
            credit_code=_text(data.get("credit_code")), categories=_categories(data),
            contact_name=_text(data.get("contact_name")), contact_phone=_text(data.get("contact_phone")),
            opinion=_text(decision.get("opinion")) or _("推荐"), recommended_at=review.completed_at))
    return rows


def _documents(round_id, district):
    return (db.session.query(RoundDocument, Attachment.filename, Attachment.size)
            .join(Attachment, RoundDocument.attachment_id == Attachment.id)
            .filter(RoundDocument.round_id == round_id, RoundDocument.district == district)
            .order_by(RoundDocument.uploaded_at.desc(), RoundDocument.id.desc()).all())


def _render_summary(round_id=None, district=None, upload_error=None, status=200):
    rounds = _selection_rounds()
    round_ = next((r for r in rounds if r.id == round_id), None)
    rows, documents, by_district = [], [], []
    if round_ is not None and district is not None:
        rows = recommended(round_, district)
        documents = _documents(round_.id, district)
    elif round_ is not None and current_user.role == "city":
        counts = Counter(row.district for row in recommended(round_))
        stamped = Counter(d for (d,) in db.session.query(RoundDocument.district)
                          .filter(RoundDocument.round_id == round_.id))
        by_district = [(value, counts[value], stamped[value]) for value, _label in labels.options("districts")]
    return render_template("district/summary.html", rounds=rounds, round=round_, district=district, rows=rows,
                           documents=documents, by_district=by_district, upload_error=upload_error,
                           round_asked=request.args.get("round")), status


@bp.get("/summary")
@login_required
def summary():
    _summary_roles()
    asked = request.args.get("round", "")
    if asked:
        round_id = int(asked) if asked.isascii() and asked.isdigit() and len(asked) <= 10 else None
    else:
        latest = Round.query.filter_by(kind=_summarized().key).order_by(Round.id.desc()).first()
        round_id = latest.id if latest else None
    return _render_summary(round_id, _chosen_district())


def _cell_text(value):
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def workbook(round_, district, rows):
    """The table a district bureau prints, stamps and sends to the city."""
    district_label = labels.label("districts", district, _locale())
    headers = [_("序号"), _("单位名称"), _("统一社会信用代码"), _("申报类别"), _("所属区"), _("联系人"),
               _("联系电话"), _("推荐意见"), _("推荐日期")]
    book = Workbook()
    sheet = book.active
    sheet.title = _("推荐信息汇总表")[:31]
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="center")
    centered = Alignment(horizontal="center", vertical="center", wrap_text=True)

    def put(row, column, value, **style):
        cell = sheet.cell(row=row, column=column, value=_cell_text(value))
        if isinstance(value, str):
            cell.data_type = "s"  # what an applicant typed is text, never a formula
        for name, setting in style.items():
            setattr(cell, name, setting)
        return cell

    last = len(headers)
    put(1, 1, _("%(title)s 推荐信息汇总表（%(district)s）", title=round_.title, district=district_label),
        font=Font(bold=True, size=14), alignment=centered)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=last)
    sheet.row_dimensions[1].height = 32
    for column, header in enumerate(headers, 1):
        put(2, column, header, font=Font(bold=True), alignment=centered, border=border,
            fill=PatternFill("solid", fgColor="DDEBF7"))
    for number, item in enumerate(rows, 1):
        values = [number, item.org_name, item.credit_code, item.categories,
                  labels.label("districts", item.district, _locale()), item.contact_name, item.contact_phone,
                  item.opinion, localtime(item.recommended_at, "%Y-%m-%d")]
        for column, value in enumerate(values, 1):
            put(2 + number, column, value, border=border, alignment=centered if column in (1, 5, 9) else wrap)
    footer = len(rows) + 4
    put(footer, 1, _("%(district)s工业和信息化主管部门（盖章）    日期：", district=district_label), font=Font(size=12),
        alignment=Alignment(horizontal="right", vertical="center"))
    sheet.merge_cells(start_row=footer, start_column=1, end_row=footer, end_column=last)
    sheet.row_dimensions[footer].height = 40
    for index, width in enumerate(COLUMN_WIDTHS, 1):
        sheet.column_dimensions[sheet.cell(row=2, column=index).column_letter].width = width
    sheet.freeze_panes = "A3"
    sheet.print_title_rows = "2:2"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    output = BytesIO()
    book.save(output)
    output.seek(0)
    return output


@bp.get("/summary/<int:round_id>.xlsx")
@login_required
def export(round_id):
    _summary_roles()
    round_ = _selection_round(round_id)
    district = _chosen_district()
    if district is None:
        abort(404)
    district_label = labels.label("districts", district, _locale())
    return send_file(workbook(round_, district, recommended(round_, district)), as_attachment=True,
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     download_name=f"{_('推荐信息汇总表')}-{district_label}-{round_.id}.xlsx")


@bp.post("/summary/<int:round_id>/stamped")
@login_required
def upload_stamped(round_id):
    if current_user.role != "district":
        abort(403)
    round_ = _selection_round(round_id)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _render_summary(round_.id, current_user.district, _("请选择要上传的盖章件"), 422)
    limit = current_app.config["MAX_UPLOAD_BYTES"]
    content = upload.stream.read(limit + 1)
    try:
        content_type, digest = check(upload.filename, content, limit)
        if content_type not in STAMPED_TYPES:
            raise UploadRefused(_("盖章件只接受 PDF 或图片（PNG/JPEG）"))
    except UploadRefused as err:
        return _render_summary(round_.id, current_user.district, str(err), err.status)
    filename = upload.filename.replace("\\", "/").rsplit("/", 1)[-1][:255] or "stamped"
    attachment = Attachment(filename=filename, content_type=content_type, size=len(content), sha256=digest,
                            content=content, uploaded_by=current_user.id)
    db.session.add(attachment)
    db.session.flush()
    document = RoundDocument(round_id=round_.id, district=current_user.district, attachment_id=attachment.id,
                             uploaded_by=current_user.username)
    db.session.add(document)
    db.session.flush()
    audit.record("round_document", current_user.username, name=filename,
                 data={"round_id": round_.id, "district": current_user.district, "document_id": document.id,
                       "sha256": digest})
    db.session.commit()
    flash(_("盖章件已上传，市工业和信息化局可查看"), "success")
    return redirect(url_for("district.summary", round=round_.id))


@bp.get("/documents/<int:document_id>")
@login_required
def document(document_id):
    item = db.session.get(RoundDocument, document_id) if document_id <= MAX_ID else None
    if item is None or not (current_user.role == "city" or (
            current_user.role == "district" and item.district == current_user.district)):
        abort(404)
    attachment = db.session.get(Attachment, item.attachment_id)
    if attachment is None:
        abort(404)
    return send_file(BytesIO(attachment.content), mimetype=attachment.content_type, as_attachment=True,
                     download_name=attachment.filename)
