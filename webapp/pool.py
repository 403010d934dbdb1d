"""The public resource pool (资源池名单): active providers, searchable by name, category, district, grade."""

from .models import PoolEntry


def active_entries(q=None, category=None, district=None, grade=None):
    query = PoolEntry.query.filter(PoolEntry.removed_at.is_(None)).order_by(PoolEntry.admitted_at.desc())
    if q:
        query = query.filter(PoolEntry.name.contains(q.strip()))
    if district:
        query = query.filter(PoolEntry.district == district)
    if grade:
        query = query.filter(PoolEntry.grade == grade)
    return [e for e in query if not category or category in e.categories]
