"""Cases as people see them: 我的申请, starting an application, the case page, handling a task."""

from io import BytesIO
from types import SimpleNamespace

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func
from werkzeug.datastructures import MultiDict

from .. import complaints, engine, labels, people, scope
from ..extensions import db
from ..formkit.definition import localized
from ..ids import parse_id
from ..models import Attachment, AuditEvent, HumanTask, PoolEntry, ProcessInstance, Round, RuleChange, Timer, utcnow
from ..uploads import UploadRefused, store
from . import error_page, operations, progress
from .start_links import start_links

bp = Blueprint("cases", __name__)


def visible_case(instance_id):
    instance = scope.instances_query(current_user).filter(ProcessInstance.id == instance_id).first()
    if instance is None:
        abort(404)
    return instance


def submissions(instance, reader):
    """Each form submitted on the case that the person may read, latest first, with its definition for
    labels; the form the case was started with (the diagram's startForm: a removal's ground, facts and
    evidence) comes last."""
    done = (HumanTask.query.filter_by(instance_id=instance.id, state="completed")
            .order_by(HumanTask.completed_at.desc()).all())
    shown = []
    for task in done:
        data = reader.submission(task) if task.form_key else None
        if data is not None:
            shown.append((_shown(instance, task.name, task.form_key, task.element_id, task.completed_by,
                                 task.completed_at, data), engine.form_for(task)))
    start_form = engine.process_properties(instance.definition).get("startForm")
    started = AuditEvent.query.filter_by(instance_id=instance.id, action="start").first()
    data = reader.data((started.data or {}).get("data")) if start_form and started else None
    if data and reader.started(started.actor):  # who complained is not the provider's (nor the owner's) to read
        definition = engine.package.library(instance.definition).form(start_form)
        shown.append((_shown(instance, definition.title, start_form, None, started.actor, started.at, data),
                      definition))
    return shown


def _shown(instance, name, form_key, element_id, completed_by, completed_at, data):
    return SimpleNamespace(instance=instance, name=name, form_key=form_key, element_id=element_id,
                           completed_by=completed_by, completed_at=completed_at, data=data)


def rule_change(instance):
    """The rule change a case decides (a rule_change case), for those who review rule changes."""
    if current_user.role not in ("city", "owner"):
        return None
    return RuleChange.query.filter_by(instance_id=instance.id).first()


def attachment_names(ids):
    rows = Attachment.query.filter(Attachment.id.in_(ids)).all() if ids else []
    return {a.id: a.filename for a in rows}


def _ids_in(submitted):
    return [i for task, definition in submitted for i in definition.attachment_ids(task.data)]


def _form_of(task):
    """The task's form in its case's version (for its words; engine.form_for adds run-time choices)."""
    return engine.package.library(task.instance.definition).form(task.form_key)


@bp.app_template_global()
def task_title(task):
    """The task's name; in English, its form's English title (the BPMN names steps in Chinese only)."""
    if getattr(task, "form_key", None) and str(get_locale()) == "en":
        return localized(task.name, _form_of(task).title_en, "en")
    return task.name


@bp.app_template_global()
def decision_of(task):
    """The words the task's form offered for the decision it recorded (for 已办事项)."""
    value = (task.data or {}).get("decision")
    return _decision_labels([task])(task.element_id, value) if task.form_key and value else ""


