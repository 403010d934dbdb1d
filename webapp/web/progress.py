"""The applicant's step bar (申报 → 区级初审 → … → 入库): where the case is, what the applicant must do and
by when. The milestones are the case version's (engine/milestones.py); this only reads them for a page."""

from dataclasses import dataclass

from flask_babel import get_locale

from .. import engine


@dataclass(frozen=True)
class Step:
    value: str
    label: str
    state: str  # done | current | todo | stopped (the case ended there)


@dataclass(frozen=True)
class Progress:
    steps: tuple
    current: Step
    number: int  # the current step's place, from 1
    told: str  # what the milestone tells the applicant ("" once the case stopped there: its outcome says why)
    task: object  # the applicant's own open task on the case, if any: what they must do
    due: object  # by when: that task's time limit, else the end of the current step's open work


def _state(n, at, ended, last):
    if n < at or (ended and n == at == last):
        return "done"
    if n == at:
        return "stopped" if ended else "current"
    return "todo"


def of(instance, open_tasks=(), timers=()):
    """The case's Progress, or None when its diagram names no milestones."""
    found = engine.milestones.position(instance)
    if found is None:
        return None
    locale, last = str(get_locale()), len(found.milestones) - 1
    steps = tuple(Step(m.value, m.text(locale)[0], _state(n, found.at, found.ended, last))
                  for n, m in enumerate(found.milestones))
    own = next((t for t in open_tasks if t.role == "applicant"), None) if not found.ended else None
    dues = [t.due_at for t in open_tasks if t.due_at] + [t.due_at for t in timers if t.due_at]
    due = own.due_at if own else (max(dues) if dues and not found.ended else None)
    told = found.milestones[found.at].text(locale)[1] if steps[found.at].state != "stopped" else ""
    return Progress(steps, steps[found.at], found.at + 1, told, own, due)
