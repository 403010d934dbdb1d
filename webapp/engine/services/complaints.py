"""Complaints about providers in the pool (Art. 8 (四)): filing, and the city's verification.

The complaint's case belongs to the complainant (it follows its case) and to no district; the
subject is the provider complained about. How many verified complaints remove a provider is
the diagram's rule parameter; this module says when it is first reached.
"""

from ...extensions import db
from ...models import Complaint, Organization, PoolEntry, User
from .. import attachments as case_files
from .. import clock, receipts
from ..errors import NotAllowed, ValidationFailed

STATUS = {"verified": "verified", "unfounded": "unfounded"}


def register(ctx, provider_credit_code, content, attachments=None):
    """Check and store the complaint; the case is now about the provider (subject) and seen by no district."""
    user = User.query.filter_by(username=ctx.actor).first()
    if user is None or user.role != "applicant" or user.organization_id != ctx.instance.organization_id:
        raise NotAllowed("只有企业账号可以投诉服务商")

    given = {"provider_credit_code": provider_credit_code, "content": content}
    if attachments is not None:
        given["attachments"] = attachments
    clean, errors = ctx.form().validate(given, case_files.checker(user))
    if errors:
        raise ValidationFailed("投诉信息不完整", errors)
    provider = Organization.query.filter_by(credit_code=clean["provider_credit_code"]).first()
    if provider is not None and provider.id == user.organization_id:
        raise ValidationFailed("不能投诉本单位", {"provider_credit_code": ["不能投诉本单位"]})
    entry = PoolEntry.query.filter_by(organization_id=provider.id, removed_at=None).first() if provider else None
    if entry is None:
        raise ValidationFailed("被投诉单位不在服务商资源池中",
                               {"provider_credit_code": ["该单位不在服务商资源池中，无法投诉"]})
    complaint = Complaint(instance_id=ctx.instance.id, complainant_org_id=user.organization_id,
                          provider_org_id=provider.id, pool_entry_id=entry.id, content=clean["content"],
                          attachment_ids=clean["attachments"], filed_by=user.username, receipt=receipts.new("TS"))
    db.session.add(complaint)
    case_files.link(clean["attachments"], ctx.instance)
    ctx.instance.subject, ctx.instance.district = provider.name, None
    db.session.flush()
    return {"id": complaint.id, "receipt": complaint.receipt, "provider": provider.name,
            "provider_credit_code": provider.credit_code, "provider_org_id": provider.id,
            "content": complaint.content, "received_at": clock.now().isoformat()}


def complainant(ctx, complaint_id):
    """Who complained and how to reach them, for the verifier: the diagram declares who reads it (the
    complaint itself, which the provider answers, says nothing of them)."""
    complaint = Complaint.query.filter_by(id=complaint_id, instance_id=ctx.instance.id).one()
    org = db.session.get(Organization, complaint.complainant_org_id)
    person = User.query.filter_by(username=complaint.filed_by).first()
    return {"organization": org.name, "credit_code": org.credit_code, "person": person.display_name if person else None,
            "mobile": (person.mobile if person else None) or org.contact_phone,
            "email": (person.email if person else None) or org.contact_email, "contact_name": org.contact_name}


def record(ctx, complaint_id, decision, opinion, threshold):
    """Record the verification; how many complaints about this pool membership are verified, and whether
    this one is the first to reach `threshold` (the diagram's parameter), which starts the removal once."""
    complaint = Complaint.query.filter_by(id=complaint_id, instance_id=ctx.instance.id).one()
    if decision not in STATUS:
        raise ValidationFailed("核实结论无效", {"decision": [f"应为 {' / '.join(STATUS)}"]})
    # One verification per provider at a time, so the count that starts a removal is reached exactly once.
    Organization.query.filter_by(id=complaint.provider_org_id).with_for_update().one()
    complaint.status, complaint.decision, complaint.reason = STATUS[decision], decision, opinion
    complaint.decided_by, complaint.decided_at = ctx.actor, clock.now()
    db.session.flush()
    same = Complaint.query.filter_by(pool_entry_id=complaint.pool_entry_id)
    verified = [c.id for c in same.filter_by(status="verified").order_by(Complaint.id)]
    started = same.filter_by(started_removal=True).first() is not None
    complaint.started_removal = decision == "verified" and len(verified) >= threshold and not started
    return {"id": complaint.id, "decision": decision, "verified_count": len(verified), "verified_ids": verified,
            "starts_removal": complaint.started_removal}


OPERATIONS = {"complaints.register": register, "complaints.complainant": complainant, "complaints.record": record}
