"""Stored values back into a form: the inverse of validate._value.

A submission is kept as JSON (a date as ISO text, a decimal as a float). WTForms fields hold Python
objects (a DateField formats a `date`), so every value that goes back into a form — the earlier
submission after 退回补正, the organisation's own identity — passes through here, by field type.
"""

from datetime import date
from decimal import Decimal, InvalidOperation


def _number(value):
    return isinstance(value, int | float) and not isinstance(value, bool)


def _date(value):
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _decimal(value):
    try:
        return Decimal(str(value)) if _number(value) or isinstance(value, str) else None
    except InvalidOperation:
        return None


def _integer(value):
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _text(value):
    return value if isinstance(value, str) else None


def _flag(value):
    return value if isinstance(value, bool) else None


def _texts(value):
    return [str(v) for v in value if isinstance(v, str | int) and not isinstance(v, bool)] \
        if isinstance(value, list) else None


def _ids(value):
    return [v for v in value if _integer(v) is not None] if isinstance(value, list) else None


CONVERT = {
    "text": _text, "textarea": _text, "email": _text, "phone": _text, "credit_code": _text,
    "select": _text, "radio": _text, "multiselect": _texts,
    "integer": _integer, "decimal": _decimal, "date": _date, "checkbox": _flag,
    "file": _integer, "files": _ids,
}


def form_data(fields, values) -> dict:
    """{field name: Python value} for WTForms' `data=`, from JSON values; unusable ones are left out."""
    out = {}
    for f in fields:
        value = values.get(f.name) if isinstance(values, dict) else None
        if value is None:
            continue
        if f.type == "table":
            converted = [form_data(f.columns, row) for row in value if isinstance(row, dict)] \
                if isinstance(value, list) else None
        else:
            converted = CONVERT[f.type](value)
        if converted is not None:
            out[f.name] = converted
    return out
