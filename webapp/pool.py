"""The public resource pool (资源池名单): active providers, searchable by name, category, district, grade."""

from sqlalchemy import String, cast

from .models import PoolEntry


def active_query(q=None, category=None, district=None, grade=None):
    query = PoolEntry.query.filter(PoolEntry.removed_at.is_(None)).order_by(PoolEntry.admitted_at.desc(),
                                                                          PoolEntry.id.desc())
    if q:
        query = query.filter(PoolEntry.name.contains(q.strip()))
    if category:  # categories is a JSON list of codes; its text holds each code in quotes
        query = query.filter(cast(PoolEntry.categories, String).contains(f'"{category}"'))
    if district:
        query = query.filter(PoolEntry.district == district)
    if grade:
        query = query.filter(PoolEntry.grade == grade)
    return query


def active_entries(q=None, category=None, district=None, grade=None):
    return active_query(q, category, district, grade).all()
