"""The steps of the rule-change approval (processes/rule_change.bpmn): see engine/changes.py."""

from .. import changes


def open_change(ctx, change_id):
    """Name the case after the change it decides; what the reviewer is shown."""
    change = changes.pending_change(change_id)
    ctx.instance.subject = f"{change.key} 规则变更 #{change.id}"
    return {"id": change.id, "key": change.key, "base_version": change.base_version, "author": change.author,
            "note": change.note}


def approve_change(ctx, change_id):
    definition = changes.approve(change_id, ctx.actor)
    return {"key": definition.key, "version": definition.version}


def return_change(ctx, change_id, opinion):
    change = changes.return_change(change_id, ctx.actor, opinion)
    return {"id": change.id, "status": change.status}


OPERATIONS = {"rules.open": open_change, "rules.approve": approve_change, "rules.return": return_change}
