"""受理编号: the number an objector or a complainant follows their matter by, without an account.

One shape for every kind of matter: a prefix naming the kind, the day it came in (China time) and
eight characters no one can guess, e.g. YY-20260505-K7Q4M2XP (异议) or TS-20260505-3HX9QW2M (投诉)."""

import secrets

from . import clock

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud over the phone
LENGTH = 20  # the receipt columns' width


def new(prefix):
    day = clock.local(clock.now()).strftime("%Y%m%d")
    return f"{prefix}-{day}-" + "".join(secrets.choice(ALPHABET) for _ in range(8))


def normalized(text):
    """A receipt as typed (spaces, lower case) in the form it is stored in."""
    return str(text or "").strip().upper()[:LENGTH]


def find(model, receipt):
    """The row of `model` (an objection, a complaint) that the 受理编号 names, or None."""
    return model.query.filter_by(receipt=normalized(receipt)).first()


def status(row, state, outcome, **about):
    """What the holder of a receipt may learn of its matter: received, being handled, or the finding
    (`state` pending until then, `outcome` the finding's opinion), and what it is about."""
    return {"receipt": row.receipt, "status": state, "received_at": row.created_at.isoformat(),
            "decided_at": row.decided_at.isoformat() if row.decided_at else None,
            "outcome": outcome if state != "pending" else None, **about}
