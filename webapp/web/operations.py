"""The task operations from the pages (转办 委派 抄送 催办 撤回 暂存), 抄送我的, and the 站内信 page.

Each is a POST with its CSRF token; a refusal (another district, a task that has moved on) is rolled back
and said in a message on the page it came from, never an error page."""

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict

from .. import engine, paging, people, scope
from ..extensions import db
from ..models import HumanTask, User

bp = Blueprint("operations", __name__)
ops = engine.operations


def _back(default):
    target = request.form.get("next") or ""
    return redirect(target if target.startswith("/") and not target.startswith("//") else default)


def _operate(step, done, default):
    """Run one operation and commit it; its refusal flashed instead (and everything of it rolled back)."""
    try:
        step()
    except engine.EngineError as err:
        db.session.rollback()
        details = "；".join(m for messages in (getattr(err, "errors", None) or {}).values() for m in messages)
        flash(f"{err}{'：' + details if details else ''}", "danger")
        return _back(default)
    db.session.commit()
    flash(done, "success")
    return _back(default)


# What a page says when a task operation (engine.operations.ON_TASK) is done, and where it goes unless the
# form names its page (`next`): the inbox, or the task itself when it is the person's again.
DONE = {
    "transfer": (_l("已转办"), "inbox.todo"),
    "delegate": (_l("已委派，对方办理后将交回您确认"), "inbox.todo"),
    "cc": (_l("已抄送"), "operations.copies"),
    "urge": (_l("已催办"), "inbox.todo"),
    "replace-expert": (_l("已更换评审专家"), "inbox.todo"),
    "add-expert": (_l("已增加评审专家"), "inbox.todo"),
    "remove-expert": (_l("已减少评审专家"), "inbox.todo"),
    "take-back": (_l("已拿回，可重新办理"), "cases.handle"),
}


def _task_operation(name, step, arguments):
    done, page = DONE[name]

    def view(task_id):
        values = [request.form.getlist(a[:-2]) if a.endswith("[]") else request.form.get(a) for a in arguments]
        default = url_for(page, task_id=task_id) if page == "cases.handle" else url_for(page)
        return _operate(lambda: step(task_id, current_user, *values), str(done), default)
    bp.add_url_rule(f"/tasks/<int:task_id>/{name}", endpoint=name.replace("-", "_"), methods=["POST"],
                    view_func=login_required(view))


for _name, (_step, _arguments) in ops.ON_TASK.items():
    _task_operation(_name, _step, _arguments)


@bp.post("/tasks/<int:task_id>/draw")
@login_required
def draw_experts(task_id):
    return _operate(lambda: ops.draw_experts(task_id, current_user), _("已随机抽取专家，请核对后提交"),
                    url_for("cases.handle", task_id=task_id))


@bp.post("/cases/<int:instance_id>/withdraw")
@login_required
def withdraw(instance_id):
    return _operate(lambda: ops.withdraw(instance_id, current_user, request.form.get("reason")),
                    _("申请已撤回"), url_for("cases.mine"))


@bp.post("/tasks/<int:task_id>/draft")
@login_required
def autosave(task_id):
    """The form's autosave (taskform.js): what is typed so far, files left out; JSON for the script."""
    formdata = MultiDict((k, v) for k, v in request.form.items(multi=True) if k != "csrf_token")
    try:
        draft = ops.keep_draft(task_id, current_user, formdata)
    except engine.EngineError as err:
        db.session.rollback()
        return jsonify({"error": str(err)}), err.status
    db.session.commit()
    return jsonify({"saved_at": draft.saved_at.isoformat()})


@bp.get("/inbox/cc")
@login_required
def copies():
    """抄送我的."""
    page = paging.page_of(ops.copies_of(current_user), paging.request_page(request.args)[0])
    people.preload([c.sent_by for c in page.items])  # the senders by office and name, in one query
    return render_template("inbox/copies.html", copies=page.items, page=page)


@bp.get("/notifications")
@login_required
def notifications():
    page = paging.page_of(engine.notifications.of_user(current_user.username), paging.request_page(request.args)[0])
    return render_template("notifications.html", items=page.items, page=page)


@bp.post("/notifications/<int:notification_id>/open")
@login_required
def open_notification(notification_id):
    """Mark it read and go to what it is about: the task when it is still open to the reader (or when the
    reader does not follow its case: a provider's answer to a complaint), else the case."""
    item = engine.notifications.of_user(current_user.username).filter_by(id=notification_id).first_or_404()
    engine.notifications.mark_read(current_user.username, item.id)
    db.session.commit()
    task = db.session.get(HumanTask, item.task_id) if item.task_id else None
    if task is not None and (task.state == "open" or not scope.can_see_instance(current_user, task.instance)):
        return redirect(url_for("cases.handle", task_id=task.id))
    if item.instance_id:
        return redirect(url_for("cases.case", instance_id=item.instance_id))
    return redirect(url_for("operations.notifications"))


@bp.post("/notifications/read")
@login_required
def read_all():
    engine.notifications.mark_read(current_user.username)
    db.session.commit()
    return redirect(url_for("operations.notifications"))


def colleagues(task):
    """Whom the current user may hand the task to (转办/委派): the others of its role and scope."""
    query = User.query.filter(User.active.is_(True), User.role == task.role, User.username != current_user.username)
    if task.role == "district":
        query = query.filter(User.district == task.district)
    return query.order_by(User.username).all() if task.role in ops.HANDOVER_ROLES else []


def officials():
    """Whom a copy may go to (抄送)."""
    return (User.query.filter(User.active.is_(True), User.role.in_(ops.COPY_ROLES),
                              User.username != current_user.username).order_by(User.role, User.username).all())
