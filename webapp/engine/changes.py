"""Four eyes on every rule change (Art. 16): a package a process owner deploys waits, in a `rule_change`
case, for a city official, who approves it (it is deployed then, as the author's, approved by the
approver) or returns it with an opinion. The author may not approve their own change. With
RULE_CHANGE_APPROVAL = False (development) a change deploys at once.
"""

from flask import current_app

from ..extensions import db
from ..models import PackageDraft, RuleChange, User
from . import clock
from .definitions import check_scenarios, deploy, parse_package
from .errors import Conflict, NotAllowed, NotFound
from .package import Package, of_version, process_key
from .versions import latest_definition

PROCESS = "rule_change"  # the approval case is itself a process of processes/
DECIDED = {"approved": "部署", "returned": "退回"}


def needed():
    return current_app.config.get("RULE_CHANGE_APPROVAL", True)


def submit(package, author, note=None, confirm_policy_change=False, reason=None):
    """(a deployed version, created) when approval is off or nothing changes; else (a pending RuleChange,
    True) with its approval case started. The package is checked now as a deployment checks it (lint,
    guardrails, scenarios), so nothing broken ever waits for a decision. Conflict when a change of the
    same process already waits."""
    from .runtime import start

    if not needed():
        return deploy(package, actor=author.username, note=note, confirm_policy_change=confirm_policy_change,
                      reason=reason)
    latest = latest_definition(process_key(package.bpmn[1], package.bpmn[0]), required=False)
    parsed = parse_package(package, confirm_policy_change, reason, of_version(latest) if latest else None)
    if latest is not None and latest.content_hash == parsed.content_hash:
        return latest, False
    waiting = RuleChange.query.filter_by(key=parsed.key, status="pending").first()
    if waiting is not None:
        raise Conflict(f"{parsed.key} 已有一项待审批的规则变更（#{waiting.id}），审批或退回后再提交")
    if current_app.config.get("DEPLOY_SCENARIOS", True):
        check_scenarios(parsed, reason)
    change = RuleChange(key=parsed.key, base_version=latest.version if latest else None, content=package.to_content(),
                        note=(note or "").strip() or None, reason=(reason or "").strip() or None,
                        confirm_policy_change=bool(confirm_policy_change), author=author.username)
    db.session.add(change)
    db.session.flush()
    instance = start(PROCESS, author, data={"change_id": change.id, "key": parsed.key, "note": change.note,
                                            "policy_change": [f.message for f in parsed.policy],
                                            "reason": change.reason})
    change.instance_id = instance.id
    return change, True


def pending_change(change_id):
    change = db.session.get(RuleChange, change_id)
    if change is None:
        raise NotFound(f"规则变更 #{change_id} 不存在")
    if change.status != "pending":
        raise Conflict(f"规则变更 #{change_id} 已{DECIDED.get(change.status, '处理')}")
    return change


def approve(change_id, approver):
    """Deploy a pending change as its author's, approved by `approver` (never the author); the version."""
    change = pending_change(change_id)
    if approver == change.author:
        raise NotAllowed("提交规则变更的人不能审批自己的变更")
    if User.query.filter_by(username=approver).with_entities(User.role).scalar() not in ("city",):
        raise NotAllowed("规则变更须由市工业和信息化局的工作人员审批")
    definition, _created = deploy(Package.from_content(change.content), actor=change.author, note=change.note,
                                  confirm_policy_change=change.confirm_policy_change, reason=change.reason,
                                  approved_by=approver)
    change.status, change.version = "approved", definition.version
    change.decided_by, change.decided_at = approver, clock.now()
    PackageDraft.query.filter_by(key=change.key).delete()  # the draft became the version
    return definition


def return_change(change_id, reviewer, opinion):
    change = pending_change(change_id)
    change.status, change.opinion = "returned", opinion
    change.decided_by, change.decided_at = reviewer, clock.now()
    return change


def restore(key, version, author, note=None):
    """Version `version`'s whole package back as the newest version (a new number), approved like any change."""
    from ..models import ProcessDefinition
    from .package import of_version

    old = ProcessDefinition.query.filter_by(key=key, version=version).first()
    if old is None:
        raise NotFound(f"流程 {key} 没有 v{version}")
    said = f"恢复 v{version}" + (f"：{note.strip()}" if (note or "").strip() else "")
    return submit(of_version(old), author, note=said, confirm_policy_change=True,
                  reason=f"恢复 v{version}（其规则在部署时已经检查并确认）")
