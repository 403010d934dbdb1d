"""The append-only audit trail; every engine action writes here in the same transaction."""

from ..extensions import db
from ..models import AuditEvent


def record(action, actor, instance_id=None, element_id=None, name=None, data=None):
    db.session.add(AuditEvent(action=action, actor=actor, instance_id=instance_id,
                              element_id=element_id, name=name, data=data))
