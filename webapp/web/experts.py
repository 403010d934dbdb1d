"""专家库: the city keeps each expert's unit, district, fields and declared relations, which the 回避
checks and the random draw read (engine/experts.py). Accounts themselves are the system administrator's."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import Length, Optional, ValidationError

from .. import labels
from ..extensions import db
from ..formkit.credit_code import is_valid
from ..models import User

bp = Blueprint("experts", __name__, url_prefix="/experts")


def _codes(form, field):
    bad = [code for code in _lines(field.data) if not is_valid(code)]
    if bad:
        raise ValidationError(_("统一社会信用代码无效：%(codes)s", codes="、".join(bad)))


def _lines(text):
    return [line.strip().upper() for line in (text or "").splitlines() if line.strip()]


class ExpertForm(FlaskForm):
    unit = StringField(_l("工作单位"), validators=[Optional(), Length(max=200)])
    district = SelectField(_l("所在区"), validators=[Optional()])
    expertise = SelectMultipleField(_l("专业领域"), validators=[Optional()])
    related_codes = TextAreaField(_l("声明存在关联的单位（统一社会信用代码，每行一个）"),
                                  validators=[Optional(), _codes])


def _city_only():
    if current_user.role != "city":
        abort(403)


@bp.get("/")
@login_required
def index():
    _city_only()
    experts = User.query.filter_by(role="expert").order_by(User.username).all()
    return render_template("experts/index.html", experts=experts)


@bp.route("/<username>", methods=["GET", "POST"])
@login_required
def edit(username):
    _city_only()
    expert = User.query.filter_by(role="expert", username=username).first_or_404()
    locale = str(get_locale())
    form = ExpertForm(data={"unit": expert.unit, "district": expert.district, "expertise": expert.expertise or [],
                            "related_codes": "\n".join(expert.related_codes or [])})
    form.district.choices = [("", _("请选择"))] + labels.options("districts", locale)
    form.expertise.choices = labels.options("provider_categories", locale)
    if form.validate_on_submit():
        expert.unit = (form.unit.data or "").strip() or None
        expert.district = form.district.data or None
        expert.expertise = form.expertise.data
        expert.related_codes = _lines(form.related_codes.data)
        db.session.commit()
        flash(_("已保存专家信息"), "success")
        return redirect(url_for("experts.index"))
    return render_template("experts/edit.html", form=form, expert=expert)
