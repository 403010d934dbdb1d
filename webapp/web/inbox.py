"""待办事项 and 已办事项: the official's inbox, claim and unclaim."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

from .. import engine, paging, scope
from ..extensions import db
from ..ids import parse_id
from ..models import HumanTask, ProcessInstance, Round, utcnow

bp = Blueprint("inbox", __name__, url_prefix="/inbox")


@bp.get("/")
@login_required
def todo():
    query = (scope.candidate_tasks(current_user)
             .filter((HumanTask.claimed_by.is_(None)) | (HumanTask.claimed_by == current_user.username)))
    args = request.args
    cases = []  # filters on the case: the join is made only when one is asked for, so counting stays cheap
    if args.get("process"):
        cases.append(ProcessInstance.process_key == args["process"])
    if parse_id(args.get("round")):
        cases.append(ProcessInstance.round_id == parse_id(args["round"]))
    if args.get("district"):
        cases.append(ProcessInstance.district == args["district"])
    if cases:
        query = query.join(ProcessInstance, HumanTask.instance_id == ProcessInstance.id).filter(*cases)
    if args.get("status") == "claimed":
        query = query.filter(HumanTask.claimed_by == current_user.username)
    elif args.get("status") == "unclaimed":
        query = query.filter(HumanTask.claimed_by.is_(None))
    elif args.get("status") == "overdue":
        query = query.filter(HumanTask.due_at < utcnow())
    order = HumanTask.due_at.desc() if args.get("sort") == "due_desc" else HumanTask.due_at.asc()
    page = paging.page_of(query.order_by(order.nulls_last(), HumanTask.id), paging.request_page(args)[0],
                          options=[joinedload(HumanTask.instance)])
    filters = {k: v for k, v in args.items() if k != "page" and v}
    return render_template("inbox/todo.html", tasks=page.items, page=page, filters=filters, now=utcnow(), args=args,
                           rounds=Round.query.order_by(Round.id.desc()).all())


@bp.get("/done")
@login_required
def done():
    query = HumanTask.query.filter_by(completed_by=current_user.username).order_by(HumanTask.completed_at.desc(),
                                                                                   HumanTask.id.desc())
    page = paging.page_of(query, paging.request_page(request.args)[0], options=[joinedload(HumanTask.instance)])
    return render_template("inbox/done.html", tasks=page.items, page=page)


@bp.post("/<int:task_id>/claim")
@login_required
def claim(task_id):
    engine.claim(task_id, current_user)
    db.session.commit()
    flash(_("已签收，他人将不能办理此任务"), "success")
    return redirect(request.referrer or url_for("inbox.todo"))


@bp.post("/<int:task_id>/unclaim")
@login_required
def unclaim(task_id):
    engine.claim(task_id, current_user, release=True)
    db.session.commit()
    flash(_("已退回签收"), "info")
    return redirect(request.referrer or url_for("inbox.todo"))
