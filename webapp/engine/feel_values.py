"""FEEL's values in Python: numbers as Decimal (FEEL numbers are decimal: 0.1 + 0.2 = 0.3), dates and
times from datetime, durations as Duration, null as None; equality and ordering with FEEL's null for
values of different kinds (1 = "1" is null, not false, so neither a test nor its negation holds).

Case data is JSON: to_feel reads it, to_data writes a result back (numbers as int or float, temporal
values as ISO 8601 text).
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

DURATION = re.compile(r"(-)?P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?"
                      r"(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?")


@dataclass(frozen=True, order=True)
class Duration:
    """A FEEL duration: years and months (`months`), or days and time (`seconds`), never both."""

    kind: str  # "ym" or "dt"
    amount: Decimal

    def iso(self):
        sign, amount = ("-" if self.amount < 0 else ""), abs(self.amount)
        if self.kind == "ym":
            years, months = divmod(int(amount), 12)
            return f"{sign}P{years}Y{months}M" if years else f"{sign}P{months}M"
        days, rest = divmod(amount, 86400)
        hours, rest = divmod(rest, 3600)
        minutes, seconds = divmod(rest, 60)
        clock = "".join(f"{int(v) if v == int(v) else v}{u}" for v, u in ((hours, "H"), (minutes, "M"),
                                                                          (seconds, "S")) if v)
        text = f"{sign}P{int(days)}D" if days or not clock else f"{sign}P"
        return text + (f"T{clock}" if clock else "")


def parse_duration(text):
    found = DURATION.fullmatch(text.strip()) if isinstance(text, str) else None
    if not found or text.strip() in ("P", "-P") or text.strip().endswith("T"):
        return None
    sign, years, months, weeks, days, hours, minutes, seconds = found.groups()
    factor = -1 if sign else 1
    if years or months:
        if weeks or days or hours or minutes or seconds:
            return None
        return Duration("ym", Decimal(factor * (int(years or 0) * 12 + int(months or 0))))
    total = (Decimal(weeks or 0) * 7 + Decimal(days or 0)) * 86400 + Decimal(hours or 0) * 3600 \
        + Decimal(minutes or 0) * 60 + Decimal(seconds or 0)
    return Duration("dt", factor * total)


def is_number(value):
    return isinstance(value, Decimal)


def kind(value):
    """The FEEL type a value is compared as (None for null)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, Duration):
        return f"duration-{value.kind}"
    for name, cls in (("number", Decimal), ("string", str), ("date and time", datetime), ("date", date),
                      ("time", time), ("list", list), ("context", dict)):
        if isinstance(value, cls):
            return name
    return type(value).__name__


def equal(a, b):
    """FEEL `=`: True, False, or None (null) for values of different kinds."""
    if a is None or b is None:
        return a is None and b is None
    if kind(a) != kind(b):
        return None
    if isinstance(a, list):
        return len(a) == len(b) and all(equal(x, y) is True for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(equal(a[k], b[k]) is True for k in a)
    return a == b


def compare(a, b):
    """-1, 0 or 1 for values FEEL can order (numbers, strings, temporal values, durations of one kind), else None."""
    if a is None or b is None or kind(a) != kind(b) or kind(a) in ("boolean", "list", "context"):
        return None
    try:
        return (a > b) - (a < b)
    except TypeError:  # a date and time with a zone against one without
        return None


def to_feel(value):
    """Case data (JSON values) as FEEL values: numbers become Decimal; the rest as they are."""
    if isinstance(value, bool) or value is None or isinstance(value, str | Decimal | date | time | Duration):
        return value
    if isinstance(value, int | float):
        return Decimal(str(value)) if value == value and value not in (float("inf"), float("-inf")) else None
    if isinstance(value, dict):
        return {str(k): to_feel(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_feel(v) for v in value]
    return None


# typeRef of an input → how a text value from a form or start data is read.
COERCE = {
    "date": lambda s: date.fromisoformat(s),
    "dateTime": lambda s: datetime.fromisoformat(s),
    "date and time": lambda s: datetime.fromisoformat(s),
    "time": lambda s: time.fromisoformat(s),
    "number": lambda s: Decimal(s.strip()),
    "dayTimeDuration": parse_duration, "days and time duration": parse_duration,
    "yearMonthDuration": parse_duration, "years and months duration": parse_duration,
    "duration": parse_duration,
}


def coerce(value, type_ref):
    """An input's value read as its declared type when it came as text ("2025-01-01" for a date)."""
    reader = COERCE.get((type_ref or "").split(":")[-1])
    if reader is None or not isinstance(value, str):
        return value
    try:
        return reader(value)
    except (ValueError, InvalidOperation):
        return None


def to_data(value):
    """A FEEL value as case data (JSON)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and abs(value) < 2 ** 63 else float(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Duration):
        return value.iso()
    if isinstance(value, list):
        return [to_data(v) for v in value]
    if isinstance(value, dict):
        return {k: to_data(v) for k, v in value.items()}
    return value


def _date(*args):
    if args[1:]:  # date(year, month, day)
        return date(*(int(a) for a in args))
    if isinstance(args[0], datetime):
        return args[0].date()
    return date.fromisoformat(args[0])


def _datetime(*args):
    if args[1:]:  # date and time(date, time)
        return datetime.combine(*args)
    text = args[0]
    return datetime.fromisoformat(text) if "T" in text else datetime.combine(date.fromisoformat(text), time())


def _number(text, *_separators):
    return Decimal(text.strip())


def _string(value):
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    data = to_data(value)
    return str(data) if data is not None else None


def _aggregate(function):
    def call(*args):
        items = args[0] if len(args) == 1 and isinstance(args[0], list) else list(args)
        return function(items)
    return call


def _min_max(pick):
    def chosen(items):
        if not items or any(compare(items[0], x) is None for x in items):
            return None
        return pick(items)
    return chosen


def _sum(items):
    return sum(items, Decimal(0)) if items and all(is_number(x) for x in items) else None


def _mean(items):
    total = _sum(items)
    return total / len(items) if total is not None else None


# The functions a cell may call; anything else is refused at deploy (feel.parse_*).
FUNCTIONS = {
    "date": _date, "date and time": _datetime, "time": lambda s: time.fromisoformat(s),
    "duration": lambda s: parse_duration(s), "number": _number, "string": _string,
    "abs": lambda n: abs(n), "floor": lambda n: Decimal(int(n // 1)),
    "ceiling": lambda n: Decimal(-int(-n // 1)), "decimal": lambda n, scale: round(n, int(scale)),
    "min": _aggregate(_min_max(min)), "max": _aggregate(_min_max(max)), "sum": _aggregate(_sum),
    "mean": _aggregate(_mean), "count": lambda items: Decimal(len(items)),
    "contains": lambda s, part: part in s,
    "substring": lambda s, start, length=None: s[int(start) - 1:(int(start) - 1 + int(length)) if length else None],
}


def call(name, args):
    """A function call; any failure (a wrong argument, a malformed date) is FEEL's null."""
    try:
        return FUNCTIONS[name](*args)
    except (TypeError, ValueError, InvalidOperation, AttributeError, IndexError, OverflowError):
        return None


def add_months(day, months):
    month = day.month - 1 + int(months)
    year, month = day.year + month // 12, month % 12 + 1
    last = (date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)).day
    return day.replace(year=year, month=month, day=min(day.day, last))
