"""The resource pool (资源池): admission."""

from ...extensions import db
from ...models import Organization, PoolEntry
from .. import clock, rows
from ..errors import Conflict


def admit_to_pool(ctx, categories):
    org = db.session.get(Organization, ctx.instance.organization_id)
    if db.session.query(PoolEntry.id).filter_by(organization_id=org.id, removed_at=None).first():
        raise Conflict(f"{org.name} 已在资源池中")
    entry = PoolEntry(organization_id=org.id, instance_id=ctx.instance.id, name=org.name,
                      credit_code=org.credit_code, categories=list(categories), district=org.district)
    db.session.add(entry)
    db.session.flush()
    rows.close_notices(ctx.instance.id, clock.now())  # the 公示 ends with the admission
    return {"id": entry.id, "admitted_at": entry.admitted_at.isoformat()}


OPERATIONS = {"pool.admit": admit_to_pool}