@bp.get("/my")
@login_required
def mine():
    cases = scope.instances_query(current_user).order_by(ProcessInstance.id.desc()).all()
    ours = {c.id for c in cases}
    candidates = scope.candidate_tasks(current_user).order_by(HumanTask.id).all()
    open_tasks = {t.instance_id: t for t in candidates if t.instance_id in ours}
    # steps other organisations' cases ask of this one (a complaint's answer), open and lately done
    asked = [t for t in candidates if t.instance_id not in ours]
    answered = (HumanTask.query.join(ProcessInstance, HumanTask.instance_id == ProcessInstance.id)
                .filter(HumanTask.completed_by == current_user.username, HumanTask.state == "completed",
                        ProcessInstance.organization_id.is_distinct_from(current_user.organization_id))
                .order_by(HumanTask.completed_at.desc()).limit(10).all())
    applied = {c.round_id for c in cases if c.round_id and c.outcome != "not_recommended"}
    open_rounds = [r for r in Round.query.order_by(Round.closes_at).all()
                   if r.is_open() and engine.can_start(r.kind, current_user)]
    membership = PoolEntry.query.filter_by(organization_id=current_user.organization_id, removed_at=None).first()
    return render_template("cases/mine.html", cases=cases, open_tasks=open_tasks, asked=asked, answered=answered,
                           rounds=[r for r in open_rounds if r.id not in applied],
                           applied_rounds=[r for r in open_rounds if r.id in applied],
                           bars={c.id: progress.of(c) for c in cases}, membership=membership,
                           start_links=[s for s in start_links(current_user, membership is not None)
                                        if not s.about_pool])


@bp.post("/my/start")
@login_required
def start():
    round_id = parse_id(request.form.get("round_id"))
    round_ = db.session.get(Round, round_id) if round_id else None
    if round_ is None:
        flash(_("请选择申报批次"), "danger")
        return redirect(url_for("cases.mine"))
    try:
        instance = engine.start(round_.kind, current_user, round_.id)
    except (engine.Conflict, engine.ValidationFailed, engine.NotAllowed) as err:
        db.session.rollback()
        flash(str(err), "danger")  # already applied in this round, the round closed meanwhile…
        return redirect(url_for("cases.mine"))
    db.session.commit()
    task = scope.candidate_tasks(current_user).filter(HumanTask.instance_id == instance.id).first()
    flash(_("已创建，请填写：%(name)s", name=task_title(task) if task else ""), "success")
    if task is None:
        return redirect(url_for("cases.case", instance_id=instance.id))
    return redirect(url_for("cases.handle", task_id=task.id))


@bp.get("/cases")
@login_required
def overview():
    if current_user.role not in ("city", "owner", "district"):
        abort(403)
    query = scope.instances_query(current_user)
    if request.args.get("process"):
        query = query.filter(ProcessInstance.process_key == request.args["process"])
    if request.args.get("district"):
        query = query.filter(ProcessInstance.district == request.args["district"])
    cases = query.order_by(ProcessInstance.id.desc()).limit(500).all()
    waiting = {}
    for task in HumanTask.query.filter(HumanTask.state == "open",
                                       HumanTask.instance_id.in_([c.id for c in cases])):
        waiting.setdefault(task.instance_id, []).append(task_title(task))
    by_stage = (scope.instances_query(current_user)
                .with_entities(ProcessInstance.district, ProcessInstance.status, func.count())
                .group_by(ProcessInstance.district, ProcessInstance.status).all())
    return render_template("cases/overview.html", cases=cases, waiting=waiting, by_stage=by_stage)


@bp.get("/cases/<int:instance_id>")
@login_required
def case(instance_id):
    instance = visible_case(instance_id)
    tasks = HumanTask.query.filter_by(instance_id=instance.id).all()
    open_tasks = [t for t in tasks if t.state == "open"]
    reader = engine.reader(current_user, instance, {t.element_id for t in open_tasks})
    submitted = submissions(instance, reader)
    history = reader.history()
    people.preload(_named_in(history, tasks))
    engine.operations.mark_copies_read(current_user, instance.id)
    db.session.commit()
    ops = engine.operations
    timers = Timer.query.filter_by(instance_id=instance.id, fired_at=None).all()
    steps = progress.of(instance, open_tasks, timers)
    # An applicant reads the step bar; the diagram is a click away (officials see both).
    folded = steps is not None and current_user.role == "applicant" and request.args.get("diagram") != "1"
    return render_template("cases/case.html", instance=instance, submitted=submitted, history=history,
                           progress=steps, diagram_folded=folded,
                           change=rule_change(instance), may_withdraw=ops.may_withdraw(instance, current_user),
                           may_urge=instance.status == "running" and ops.may_urge(instance, current_user),
                           replacements=ops.replacements(instance, open_tasks, current_user),
                           take_back=[t for t in tasks if t.completed_by == current_user.username
                                      and ops.may_take_back(t, current_user)],
                           open_tasks=open_tasks, assignee=reader.assignee,
                           waiting_timers=timers,
                           decision_label=_decision_labels(tasks), field_type=_field_types(tasks),
                           step_name=_step_names(instance, tasks),
                           step_role={t.element_id: t.role for t in tasks},
                           receipt=complaints.receipt_of(instance.id),
                           files=attachment_names(_ids_in(submitted)))


