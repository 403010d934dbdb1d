"""Who a round starts cases for, by the process's `startsFor` property (e.g. grading: every pool member)."""

from ..extensions import db
from ..models import Organization, PoolEntry


def pool_members():
    entries = PoolEntry.query.filter(PoolEntry.removed_at.is_(None)).order_by(PoolEntry.id)
    return [db.session.get(Organization, e.organization_id) for e in entries]


POPULATIONS = {"pool": pool_members}
