"""The city's page for a round's list (拟入库名单): read the notice as it will be published — its text from
the owner's template, the units with category, district and credit code, the period as dates — then
publish it as one notice."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from .. import notice_lists
from ..documents import texts
from ..extensions import db
from ..models import Notice, Round

bp = Blueprint("round_lists", __name__, url_prefix="/rounds")


@bp.route("/<int:round_id>/list", methods=["GET", "POST"])
@login_required
def show(round_id):
    if current_user.role not in ("city", "owner"):
        abort(403)
    round_ = db.session.get(Round, round_id) or abort(404)
    form = FlaskForm()
    if form.validate_on_submit():
        if current_user.role != "city":
            abort(403)
        notice = notice_lists.publish(round_, current_user)
        db.session.commit()
        flash(_("拟入库名单公示已发布"), "success")
        return redirect(url_for("public.notice", notice_id=notice.id))
    entries = notice_lists.waiting(round_.id)
    draft = notice_lists.draft(round_, entries) if entries else None
    published = Notice.query.filter_by(round_id=round_.id).order_by(Notice.id).all()
    return render_template("rounds/list.html", round=round_, draft=draft, units=notice_lists.unit_rows(entries),
                           published=published, form=form, paragraphs=texts.paragraphs)
