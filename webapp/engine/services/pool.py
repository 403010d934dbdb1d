"""The resource pool (资源池): admission."""

from sqlalchemy import and_, bindparam, exists, insert, select

from ...extensions import db
from ...models import Organization, PoolEntry
from .. import clock, rows

# Plain statements, built once (see engine/rows.py): a 10 000-timer admission day runs them 10 000 times.
_pool, _orgs = PoolEntry.__table__, Organization.__table__
_CANDIDATE = select(_orgs.c.id, _orgs.c.name, _orgs.c.credit_code, _orgs.c.district, exists().where(
    and_(_pool.c.organization_id == _orgs.c.id, _pool.c.removed_at.is_(None))).label("in_pool")).where(
    _orgs.c.id == bindparam("org_id"))
_ADMIT = insert(_pool).returning(_pool.c.id, _pool.c.admitted_at)


def admit_to_pool(ctx, categories):
    """Admit the case's organisation: {"admitted": True, "id", "admitted_at"}, or {"admitted": False} when it
    is in the pool already (admitted through another round's case): the diagram decides what follows."""
    org = db.session.connection().execute(_CANDIDATE, {"org_id": ctx.instance.organization_id}).one()
    if org.in_pool:
        return {"admitted": False}
    entry = db.session.connection().execute(_ADMIT, {
        "organization_id": org.id, "instance_id": ctx.instance.id, "name": org.name, "credit_code": org.credit_code,
        "categories": list(categories), "district": org.district}).one()
    rows.close_notices(ctx.instance.id, clock.now())  # the 公示 ends with the admission
    return {"admitted": True, "id": entry.id, "admitted_at": entry.admitted_at.isoformat()}


OPERATIONS = {"pool.admit": admit_to_pool}
