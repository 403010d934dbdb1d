"""Who may put a file into a form, and when a file becomes part of a case."""

from sqlalchemy import select, update

from ..extensions import db
from ..models import Attachment

_table = Attachment.__table__


def checker(user):
    """Only files the person uploaded themselves may go into a form (a system start: none).

    Plain statements on the session's connection: a completion runs these on every submission.
    """
    def ok(attachment_id):
        uploader = db.session.connection().execute(
            select(_table.c.uploaded_by).where(_table.c.id == attachment_id)).scalar()
        return user is not None and uploader is not None and uploader == user.id
    return ok


def link(ids, instance):
    """Files named in a submission belong to the case from then on (visible to whoever sees it)."""
    if ids:
        db.session.connection().execute(update(_table).where(_table.c.id.in_(ids), _table.c.instance_id.is_(None))
                                        .values(instance_id=instance.id))
