"""Who may put a file into a form, when a file becomes part of a case, and who may download it."""

from sqlalchemy import bindparam, select, update

from .. import scope
from ..extensions import db
from ..models import Attachment, HumanTask, ProcessInstance

_table = Attachment.__table__
# Plain statements built once (a completion runs both on every submission; see rows.py).
_UPLOADER = select(_table.c.uploaded_by, _table.c.instance_id).where(_table.c.id == bindparam("attachment_id"))
_LINK = (update(_table).where(_table.c.id.in_(bindparam("ids", expanding=True)), _table.c.instance_id.is_(None))
         .values(instance_id=bindparam("case_id")))


def checker(user, instance_id=None):
    """Only files the person uploaded themselves may go into a form (a system start: none), or files that
    are already the case's own (`instance_id`: a delegate's attachment the delegator completes with)."""
    def ok(attachment_id):
        row = db.session.connection().execute(_UPLOADER, {"attachment_id": attachment_id}).first()
        return user is not None and row is not None and (
            row.uploaded_by == user.id or (instance_id is not None and row.instance_id == instance_id))
    return ok


def link(ids, instance):
    """Files named in a submission belong to the case from then on (downloaded by whoever may read it: readable)."""
    if ids:
        db.session.connection().execute(_LINK, {"ids": list(ids), "case_id": instance.id})


def ids_in(value):
    """Every number a form's values hold (file fields hold attachment ids, also inside tables)."""
    if isinstance(value, dict):
        return set().union(*map(ids_in, value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*map(ids_in, value)) if value else set()
    if isinstance(value, str) and value.isdigit():
        return {int(value)}
    return {value} if isinstance(value, int) and not isinstance(value, bool) else set()


def readable(user, attachment):
    """Whether the person may download a file: their own upload, or one held by what they may read of its
    case (a submission or case data its version discloses to them) — seeing the case is not enough."""
    from . import disclosure
    if attachment.uploaded_by == user.id:
        return True
    instance = attachment.instance_id and scope.instances_query(user).filter(
        ProcessInstance.id == attachment.instance_id).first()
    if not instance:
        return False
    reader = disclosure.reader(user, instance)
    done = HumanTask.query.filter_by(instance_id=instance.id, state="completed")
    return attachment.id in ids_in([reader.data(instance.data or {}), *(reader.submission(t) for t in done)])
