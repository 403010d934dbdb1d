"""Who may put a file into a form, and when a file becomes part of a case."""

from ..extensions import db
from ..models import Attachment


def checker(user):
    """Only files the person uploaded themselves may go into a form (a system start: none)."""
    def ok(attachment_id):
        att = db.session.get(Attachment, attachment_id)
        return user is not None and att is not None and att.uploaded_by == user.id
    return ok


def link(ids, instance):
    """Files named in a submission belong to the case from then on (visible to whoever sees it)."""
    if ids:
        Attachment.query.filter(Attachment.id.in_(ids), Attachment.instance_id.is_(None)).update(
            {"instance_id": instance.id}, synchronize_session=False)
