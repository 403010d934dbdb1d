"""Removal from the resource pool (Art. 8): who may start it, whether the provider is listed, the removal.

The grounds are data (forms/lists/delisting_grounds.yaml, through the delisting_start form); which of
them a provider may start itself arrives from the diagram. A removal marks the pool entry, it never
deletes it, so the provider's history stays and it may apply again in a later round.
"""

from ...extensions import db
from ...models import Organization, PoolEntry, User
from .. import attachments, clock
from ..errors import NotAllowed, ValidationFailed


def _active_entry(organization_id, lock=False):
    query = PoolEntry.query.filter_by(organization_id=organization_id, removed_at=None)
    return (query.with_for_update() if lock else query).first()


def check_start(ctx, ground, facts=None, evidence=None, provider_grounds=()):
    """Validate what the case started with and who started it; report whether the provider is listed.

    An applicant may only start the grounds in `provider_grounds` (voluntary exit) for its own
    organisation and must say why; an official or another process may start any ground.
    """
    org = db.session.get(Organization, ctx.instance.organization_id) if ctx.instance.organization_id else None
    if org is None:
        raise ValidationFailed("请指定要出库的服务商", {"organization": ["请填写服务商的统一社会信用代码"]})
    starter = User.query.filter_by(username=ctx.actor).first()
    given = {k: v for k, v in (("ground", ground), ("facts", facts), ("evidence", evidence)) if v not in (None, "")}
    form = ctx.form()
    clean, errors = form.validate(given, attachments.checker(starter))
    if errors:
        raise ValidationFailed("出库申请信息不完整", errors)
    if starter is not None and starter.role == "applicant":
        if starter.organization_id != org.id:
            raise NotAllowed("服务商只能为本单位申请退出资源池")
        if clean["ground"] not in provider_grounds:
            raise NotAllowed("服务商只能申请主动退出资源池（第八条（八））；其他情形由市工业和信息化局认定")
        if not clean["facts"]:
            raise ValidationFailed("请说明申请退出的原因", {"facts": ["请说明申请退出资源池的原因"]})
    attachments.link(clean["evidence"], ctx.instance)
    labels = {c.value: c.label for f in form.fields if f.name == "ground" for c in f.choices}
    # The item of Art. 8 the ground cites, as its list says, so the 公告 names it ("第八条（五）").
    article = next((e.get("article") for e in ctx.entries("delisting_grounds") or []
                    if isinstance(e, dict) and e.get("value") == clean["ground"]), None)
    entry = _active_entry(org.id)
    return {"in_pool": entry is not None, "provider": org.name, "credit_code": org.credit_code,
            "ground": clean["ground"], "ground_label": labels[clean["ground"]],
            "ground_article": article or "第八条", "started_by": starter.role if starter is not None else "system"}


def remove_from_pool(ctx, ground):
    """Mark the provider's active pool entry removed; {"removed": False} if another case removed it first."""
    entry = _active_entry(ctx.instance.organization_id, lock=True)
    if entry is None:
        return {"removed": False}
    entry.removed_at, entry.removal_ground = clock.now(), ground
    return {"removed": True, "entry_id": entry.id, "removed_at": entry.removed_at.isoformat()}


OPERATIONS = {"delisting.check": check_start, "delisting.remove": remove_from_pool}
