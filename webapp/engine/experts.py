"""专家库 and 回避: which experts may review a case, and the random draw (随机抽取) of them.

An expert must stand aside (回避) from a case of their own unit, of an organisation they declared a
relation to, and — when the package's parameter `avoid_same_district` is 1 — of their own district. The
draw picks the package's `experts_min` from those eligible with a recorded seed, so anyone can repeat it
from the history: random.Random(seed).sample(eligible, n) over the eligible names in sorted order.
"""

import random
import secrets

from sqlalchemy import select

from ..extensions import db
from ..models import Organization, User
from . import audit, task_drafts
from .errors import Conflict, NotAllowed, ValidationFailed
from .package import params_of

FIELD = "experts"  # the assignment forms' field of expert user names


def reasons(expert, instance, params):
    """Why `expert` must stand aside from the case (empty when they need not)."""
    org = db.session.get(Organization, instance.organization_id) if instance.organization_id else None
    found = []
    if org is not None and expert.unit and expert.unit.strip() == org.name:
        found.append("同一单位")
    if org is not None and org.credit_code in (expert.related_codes or ()):
        found.append("已声明存在关联")
    if params.get("avoid_same_district", 0) and expert.district and expert.district == instance.district:
        found.append("与申报单位同区")
    return found


def _experts():
    return db.session.scalars(select(User).where(User.role == "expert", User.active.is_(True))
                              .order_by(User.username)).all()


def eligible(instance):
    params = params_of(instance.definition)
    return [e for e in _experts() if not reasons(e, instance, params)]


def check(instance, usernames):
    """ValidationFailed naming each chosen expert who must stand aside."""
    params = params_of(instance.definition)
    chosen = {e.username: e for e in _experts() if e.username in set(usernames or ())}
    problems = [f"{e.display_name}（{e.username}）须回避：{'、'.join(reasons(e, instance, params))}"
                for e in chosen.values() if reasons(e, instance, params)]
    if problems:
        raise ValidationFailed("所选专家须回避", {FIELD: problems})


def draw(task, user, form):
    """随机抽取 for an open assignment task the user may complete: the drawn names become their draft of
    it (to check and submit), the seed and the eligible names go into the history."""
    if task.state != "open":
        raise Conflict("任务已办结")
    if FIELD not in form.field_names():
        raise NotAllowed("此任务不指派专家")
    instance = task.instance
    count = params_of(instance.definition).get("experts_min", 1)
    pool = sorted(e.username for e in eligible(instance))
    if len(pool) < count:
        raise Conflict(f"可抽取的专家只有 {len(pool)} 名，少于须抽取的 {count} 名")
    seed = secrets.randbits(63)
    drawn = sorted(random.Random(seed).sample(pool, count))
    draft = task_drafts.of(task, user.username)
    task_drafts.save(task, user.username, {**(draft.data if draft else {}), FIELD: drawn})
    audit.record("draw", user.username, instance.id, element_id=task.element_id, name=task.name,
                 data={"seed": seed, "eligible": pool, "count": count, "drawn": drawn})
    return drawn, seed
