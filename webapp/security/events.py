"""Security events in the audit trail: who, what, the result and the source address (等保 2.0 8.1.4.3)."""

from sqlalchemy import insert

from ..extensions import db
from ..models import AuditEvent
from .proxies import client_ip

_INSERT = insert(AuditEvent.__table__)


def record(action, actor, result="success", data=None, commit=False):
    """One entry; the actor is cut to its column (an 81-character username must still be audited)."""
    actor = actor[:80] if isinstance(actor, str) else None
    db.session.execute(_INSERT, {"action": action, "actor": actor, "result": result, "source_ip": client_ip(),
                                 "data": data, "instance_id": None, "element_id": None, "name": None})
    if commit:
        db.session.commit()
