"""The city's page for annual calls (申报批次): list them and open a new one."""

from datetime import datetime, time

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired

from .. import labels, notice_lists, rounds
from ..engine import ValidationFailed
from ..extensions import db
from ..models import ProcessDefinition, Round
from . import CLOCK_ZONE

bp = Blueprint("rounds", __name__, url_prefix="/rounds")


class RoundForm(FlaskForm):
    kind = SelectField(_l("流程"), validators=[DataRequired(_l("此项为必填项"))])
    year = IntegerField(_l("年度"), validators=[DataRequired(_l("此项为必填项"))])
    title = StringField(_l("通知标题"), validators=[DataRequired(_l("此项为必填项"))])
    closes_on = DateField(_l("申报截止日期"), validators=[DataRequired(_l("此项为必填项"))])


@bp.route("/", methods=["GET", "POST"])
@login_required
def index():
    if current_user.role != "city":
        abort(403)
    form = RoundForm()
    kinds = sorted({d.key for d in ProcessDefinition.query.filter_by(needs_round=True)})
    form.kind.choices = [("", _("请选择"))] + [(k, labels.label("processes", k, str(get_locale()))) for k in kinds]
    if form.validate_on_submit():
        closes_at = datetime.combine(form.closes_on.data, time(23, 59, 59), CLOCK_ZONE)
        try:
            rounds.open_round(form.kind.data, form.year.data, form.title.data, closes_at, current_user.username)
        except ValidationFailed as err:
            for name, messages in err.errors.items():
                target = form.closes_on if name == "closes_at" else form[name]
                target.errors = list(target.errors) + messages
        else:
            db.session.commit()
            flash(_("申报批次已开启"), "success")
            return redirect(url_for("rounds.index"))
    return render_template("rounds.html", form=form, rounds=Round.query.order_by(Round.id.desc()).all(),
                           waiting=notice_lists.waiting_counts())
