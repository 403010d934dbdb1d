"""The append-only audit trail; every engine action writes here in the same transaction."""

from sqlalchemy import insert

from ..extensions import db
from ..models import AuditEvent

# The actor of what the diagram does by itself (gateways, services, timers, the end), shown as 系统: not
# the person whose step set it off, who has an entry of their own. No account may be named so.
SYSTEM = "system"
_INSERT = insert(AuditEvent.__table__)  # built once: building it costs as much as running it


def event(action, actor, instance_id=None, element_id=None, name=None, data=None):
    """One entry, to be written with others of its step in one statement (write)."""
    return {"action": action, "actor": actor, "instance_id": instance_id, "element_id": element_id,
            "name": name, "data": data}


def write(events):
    """Entries as one plain INSERT, run at once (a migration reads its snapshot entry straight back):
    entries are never changed, so ORM objects to track and flush would only cost time."""
    if events:
        db.session.connection().execute(_INSERT, events)


def record(action, actor, instance_id=None, element_id=None, name=None, data=None):
    write([event(action, actor, instance_id, element_id, name, data)])