def _named_in(history, tasks):
    """Every account a case page names: who did each step, from whom and to whom it went, who holds a task."""
    names = {e["actor"] for e in history}
    for e in history:
        for key in ("to", "from"):
            who = e["data"].get(key) if isinstance(e["data"], dict) else None
            names |= {who} if isinstance(who, str) else set(who) if isinstance(who, list) else set()
    return names | {t.completed_by for t in tasks} | {t.assignee for t in tasks}


def _step_names(instance, tasks):
    """step_name(name) for the history: a message by the step it moved; in English, a task's form title and
    the process's English name (the BPMN names its elements in Chinese only)."""
    words = dict(engine.message_steps(instance.definition))
    if str(get_locale()) == "en":
        words = {task.name: task_title(task) for task in tasks}
        if any(value == instance.process_key for value, _label in labels.options("processes")):
            words[instance.definition.name] = labels.label("processes", instance.process_key, "en")
    return lambda name: words.get(name, name or "")


def _decision_labels(tasks):
    """decision_label(element_id, value) for the history: the words the form offered for that choice."""
    words, locale = {}, str(get_locale())
    for task in tasks:
        if task.form_key:
            for field in _form_of(task).fields:
                if field.name == "decision":
                    for choice in field.choices or ():
                        words[(task.element_id, choice.value)] = localized(choice.label, choice.label_en, locale)
    return lambda element_id, value: words.get((element_id, value), value)


def _field_types(tasks):
    """field_type(element_id, name) for the history: the type of the field its step's form gave a value
    (how the number is written: 2000, 2,000.00)."""
    types = {(t.element_id, f.name): f.type for t in tasks if t.form_key for f in _form_of(t).fields}
    return lambda element_id, name: types.get((element_id, name), "decimal")


@bp.get("/cases/<int:instance_id>/diagram.xml")
@login_required
def diagram(instance_id):
    return Response(visible_case(instance_id).definition.bpmn_xml, mimetype="application/xml")


@bp.get("/files/<int:attachment_id>")
@login_required
def download(attachment_id):
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or not engine.attachments.readable(current_user, attachment):
        abort(404)
    return send_file(BytesIO(attachment.content), mimetype=attachment.content_type, as_attachment=True,
                     download_name=attachment.filename)


def store_uploads(definition, formdata):
    """Save files chosen in the page's file inputs and put their ids where the form expects them.

    The files are committed at once, on their own: whatever happens to the step after, the person
    need not choose them again, and a refused step never commits anything of its own."""
    limit = current_app.config["MAX_UPLOAD_BYTES"]
    errors = {}
    for spec in definition.fields:
        if spec.type not in ("file", "files"):
            continue
        chosen = [f for f in request.files.getlist(spec.name) if f and f.filename]
        kept = [v for v in formdata.getlist(spec.name) if v not in formdata.getlist(f"_remove_{spec.name}")]
        new_ids = []
        for upload in chosen:
            try:
                new_ids.append(str(store(upload, current_user.id, limit).id))
            except UploadRefused as err:
                errors[spec.name] = [str(err)]
        formdata.setlist(spec.name, (new_ids[-1:] or kept[:1]) if spec.type == "file" else kept + new_ids)
    db.session.commit()
    return errors


