"""A round's list (拟入库名单, Art. 6 (三)): each case the city lists joins its round's list here, then
waits until the city publishes the whole list as one notice (webapp/notice_lists.py)."""

from ...extensions import db
from ...models import NoticeEntry, Organization


def enlist(ctx, period, template, message, categories):
    """Put the case's organisation on its round's list; `message` is what the case then waits for."""
    instance = ctx.instance
    if instance.round_id is None:
        raise ValueError("案件不属于任何申报批次，无法列入批次名单")
    if ctx.entries(template) is None:
        raise ValueError(f"规则包中没有公示模板 {template}")
    org = db.session.get(Organization, instance.organization_id)
    entry = NoticeEntry(round_id=instance.round_id, instance_id=instance.id, name=org.name,
                        credit_code=org.credit_code, district=org.district, categories=list(categories),
                        period=period, template=template, message=message)
    db.session.add(entry)
    db.session.flush()
    return {"entry_id": entry.id}


OPERATIONS = {"notice.enlist": enlist}
