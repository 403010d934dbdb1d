"""DMN's hit policies: from the rules that matched (in table order) to the table's result.

Single-hit policies (UNIQUE, ANY, FIRST, PRIORITY) give one row of outputs or none; multi-hit ones
(RULE ORDER, OUTPUT ORDER, COLLECT) a list of rows; COLLECT with SUM, MIN, MAX or COUNT one value.
PRIORITY and OUTPUT ORDER rank a row by where its outputs stand in each output's outputValues list.
"""

from decimal import Decimal

from .feel_values import compare, equal

SINGLE = ("UNIQUE", "ANY", "FIRST", "PRIORITY")


class HitPolicyViolation(ValueError):
    """UNIQUE with several matches, or ANY whose matches disagree: DMN's error, named in Chinese."""


def _rank(row, priorities):
    """Lower is more important: the position of each output's value in its outputValues list."""
    ranks = []
    for name, values in priorities:
        position = next((i for i, v in enumerate(values) if equal(row[name], v) is True), len(values))
        ranks.append(position)
    return tuple(ranks)


def apply(policy, aggregation, matched, priorities, label):
    """matched: [(rule id, {output name: FEEL value})]; priorities: [(output name, [values])].

    Returns a row ({name: value}) or None for a single-hit policy, a list of rows for a multi-hit one,
    and a single value for an aggregation."""
    rows = [row for _rule, row in matched]
    if policy == "UNIQUE":
        if len(rows) > 1:
            raise HitPolicyViolation(f"决策表{label}的命中策略为 UNIQUE（唯一），但有 {len(rows)} 条规则同时适用："
                                     f"{'、'.join(rule for rule, _ in matched)}")
        return rows[0] if rows else None
    if policy == "ANY":
        if any(not all(equal(r[k], rows[0][k]) is True for k in r) for r in rows[1:]):
            raise HitPolicyViolation(f"决策表{label}的命中策略为 ANY（任一），但同时适用的规则给出不同结果："
                                     f"{'、'.join(rule for rule, _ in matched)}")
        return rows[0] if rows else None
    if policy == "FIRST":
        return rows[0] if rows else None
    if policy == "PRIORITY":
        return min(rows, key=lambda r: _rank(r, priorities)) if rows else None
    if policy == "OUTPUT ORDER":
        return sorted(rows, key=lambda r: _rank(r, priorities))
    if policy == "COLLECT" and aggregation:
        return aggregate(aggregation, [next(iter(r.values())) for r in rows])
    return rows  # RULE ORDER, COLLECT


def aggregate(aggregation, values):
    """COLLECT's SUM, MIN, MAX, COUNT over one output column (nulls are left out, as DMN says)."""
    values = [v for v in values if v is not None]
    if aggregation == "COUNT":
        return Decimal(len(values))
    if not values:
        return None
    if aggregation == "SUM":
        return sum(values, Decimal(0)) if all(isinstance(v, Decimal) and not isinstance(v, bool)
                                              for v in values) else None
    if any(compare(values[0], v) is None for v in values):
        return None
    return min(values) if aggregation == "MIN" else max(values)
