"""JSON completions validated by binding them to the form's WTForms class.

The payload is flattened into the form data a browser would post for the same values, so the
API and the HTML pages share one set of rules; only JSON shapes a browser cannot send (an
object where a text is expected, a number for a checkbox) are refused here first.
"""

from werkzeug.datastructures import MultiDict

from ..security.limits import MAX_TABLE_ROWS

UNKNOWN = "未知字段"
MALFORMED = "格式不正确"
TEXT_TYPES = {"text", "textarea", "email", "phone", "credit_code"}
LIST_TYPES = {"multiselect", "files"}


def validate(definition, data, attachment_ok=None) -> tuple[dict, dict[str, list[str]]]:
    """(clean, errors): clean holds every field of the form as a JSON-native value, and is
    empty when there are errors; errors maps a field ("cases.0.client" inside tables) to messages.
    """
    if not isinstance(data, dict):
        return {}, {"data": ["应为 JSON 对象"]}
    formdata, errors = MultiDict(), {}
    _flatten(definition.fields, data, "", "", formdata, errors)
    _, clean, form_errors = bind(definition, formdata, attachment_ok, csrf=False)
    for key, messages in form_errors.items():
        errors.setdefault(key, messages)  # a malformed value's own message wins over "required"
    return ({}, errors) if errors else (clean, {})


def bind(definition, formdata, attachment_ok=None, csrf=True, locale="zh"):
    """(form, clean, errors) for browser form data; the HTML pages re-render `form` on errors."""
    form = definition.wtform_class(locale)(formdata=formdata, meta={"csrf": csrf, "attachment_ok": attachment_ok})
    form.validate()
    errors = _errors(definition.fields, form, "")
    if csrf and form.errors.get("csrf_token"):
        errors["csrf_token"] = list(form.errors["csrf_token"])
    return form, ({} if errors else _clean(definition.fields, form)), errors


def _scalar(value) -> bool:
    return isinstance(value, str | int | float) and not isinstance(value, bool)


def _flatten(fields, data: dict, prefix: str, path: str, out: MultiDict, errors: dict) -> None:
    """Add data to out as browser form data; names in tables are "cases-0-client"."""
    names = {f.name for f in fields}
    errors.update({path + key: [UNKNOWN] for key in data if key not in names})
    for f in fields:
        name, where, value = prefix + f.name, path + f.name, data.get(f.name)
        if f.type == "table":
            if value is not None and not isinstance(value, list):
                errors[where] = [MALFORMED]
            if isinstance(value, list) and len(value) > MAX_TABLE_ROWS:  # refused before 100 000 rows are bound
                errors[where] = [f"最多 {MAX_TABLE_ROWS} 行"]
                continue
            for i, row in enumerate(value if isinstance(value, list) else []):
                if isinstance(row, dict):
                    _flatten(f.columns, row, f"{name}-{i}-", f"{where}.{i}.", out, errors)
                else:
                    errors[f"{where}.{i}"] = [MALFORMED]
        elif f.type in LIST_TYPES:
            if value is not None and not (isinstance(value, list) and all(_scalar(v) for v in value)):
                errors[where] = [MALFORMED]
            elif value:
                out.setlist(name, [str(v) for v in value])
        elif f.type == "checkbox":
            if value is not None and not isinstance(value, bool):
                errors[where] = ["应为 true 或 false"]
            out.add(name, "y" if value is True else "")
        elif value is not None and not _scalar(value):
            errors[where] = [MALFORMED]
        else:
            out.add(name, "" if value is None else str(value))  # "" keeps an empty table row a row


def _errors(fields, form, path: str) -> dict[str, list[str]]:
    out = {}
    for f in fields:
        field = form[f.name]
        messages = [m for m in field.errors if isinstance(m, str)]  # a table's also holds row dicts
        if messages:
            out[path + f.name] = messages
        for entry in field.entries if f.type == "table" else ():
            out.update(_errors(f.columns, entry.form, f"{path}{f.name}.{entry.index}."))
    return out


def _clean(fields, form) -> dict:
    return {f.name: _value(f, form[f.name]) for f in fields}


def _value(f, field):
    data = field.data
    if f.type == "table":
        return [_clean(f.columns, entry.form) for entry in field.entries]
    if f.type in TEXT_TYPES:
        return data or ""
    if f.type == "multiselect":  # in the order the form offers them, however they were sent
        order = {c.value: i for i, c in enumerate(f.choices or ())}
        return sorted(data or [], key=lambda v: order.get(v, len(order)))
    if f.type in LIST_TYPES:
        return list(data or [])
    if f.type == "checkbox":
        return bool(data)
    if f.type == "decimal":
        return None if data is None else float(data)
    if f.type == "date":
        return None if data is None else data.isoformat()
    if f.type in {"select", "radio"}:
        return data or None
    return data  # integer, file: int or None


def draft_values(definition, data, attachment_ok=None) -> dict:
    """What of a half-filled form is worth keeping (暂存): every field valid on its own, from a JSON object
    or browser form data; a required field still empty is no reason to lose the others."""
    formdata, errors = data, {}
    if not isinstance(data, MultiDict):
        formdata = MultiDict()
        _flatten(definition.fields, data, "", "", formdata, errors)
    form = definition.wtform_class("zh")(formdata=formdata, meta={"csrf": False, "attachment_ok": attachment_ok})
    form.validate()
    errors.update(_errors(definition.fields, form, ""))
    broken = {key.split(".", 1)[0] for key in errors}
    return {name: value for name, value in _clean(definition.fields, form).items()
            if name not in broken and value not in (None, "", [])}