def _without_blank_rows(definition, formdata):
    """Table rows the person left empty are not rows; the page always offers one blank row."""
    for table in (f for f in definition.fields if f.type == "table"):
        prefix = f"{table.name}-"
        rows = sorted({int(k[len(prefix):].split("-", 1)[0]) for k in formdata
                       if k.startswith(prefix) and k[len(prefix):].split("-", 1)[0].isdigit()})
        kept = [r for r in rows if any(formdata.get(f"{prefix}{r}-{c.name}", "").strip() for c in table.columns)]
        values = {k: formdata.getlist(k) for k in list(formdata) if k.startswith(prefix)}
        for key in values:
            formdata.poplist(key)
        for new_index, old_index in enumerate(kept):
            for column in table.columns:
                old = f"{prefix}{old_index}-{column.name}"
                if old in values:
                    formdata.setlist(f"{prefix}{new_index}-{column.name}", values[old])
    return formdata


def run_step(step):
    """Run one engine step for a page and commit it; (result, errors) — a refused step is rolled back
    whole, its reasons returned to show beside the form (the files stored before it stay)."""
    try:
        result = step()
    except engine.ValidationFailed as err:
        db.session.rollback()
        return None, dict(err.errors)
    db.session.commit()
    return result, {}


@bp.route("/tasks/<int:task_id>", methods=["GET", "POST"])
@login_required
def handle(task_id):
    task = engine.visible_task(task_id, current_user)
    follows = scope.can_see_instance(current_user, task.instance)
    if task.state != "open" and follows:
        flash(_("该任务已办结"), "info")
        return redirect(url_for("cases.case", instance_id=task.instance_id))
    # a closed task on a case one does not follow (a provider's answer to a complaint): shown read-only
    if request.method == "GET":
        engine.operations.mark_opened(task, current_user)
        db.session.commit()
    votes = (task.data or {}).get("votes", [])  # a 会签 task's signatures so far
    actionable = scope.is_candidate(current_user, task) and current_user.username not in {v["by"] for v in votes}
    definition = engine.form_for(task)
    locale = str(get_locale())
    form_class = definition.wtform_class(locale)
    errors = {}
    extra_rows = 1
    if request.method == "POST":
        if not actionable:
            return error_page(403)
        formdata = MultiDict(request.form)
        errors = store_uploads(definition, formdata)
        _without_blank_rows(definition, formdata)
        if "_add_row" in formdata:
            form = form_class(formdata=formdata)
            extra_rows = 2
        elif "_save_draft" in formdata:
            engine.operations.keep_draft(task_id, current_user, formdata)
            db.session.commit()
            flash(_("已暂存，下次打开时继续填写"), "success")
            return redirect(url_for("cases.handle", task_id=task_id))
        else:
            allowed = engine.attachment_checker(current_user, task.instance_id)
            form, clean, form_errors = definition.bind(formdata, allowed, locale)
            errors.update(form_errors)
            if not errors:
                errors = run_step(lambda: engine.complete(task_id, current_user, clean))[1]
                if not errors:
                    flash(_("已提交：%(name)s", name=task_title(task)), "success")
                    return redirect(url_for("cases.mine" if current_user.role == "applicant" else "inbox.todo"))
            flash(_("请按提示修改后再提交"), "danger")
    else:
        form = form_class(data=definition.form_data(engine.opening_values(task, current_user)))
    for table in (f for f in definition.fields if f.type == "table"):
        for _i in range(extra_rows if len(form[table.name].entries) else max(extra_rows, 1)):
            form[table.name].append_entry()
    instance = task.instance
    reader = engine.reader(current_user, instance)
    submitted = submissions(instance, reader)
    current_ids = definition.attachment_ids(form.data)
    return render_template("cases/handle.html", task=task, instance=instance, form=form, definition=definition,
                           change=rule_change(instance), colleagues=operations.colleagues(task) if actionable else [],
                           officials=operations.officials() if actionable or current_user.role == "city" else [],
                           draft=engine.task_drafts.of(task, current_user.username) if actionable else None,
                           now=utcnow(), draws=actionable and engine.experts.FIELD in definition.field_names(),
                           errors=errors, actionable=actionable, submitted=submitted, votes=votes,
                           follows=follows,
                           decision_label=_decision_labels([task]),
                           context=reader.data(engine.task_context(task)),
                           files=attachment_names(_ids_in(submitted) + current_ids))
