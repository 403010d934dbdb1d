"""Following a complaint by its 受理编号 (engine/receipts.py), as an objection is followed: the page and
the API ask here."""

from .engine import NotFound, receipts
from .extensions import db
from .models import Complaint, Organization


def by_receipt(receipt):
    """The complaint a 受理编号 names, or NotFound."""
    found = receipts.find(Complaint, receipt)
    if found is None:
        raise NotFound("没有该受理编号的投诉")
    return found


def status(complaint):
    """What the complainant may learn: received, being verified, or the finding with its reason, and
    which provider it concerns (nothing about who complained)."""
    provider = db.session.get(Organization, complaint.provider_org_id)
    return receipts.status(complaint, complaint.status, complaint.reason, provider=provider.name)


def receipt_of(instance_id):
    """The 受理编号 of the complaint a case registered, if it is a complaint's case."""
    return db.session.query(Complaint.receipt).filter_by(instance_id=instance_id).scalar()
