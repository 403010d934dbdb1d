"""The documents generated for a case, as the API and the case page list them: the 推荐函 once the district
recommended it, the 公示 of the round's list it is on, and any notice or 公告 of its own."""

from ..models import Notice, NoticeEntry
from . import recommendation


def for_case(instance):
    """[{kind, title, created_at, notice_id}] oldest first; notice_id is None for the case's own letters."""
    found = []
    task = recommendation.review(instance)
    if task is not None:
        found.append({"kind": "recommendation_letter", "title": "推荐函", "created_at": task.completed_at,
                      "notice_id": None})
    entry = NoticeEntry.query.filter_by(instance_id=instance.id).first()
    notices = Notice.query.filter_by(instance_id=instance.id).all() + ([entry.notice] if entry and entry.notice else [])
    found += [{"kind": n.kind, "title": n.title, "created_at": n.starts_at, "notice_id": n.id} for n in notices]
    return sorted(found, key=lambda d: d["created_at"])


LETTERS = {"recommendation_letter": (recommendation.review, recommendation.document)}


def letter(instance, kind):
    """The PDF document of a letter `kind` of the case, or None when the case has none."""
    if kind not in LETTERS:
        return None
    find, make = LETTERS[kind]
    task = find(instance)
    return None if task is None else make(instance, task)
