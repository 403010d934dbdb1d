"""The task operations officials know from every Chinese approval system: 转办, 委派 (and its 交回), 抄送,
催办, 撤回, 拿回, 加签/减签/换人 of experts and 暂存. Each is checked by role and scope, recorded in the case's
history (actor, time, comment) and told to whoever it concerns, in the caller's transaction.

Raises NotFound (not visible), NotAllowed (visible, not theirs to do), Conflict (the task or case has
moved on), ValidationFailed (a wrong addressee), TooSoon (催办 again within the interval).
"""

from datetime import timedelta

from flask import current_app

from .. import scope
from ..extensions import db
from ..models import AuditEvent, CarbonCopy, HumanTask, Notification, User
from . import attachments, audit, clock, experts, forms, notifications, rows, task_drafts
from .errors import Conflict, EngineError, NotAllowed, NotFound, ValidationFailed
from .package import params_of
from .runtime import (
    add_instance,
    deliver_message,
    lock_instance,
    offers_message,
    reassign,
    remove_instance,
    step_properties,
    take_back,
    visible_task,
)

HANDOVER_ROLES = ("district", "city")  # whose tasks may be handed to a colleague (an expert's may not)
COPY_ROLES = ("district", "city", "owner")  # who may receive a 抄送


class TooSoon(EngineError):
    status = 429


def _comment(text):
    return (text or "").strip()[:2000] if isinstance(text, str) else ""


def _colleague(task, username, user):
    """The active account `username` that could hold `task` (same role and scope), else ValidationFailed."""
    target = User.query.filter_by(username=username, active=True).first() if isinstance(username, str) else None
    if target is None or target.username == user.username or target.role != task.role or (
            task.role == "district" and target.district != task.district):
        raise ValidationFailed("接收人不能办理此任务", {"to": ["须为同一角色、同一辖区的其他在岗人员"]})
    return target


def _held_by(task_id, user):
    """The open task the user may act on (holds it or may claim it)."""
    task = visible_task(task_id, user)
    if task.state != "open":
        raise Conflict("任务已办结")
    if not scope.is_candidate(user, task) or task.claimed_by not in (None, user.username):
        raise NotAllowed("您不能办理此任务")
    if task.role not in HANDOVER_ROLES:
        raise NotAllowed("此任务不能转交他人")
    return task


def _hand(task, user, target, delegated_by):
    if not rows.hand_task(task.id, user.username, target.username, delegated_by):
        raise Conflict("任务已被他人签收或办结")
    db.session.refresh(task)


def _record(action, user, task, **data):
    audit.record(action, user.username, task.instance_id, element_id=task.element_id, name=task.name, data=data)


def _hand_over(task_id, user, to, comment, action):
    task = _held_by(task_id, user)
    delegating = action == "delegate"
    if delegating and task.delegated_by:
        raise Conflict("任务已在委派中")
    target = _colleague(task, to, user)
    _hand(task, user, target, user.username if delegating else None)
    _record(action, user, task, to=target.username, comment=_comment(comment))
    notifications.notify([target.username], action, task.instance, task, actor=user.display_name,
                         comment=_comment(comment))
    return task


def transfer(task_id, user, to, comment=None):
    """转办: the task becomes `to`'s for good."""
    return _hand_over(task_id, user, to, comment, "transfer")


def delegate(task_id, user, to, comment=None):
    """委派: `to` fills the task in; their completion hands it back to the user (runtime.complete: resolve)."""
    return _hand_over(task_id, user, to, comment, "delegate")


def cc(task_id, user, to, comment=None):
    """抄送: a read-only copy of the task's case for other officials."""
    task = visible_task(task_id, user)
    if not (scope.is_candidate(user, task) or user.role == "city"):
        raise NotAllowed("您不能抄送此任务")
    names = sorted({n for n in to if isinstance(n, str)}) if isinstance(to, list) else []
    targets = User.query.filter(User.username.in_(names), User.active.is_(True), User.role.in_(COPY_ROLES),
                                User.username != user.username).all()
    if not names or len(targets) != len(names):
        raise ValidationFailed("抄送对象有误", {"to": ["须为其他在岗的工作人员"]})
    already = {c.username for c in CarbonCopy.query.filter_by(task_id=task.id)}
    for target in targets:
        if target.username not in already:
            db.session.add(CarbonCopy(instance_id=task.instance_id, task_id=task.id, username=target.username,
                                      sent_by=user.username, comment=_comment(comment), at=clock.now()))
    db.session.flush()
    _record("cc", user, task, to=names, comment=_comment(comment))
    notifications.notify(names, "cc", task.instance, task, actor=user.display_name, comment=_comment(comment))
    return task


def copies_of(user):
    """抄送我的: the copies sent to the user, newest first."""
    return CarbonCopy.query.filter_by(username=user.username).order_by(CarbonCopy.id.desc())


def mark_copies_read(user, instance_id):
    CarbonCopy.query.filter_by(username=user.username, instance_id=instance_id, read_at=None).update(
        {CarbonCopy.read_at: clock.now()}, synchronize_session=False)


