"""Who a round starts cases for, by the process's `startsFor` property (e.g. grading: every pool member)."""

from ..extensions import db
from ..models import Center, Organization, PoolEntry


def pool_members():
    entries = PoolEntry.query.filter(PoolEntry.removed_at.is_(None)).order_by(PoolEntry.id)
    return [db.session.get(Organization, e.organization_id) for e in entries]


def center_leads():
    """The lead units of the active municipal promotion centers (one case each for a self-assessment)."""
    centers = Center.query.filter(Center.status == "active").order_by(Center.id)
    ids = list(dict.fromkeys(c.organization_id for c in centers))
    return [db.session.get(Organization, i) for i in ids]


POPULATIONS = {"pool": pool_members, "centers": center_leads}
