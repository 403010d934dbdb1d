"""Working days (工作日): Monday to Friday, less the public holidays, plus the make-up working days on a
weekend (调休) — both from the package's list `working_calendar`, which the process owner keeps up to
date each year. A time limit of N working days runs from the day after the start (期限从次日起算) to the
end of the Nth working day, China time."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from ..formkit.library import read_yaml
from . import clock

LIST = "working_calendar"
MAX_DAYS = 3660  # a limit longer than ten years is a typing mistake, not a deadline


@dataclass(frozen=True)
class Calendar:
    holidays: frozenset
    workdays: frozenset

    def is_working(self, day):
        return day in self.workdays or (day.weekday() < 5 and day not in self.holidays)

    def add(self, start, count):
        """The end (23:59:59 China time) of the `count`th working day after `start`'s day."""
        if not 0 < count <= MAX_DAYS:
            raise ValueError(f"工作日数须在 1 到 {MAX_DAYS} 之间：{count}")
        day = clock.local(start).date()
        while count:
            day += timedelta(days=1)
            count -= self.is_working(day)
        return datetime.combine(day, time(23, 59, 59), clock.ZONE)

    def remaining(self, now, due):
        """Working days left until `due`: today (if one) through the due day; 0 once it has passed."""
        if due <= now:
            return 0
        day, last = clock.local(now).date(), clock.local(due).date()
        return sum(self.is_working(day + timedelta(days=n)) for n in range(min((last - day).days, MAX_DAYS) + 1))


@lru_cache(maxsize=16)
def parse(text):
    """The calendar of a list's YAML text (ValueError naming a bad entry)."""
    holidays, workdays = set(), set()
    for entry in read_yaml(text or "", LIST) or []:
        try:
            day = date.fromisoformat(str(entry["value"]))
        except (KeyError, TypeError, ValueError):
            raise ValueError(f"{LIST}: 日期须写成 2026-10-01：{entry!r}") from None
        kind = entry.get("kind")
        if kind not in ("holiday", "workday"):
            raise ValueError(f"{LIST}: {day} 的 kind 须为 holiday 或 workday")
        (holidays if kind == "holiday" else workdays).add(day)
    return Calendar(frozenset(holidays), frozenset(workdays))


_by_version = {}  # content hash -> Calendar: a version's lists never change, and reading them costs a query


def of_definition(definition):
    """The calendar of a case's own version (weekends only when its package has none)."""
    found = _by_version.get(definition.content_hash)
    if found is None:
        found = _by_version[definition.content_hash] = parse((definition.lists or {}).get(LIST) or "")
    return found


def left(task, now):
    """Working days left for an open task with a due date (None without one)."""
    return of_definition(task.instance.definition).remaining(now, task.due_at) if task.due_at else None
