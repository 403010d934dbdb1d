"""The append-only audit trail; every engine action writes here in the same transaction."""

from sqlalchemy import insert

from ..extensions import db
from ..models import AuditEvent

_INSERT = insert(AuditEvent.__table__)  # built once: building it costs as much as running it


def record(action, actor, instance_id=None, element_id=None, name=None, data=None):
    """A plain INSERT, run at once: an event is never read back or changed in its step, so an ORM
    object to track and flush would only cost time (a completion writes two or three)."""
    db.session.connection().execute(_INSERT, dict(
        action=action, actor=actor, instance_id=instance_id, element_id=element_id, name=name, data=data))
