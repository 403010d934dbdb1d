"""A task's form: its definition, what it holds when it opens, and the values bound to the account.

The page and the API open a form with the same values (the API's `value` of each field): first the
case organisation's own attributes where a field names one (`from_account`), then the earlier
submission of the same step by the same party — the applicant's own application after 退回补正, an
official's own earlier review — and last the person's own 暂存 draft of this task (after 委派, the
delegate's values handed back). Never another person's: a reviewer's form never holds another
reviewer's values, so the expert who scores second starts from an empty sheet.
"""

from ..extensions import db
from ..models import HumanTask, Organization, User
from . import task_drafts
from .package import library


def form_for(task):
    """The task's form in its case's own version, with run-time choices (the active expert accounts)."""
    form = library(task.instance.definition).form(task.form_key)
    if any(f.name == "experts" for f in form.fields):
        experts = User.query.filter_by(role="expert", active=True).order_by(User.username)
        form = form.with_choices("experts", [{"value": u.username, "label": u.display_name} for u in experts])
    return form


def account_of(instance) -> dict:
    """The case organisation's own attributes, as forms name them (ACCOUNT_ATTRIBUTES); {} without one."""
    org = db.session.get(Organization, instance.organization_id) if instance.organization_id else None
    if org is None:
        return {}
    return {"name": org.name, "credit_code": org.credit_code, "district": org.district,
            "contact_name": org.contact_name, "contact_phone": org.contact_phone,
            "contact_email": org.contact_email}


def opening_values(task, user) -> dict:
    """JSON values the task's form opens with (see the module's docstring); read-only ones always the account's."""
    definition = form_for(task)
    account = account_of(task.instance)
    values = definition.bound_values(account)
    earlier = _own_earlier_submission(task, user)
    if earlier is not None:
        values.update({k: v for k, v in (earlier.data or {}).items() if v not in (None, "", [])})
    draft = task_drafts.of(task, user.username)
    if draft is not None:
        values.update(draft.data)
    values.update({f.name: account.get(f.from_account) for f in definition.fields if f.readonly})
    return values


def _own_earlier_submission(task, user):
    """The latest completion of the task's step on its case by the same party: for an applicant's step,
    the organisation (whose case it is); for anyone else, the same person."""
    query = HumanTask.query.filter_by(instance_id=task.instance_id, element_id=task.element_id, state="completed")
    if task.role == "applicant":
        query = query.filter(HumanTask.organization_id == task.organization_id)
    else:
        query = query.filter(HumanTask.completed_by == user.username)
    return query.order_by(HumanTask.completed_at.desc(), HumanTask.id.desc()).first()


def checked_submission(task, definition, data, attachment_ok):
    """(clean, errors) of a completion: read-only fields left out take the account's values; a different
    value for one is an error, like any other field's."""
    if not any(f.readonly for f in definition.fields):
        return definition.validate(data, attachment_ok)  # nothing bound: no need to read the organisation
    account = account_of(task.instance)
    clean, errors = definition.validate(definition.fill_bound(data, account), attachment_ok)
    if not errors:
        errors = definition.bound_errors(clean, account)
    return (clean, {}) if not errors else ({}, errors)
