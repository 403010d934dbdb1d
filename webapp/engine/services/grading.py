"""Annual grading (Art. 7): the grade a decision table gave is written on the provider's pool entry.

The score bands live only in processes/provider_grading.dmn; this operation records what the table
decided. The grade must be one of the package's list `grades`, so a table edited to emit an unknown code
stops the case with a clear error instead of publishing it.
"""

from ...models import PoolEntry
from ..errors import ScriptError


def record_grade(ctx, grade, year):
    """Set grade and grade_year on the provider's active pool entry.

    {"recorded": False} when it has none (removed meanwhile) or already shows a later year's grade.
    """
    labels = {e["value"]: e["label"] for e in ctx.entries("grades") or ()}
    if grade not in labels:
        raise ScriptError(f"决策表给出的评价等级 {grade!r} 不在规则包的选项列表 grades 中（{'、'.join(labels)}）")
    if not isinstance(year, int) or isinstance(year, bool):
        raise ScriptError(f"评价年度 {year!r} 不是整数")
    entry = (PoolEntry.query.filter_by(organization_id=ctx.instance.organization_id, removed_at=None)
             .with_for_update().first())
    recorded = entry is not None and (entry.grade_year is None or entry.grade_year <= year)
    if recorded:
        entry.grade, entry.grade_year = grade, year
    return {"recorded": recorded, "grade": grade, "label": labels[grade], "year": year}


OPERATIONS = {"grading.record": record_grade}