def urge(task_id, user, message=None):
    """催办: the city, or a district for its own district's cases, reminds whoever holds an open task."""
    task = visible_task(task_id, user)
    if not may_urge(task.instance, user):
        raise NotAllowed("您不能催办此任务")
    if task.state != "open":
        raise Conflict("任务已办结")
    interval = timedelta(minutes=current_app.config["URGE_INTERVAL_MINUTES"])
    if Notification.query.filter(Notification.kind == "urge", Notification.task_id == task.id,
                                 Notification.at > clock.now() - interval).first():
        raise TooSoon("此任务刚催办过，请稍后再催")
    holders = [task.claimed_by] if task.claimed_by else notifications.task_holders(task)
    _record("urge", user, task, to=holders, comment=_comment(message))
    notifications.notify(holders, "urge", task.instance, task, actor=user.display_name, comment=_comment(message))
    return task


WITHDRAW = "withdraw"  # the message 撤回 sends; a step offers it by a boundary event for it (the diagram says where)


def _official_step(instance):
    """A step of the case an official (anyone but the applicant) has completed, if any."""
    return HumanTask.query.filter(HumanTask.instance_id == instance.id, HumanTask.state == "completed",
                                  HumanTask.role != "applicant").first()


def may_withdraw(instance, user):
    return (user.role == "applicant" and instance.organization_id == user.organization_id
            and instance.status == "running" and offers_message(instance, WITHDRAW)
            and _official_step(instance) is None)


def may_urge(instance, user):
    return user.role == "city" or (user.role == "district" and instance.district == user.district)


def withdraw(instance_id, user, reason=None):
    """撤回: the applicant ends their own case where its diagram offers it (a boundary event for the message
    `withdraw` on the step the case is at, leading to an end that says how it ends), and only until an
    official has completed a step of it."""
    instance = lock_instance(instance_id)
    if not scope.can_see_instance(user, instance):
        raise NotFound("案件不存在")
    if user.role != "applicant" or instance.organization_id != user.organization_id:
        raise NotAllowed("只有申请单位可以撤回申请")
    if instance.status != "running":
        raise Conflict("案件已结束")
    acted = _official_step(instance)
    if acted is not None:
        raise Conflict(f"「{acted.name}」已办理，申请不能再撤回")
    if not offers_message(instance, WITHDRAW):
        raise Conflict("案件当前环节不能撤回")
    open_tasks, _timers = rows.open_rows(instance.id)
    holders = [name for t in HumanTask.query.filter(HumanTask.id.in_(list(open_tasks.values())))
               if t.role != "applicant" for name in notifications.task_holders(t)]
    deliver_message(instance.id, WITHDRAW, {"reason": _comment(reason)}, user.username,
                    audit.event("withdraw", user.username, instance.id, name=instance.definition.name,
                                data={"reason": _comment(reason)}))
    notifications.notify(holders, "withdraw", instance, None, actor=user.display_name, comment=_comment(reason))
    return instance


def keep_draft(task_id, user, values):
    """A holder's 暂存 of an open task (nothing checked but that it is theirs to fill in)."""
    task = visible_task(task_id, user)
    if task.state != "open":
        raise Conflict("任务已办结")
    if not scope.is_candidate(user, task):
        raise NotAllowed("您不能办理此任务")
    if not isinstance(values, dict):
        raise ValidationFailed("暂存内容须为对象", {"data": ["须为 JSON 对象"]})
    return task_drafts.save(task, user.username, forms.form_for(task).draft(values, attachments.checker(user)))


def draw_experts(task_id, user):
    """随机抽取 on an assignment task the user may complete: (drawn names, seed); see experts.draw."""
    task = visible_task(task_id, user)
    if not scope.is_candidate(user, task):
        raise NotAllowed("您不能办理此任务")
    return experts.draw(task, user, forms.form_for(task))


def _open_review(task_id, user):
    """(task, case) of an open expert review whose reviewers the city changes."""
    if user.role != "city":
        raise NotAllowed("只有市级主管部门可以调整评审专家")
    task = visible_task(task_id, user)
    if task.state != "open":
        raise Conflict("任务已办结")
    if task.role != "expert":
        raise NotAllowed("只有专家评审任务可以调整专家")
    return task, lock_instance(task.instance_id)


def _expert_review(task_id, user, to):
    """(task, case, expert) for a change of reviewers by the city: an open expert review, and an active expert
    who neither reviews this case already nor must stand aside from it."""
    task, instance = _open_review(task_id, user)
    target = User.query.filter_by(username=to, role="expert", active=True).first() if isinstance(to, str) else None
    reviewing = HumanTask.query.filter(HumanTask.instance_id == instance.id, HumanTask.element_id == task.element_id,
                                       HumanTask.assignee == to, HumanTask.state.in_(("open", "completed"))).first()
    if target is None or reviewing is not None:
        raise ValidationFailed("不能指派该专家", {"to": ["须为在岗且未参加本案评审的专家"]})
    experts.check(instance, [target.username])
    return task, instance, target


