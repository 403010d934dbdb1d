"""Starting a case from a page, for processes whose diagram names a start form (property `startForm`):
a complaint by an enterprise, a removal by the city, a provider's own voluntary exit.
With `startAbout` = pool, an official picks the provider from the pool; an enterprise acts for itself.
"""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict

from .. import complaints, engine, pool
from ..models import Organization
from .cases import run_step, store_uploads

bp = Blueprint("start", __name__, url_prefix="/start")


@bp.route("/<process_key>", methods=["GET", "POST"])
@login_required
def start(process_key):
    definition = engine.latest_definition(process_key, required=False)
    form_key = engine.process_properties(definition).get("startForm") if definition else None
    if form_key is None:
        abort(404)
    if not engine.can_start(process_key, current_user):
        abort(403)
    about_pool = engine.process_properties(definition).get("startAbout") == "pool" and current_user.role != "applicant"
    providers = pool.active_entries() if about_pool else []
    definition_form = engine.package.library(definition).form(form_key)
    locale = str(get_locale())
    errors = {}
    chosen = request.values.get("organization", "")
    if request.method == "POST":
        formdata = MultiDict(request.form)
        errors = store_uploads(definition_form, formdata)
        formdata.pop("organization", None)
        form, clean, form_errors = definition_form.bind(formdata, engine.attachment_checker(current_user), locale)
        errors.update(form_errors)
        organization = Organization.query.filter_by(credit_code=chosen).first() if about_pool else None
        if about_pool and organization is None:
            errors["organization"] = [_("请选择服务商")]
        if not errors:
            instance, errors = run_step(lambda: engine.start(process_key, current_user, None, clean, organization))
            if not errors:
                receipt = complaints.receipt_of(instance.id)
                flash(_("投诉已受理，受理编号 %(receipt)s，请妥善保存，凭编号查询办理结果。", receipt=receipt)
                      if receipt else _("已提交"), "success")
                return redirect(url_for("cases.case", instance_id=instance.id))
    else:
        form = definition_form.wtform_class(locale)(data=request.args.to_dict())
    return render_template("start.html", definition=definition, form=form, form_definition=definition_form,
                           errors=errors, providers=providers, chosen=chosen)
