"""The city's pages for annual calls (申报批次): list them, open one with its 申报通知 (text, templates to
download, opening and closing dates), edit, extend or close one early — each change audited and shown."""

from datetime import datetime, time

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Optional

from .. import labels, notice_lists, rounds
from ..engine import Conflict, ValidationFailed
from ..extensions import db
from ..ids import parse_id
from ..models import ProcessDefinition, Round, utcnow
from ..uploads import UploadRefused, store
from . import CLOCK_ZONE

bp = Blueprint("rounds", __name__, url_prefix="/rounds")


class CallForm(FlaskForm):
    """What a call says and when it runs: the same for opening a round and editing it."""

    title = StringField(_l("通知标题"), validators=[DataRequired(_l("此项为必填项"))])
    body = TextAreaField(_l("通知正文"), validators=[Optional()],
                         description=_l("申报条件、材料要求、报送方式等；每段一行，在首页和申报页面公开。"))
    opens_on = DateField(_l("申报开始日期"), validators=[Optional()], description=_l("不填为立即开始"))
    closes_on = DateField(_l("申报截止日期"), validators=[DataRequired(_l("此项为必填项"))],
                          description=_l("截止日 23:59:59（北京时间）"))


class RoundForm(CallForm):
    kind = SelectField(_l("流程"), validators=[DataRequired(_l("此项为必填项"))])
    year = IntegerField(_l("年度"), validators=[DataRequired(_l("此项为必填项"))])


class CloseForm(FlaskForm):
    reason = TextAreaField(_l("提前截止原因"), validators=[DataRequired(_l("请填写提前截止的原因"))])


def _city():
    if current_user.role != "city":
        abort(403)


def _times(form):
    """(opens_at, closes_at) of the form's dates in China time: from the start of the opening day (now when
    it is today or left out), to the end of the closing day."""
    opens = form.opens_on.data
    opens_at = datetime.combine(opens, time(0, 0), CLOCK_ZONE) if opens else None
    if opens_at is not None and opens_at <= utcnow():
        opens_at = None
    return opens_at, datetime.combine(form.closes_on.data, time(23, 59, 59), CLOCK_ZONE)


def _uploaded():
    """The templates chosen in the form's file input, stored; (ids, errors)."""
    ids, errors = [], []
    for upload in request.files.getlist("attachments"):
        if upload and upload.filename:
            try:
                ids.append(store(upload, current_user.id, current_app.config["MAX_UPLOAD_BYTES"]).id)
            except UploadRefused as err:
                errors.append(f"{upload.filename}：{err}")
    return ids, errors


def _show_errors(form, err):
    for name, messages in err.errors.items():
        target = {"closes_at": form.closes_on, "opens_at": form.opens_on}.get(name) or getattr(form, name, None)
        if target is None:
            flash("；".join(messages), "danger")
        else:
            target.errors = list(target.errors) + messages


@bp.route("/", methods=["GET", "POST"])
@login_required
def index():
    _city()
    form = RoundForm()
    kinds = sorted({d.key for d in ProcessDefinition.query.filter_by(needs_round=True)})
    form.kind.choices = [("", _("请选择"))] + [(k, labels.label("processes", k, str(get_locale()))) for k in kinds]
    if form.validate_on_submit():
        opens_at, closes_at = _times(form)
        ids, refused = _uploaded()
        try:
            if refused:
                raise ValidationFailed("附件有误", {"attachments": refused})
            rounds.open_round(form.kind.data, form.year.data, form.title.data, closes_at, current_user,
                              opens_at=opens_at, body=form.body.data, attachments=ids)
        except ValidationFailed as err:
            db.session.rollback()
            _show_errors(form, err)
        else:
            db.session.commit()
            flash(_("申报批次已开启"), "success")
            return redirect(url_for("rounds.index"))
    return render_template("rounds.html", form=form, rounds=Round.query.order_by(Round.id.desc()).all(),
                           waiting=notice_lists.waiting_counts(), now=utcnow())


def _round(round_id):
    return db.session.get(Round, round_id) or abort(404)


@bp.route("/<int:round_id>/edit", methods=["GET", "POST"])
@login_required
def edit(round_id):
    """Edit the call, move its dates (extend it), add or remove templates; its history below."""
    _city()
    round_ = _round(round_id)
    form = CallForm(obj=round_) if request.method == "GET" else CallForm()
    if request.method == "GET":
        form.opens_on.data = round_.opens_at.astimezone(CLOCK_ZONE).date()
        form.closes_on.data = round_.closes_at.astimezone(CLOCK_ZONE).date()
    if form.validate_on_submit():
        opens_at, closes_at = _times(form)
        opened = round_.opens_at <= utcnow()
        if form.opens_on.data == round_.opens_at.astimezone(CLOCK_ZONE).date() or (opened and not form.opens_on.data):
            opens_at = round_.opens_at  # the day it opens (or opened) unchanged
        if form.closes_on.data == round_.closes_at.astimezone(CLOCK_ZONE).date():
            closes_at = round_.closes_at
        removed = {parse_id(i) for i in request.form.getlist("remove")}
        kept = [i for i in round_.attachment_ids or () if i not in removed]
        ids, refused = _uploaded()
        try:
            if refused:
                raise ValidationFailed("附件有误", {"attachments": refused})
            rounds.change_round(round_, current_user, title=form.title.data, body=form.body.data,
                                opens_at=opens_at or utcnow(), closes_at=closes_at, attachments=kept + ids)
        except (ValidationFailed, Conflict) as err:
            db.session.rollback()
            if isinstance(err, Conflict):
                flash(str(err), "danger")
            else:
                _show_errors(form, err)
        else:
            db.session.commit()
            flash(_("申报批次已保存"), "success")
            return redirect(url_for("rounds.edit", round_id=round_.id))
    return render_template("rounds/edit.html", round=round_, form=form, close_form=CloseForm(),
                           files=rounds.attachments(round_), history=rounds.history(round_), now=utcnow())


@bp.post("/<int:round_id>/close")
@login_required
def close(round_id):
    _city()
    round_ = _round(round_id)
    form = CloseForm()
    try:
        if not form.validate_on_submit():
            raise ValidationFailed("请填写提前截止的原因", {"reason": [_("请填写提前截止的原因")]})
        rounds.close_round(round_, current_user, form.reason.data)
    except (ValidationFailed, Conflict) as err:
        db.session.rollback()
        flash(str(err), "danger")
    else:
        db.session.commit()
        flash(_("申报批次已提前截止"), "success")
    return redirect(url_for("rounds.edit", round_id=round_.id))