def replace_expert(task_id, user, to, comment=None):
    """换人 (减签 and 加签 at once): the city gives an open expert review to another eligible expert; the old
    one's task is gone from their inbox, and the average counts whoever really scored."""
    task, instance, target = _expert_review(task_id, user, to)
    old = task.assignee
    reassign(task, instance, target.username, user.username, _comment(comment))
    notifications.notify([target.username], "task", instance, task)
    notifications.notify([old], "reassigned", instance, task, actor=user.display_name)
    return task


def add_expert(task_id, user, to, comment=None):
    """加签: one more expert reviews the case (`task_id`: any open review of it); the average counts them too."""
    task, instance, target = _expert_review(task_id, user, to)
    add_instance(task, instance, target.username, user.username, _comment(comment))
    added = HumanTask.query.filter_by(instance_id=instance.id, element_id=task.element_id, state="open",
                                      assignee=target.username).one()
    notifications.notify([target.username], "task", instance, added)
    return added


def remove_expert(task_id, user, comment=None):
    """减签: the city withdraws an open expert review without a replacement (the expert is told); the average
    counts who scored. The step keeps at least the rule package's `experts_min` reviewers."""
    task, instance = _open_review(task_id, user)
    remove_instance(task, instance, user.username, _comment(comment),
                    params_of(instance.definition).get("experts_min", 1))
    notifications.notify([task.assignee], "removed", instance, task, actor=user.display_name)
    return task


def replacements(instance, open_tasks, user):
    """{task id: experts it may go to} of a case's open expert reviews, for the city's 换人 form."""
    reviews = [t for t in open_tasks if t.role == "expert"]
    if user.role != "city" or not reviews:
        return {}
    busy = {t.assignee for t in HumanTask.query.filter(HumanTask.instance_id == instance.id, HumanTask.role == "expert",
                                                       HumanTask.state.in_(("open", "completed")))}
    free = [e for e in experts.eligible(instance) if e.username not in busy]
    return {t.id: free for t in reviews}


def _after(task):
    """What the case did after `task` was completed: (the tasks it opened, whether anything else happened —
    a service call of that very step such as a published notice, another completion, a timer, a message)."""
    own = (AuditEvent.query.filter_by(instance_id=task.instance_id, action="complete", element_id=task.element_id,
                                      actor=task.completed_by).order_by(AuditEvent.id.desc()).first())
    later = AuditEvent.query.filter(
        AuditEvent.instance_id == task.instance_id,
        ((AuditEvent.action == "service") & (AuditEvent.at >= task.completed_at))
        | ((AuditEvent.id > (own.id if own else 0))
           & AuditEvent.action.in_(("complete", "timer", "message", "countersign", "end", "take_back"))))
    opened = HumanTask.query.filter(HumanTask.instance_id == task.instance_id, HumanTask.state == "open").all()
    return opened, later.first() is not None


def may_take_back(task, user):
    """Whether `user` may take back their completed step: an official's whose step does not say
    takeBack False, while the case has done nothing since but open the next steps, and none of those has
    been opened or claimed by its holder."""
    if task.state != "completed" or task.completed_by != user.username or task.role not in HANDOVER_ROLES:
        return False
    if (step_properties(task).get("takeBack") or "").strip() == "False":  # the diagram rules it out for this step
        return False
    if task.instance.status != "running":
        return False
    opened, moved_on = _after(task)
    return not moved_on and bool(opened) and all(t.opened_at is None and t.claimed_by is None for t in opened)


def take_back_step(task_id, user, reason=None):
    """拿回 (see may_take_back); the next steps' holders are told their task was withdrawn."""
    task = visible_task(task_id, user)
    instance = lock_instance(task.instance_id)
    if not may_take_back(task, user):
        raise Conflict("下一环节已开始办理，不能拿回")
    opened, _moved_on = _after(task)
    holders = [name for t in opened for name in notifications.task_holders(t)]
    take_back(task, instance, user.username)
    notifications.notify([n for n in holders if n != user.username], "taken_back", instance, task,
                         actor=user.display_name, comment=_comment(reason))
    return task


def mark_opened(task, user):
    """The holder has opened the task: the step before can no longer be taken back."""
    if task.state == "open" and task.opened_at is None and scope.is_candidate(user, task):
        HumanTask.query.filter_by(id=task.id, opened_at=None).update({HumanTask.opened_at: clock.now()},
                                                                    synchronize_session=False)


# The operations on one task as the pages and the API offer them: {name in the URL: (function, what it takes
# after the task and the person, in order)}; "to[]" is a list (抄送 goes to several people).
ON_TASK = {
    "transfer": (transfer, ("to", "comment")),
    "delegate": (delegate, ("to", "comment")),
    "cc": (cc, ("to[]", "comment")),
    "urge": (urge, ("message",)),
    "replace-expert": (replace_expert, ("to", "comment")),
    "add-expert": (add_expert, ("to", "comment")),
    "remove-expert": (remove_expert, ("comment",)),
    "take-back": (take_back_step, ("reason",)),
}
