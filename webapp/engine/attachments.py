"""Who may put a file into a form, and when a file becomes part of a case."""

from sqlalchemy import bindparam, select, update

from ..extensions import db
from ..models import Attachment

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
    """Files named in a submission belong to the case from then on (visible to whoever sees it)."""
    if ids:
        db.session.connection().execute(_LINK, {"ids": list(ids), "case_id": instance.id})
