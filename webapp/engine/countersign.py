"""会签: a user task that several people of its role sign before it completes.

Declared on the task, as data of the package (the modeler's panel writes them): `countersign`, how many
distinct people sign (a number or an expression such as params["signers"]), and `countersignRule`,
which decision the signatures make:
* all — "approve" only when every signer approves; the first other decision decides at once;
* any — the first "approve" decides; when every signer declined, their most common decision;
* majority — more than half approving decide "approve", as soon as that is certain either way.
Each signature is kept on the open task (who, when, what) and written to the history; nobody signs a
task twice. The deciding signature completes the task with the decision, every opinion, and the votes.
"""

from collections import Counter

from .errors import Conflict, ScriptError

RULES = ("all", "any", "majority")
APPROVE = "approve"


def settings(properties, evaluate):
    """(how many sign, rule) of a task's properties, or None when it is signed by one person."""
    if "countersign" not in properties:
        return None
    count = evaluate("countersign")
    rule = (properties.get("countersignRule") or "all").strip().strip('"')
    if isinstance(count, bool) or not isinstance(count, int) or count < 1 or rule not in RULES:
        raise ScriptError(f"会签设置无效：人数 {count!r}，规则 {rule!r}（规则须为 {'、'.join(RULES)}）")
    return (count, rule) if count > 1 else None


def sign(votes, username, at, clean, count, rule):
    """(decided data, or None while signatures are still needed; the votes so far). Conflict when the
    person signed already."""
    if any(v["by"] == username for v in votes):
        raise Conflict("您已会签此任务，须由其他人员办理")
    votes = [*votes, {"by": username, "at": at, **clean}]
    decision = _decision(votes, count, rule, "decision" in clean)
    if decision is None:
        return None, votes
    deciding = next((v for v in reversed(votes) if v.get("decision") == decision), votes[-1])
    opinions = "；".join(f"{v['by']}：{v['opinion']}" for v in votes if v.get("opinion"))
    data = {k: v for k, v in deciding.items() if k not in ("by", "at")}
    return {**data, **({"opinion": opinions} if "opinion" in clean else {}), "countersign_votes": votes}, votes


def _decision(votes, count, rule, decides):
    if not decides:  # a form without a decision: every signer signs
        return "signed" if len(votes) == count else None
    approving = sum(v.get("decision") == APPROVE for v in votes)
    others = Counter(v.get("decision") for v in votes if v.get("decision") != APPROVE)
    declined = others.most_common(1)[0][0] if others else None
    if rule == "all":
        return declined if declined is not None else (APPROVE if approving == count else None)
    if rule == "any":
        return APPROVE if approving else (declined if len(votes) == count else None)
    if approving * 2 > count:
        return APPROVE
    return declined if (len(votes) - approving) * 2 >= count else None
