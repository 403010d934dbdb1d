"""Form definitions: a forms/<key>.yaml file parsed into a checked, immutable object.

Process owners edit these files (Art. 16), so every mistake is reported with the file and field
at load time instead of surfacing as a broken form in front of an applicant.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

NAME = re.compile(r"^[a-z][a-z0-9_]*$")

_COMMON = {"name", "type", "label", "label_en", "required", "help", "help_en", "required_if", "readable_by"}
_COUNTED = {"min", "max"}
# A field whose value is the case organisation's own: `from_account` names the attribute, `readonly` binds it.
_ACCOUNT = {"from_account", "readonly"}
ACCOUNT_ATTRIBUTES = ("name", "credit_code", "district", "contact_name", "contact_phone", "contact_email")
KEYS_BY_TYPE = {
    "text": {"max_length"} | _ACCOUNT,
    "textarea": {"max_length"},
    "integer": {"min", "max", "sum_of"},
    "decimal": {"min", "max", "sum_of"},
    "date": set(),
    "email": {"max_length"} | _ACCOUNT,
    "phone": _ACCOUNT,
    "credit_code": _ACCOUNT,
    "select": {"choices"} | _ACCOUNT,
    "radio": {"choices"},
    "multiselect": {"choices", "min_items_if", "exclude_value_of"} | _COUNTED,
    "checkbox": set(),
    "file": set(),
    "files": _COUNTED,
    "table": {"columns"} | _COUNTED,
}
CHOICE_TYPES = {"select", "radio", "multiselect"}
COUNTED_TYPES = {"multiselect", "files", "table"}
# Attribute names of a WTForms form; a field with one of these names would shadow it.
_RESERVED = {"csrf_token", "data", "errors", "form_errors", "hidden_tag", "is_submitted", "meta",
             "populate_obj", "post_process", "process", "validate", "validate_on_submit"}


class FormDefinitionError(ValueError):
    """A YAML form definition breaks the schema; the message names the file and the field."""


class FormNotFound(KeyError):
    """No form definition has this key."""


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    label_en: str | None = None


@dataclass(frozen=True)
class FieldDef:
    name: str
    type: str
    label: str
    label_en: str | None = None
    required: bool = False
    help: str | None = None
    help_en: str | None = None
    required_if: dict | None = None
    choices: tuple[Choice, ...] | None = None
    min: float | None = None
    max: float | None = None
    max_length: int | None = None
    min_items_if: dict | None = None
    exclude_value_of: str | None = None
    columns: tuple[FieldDef, ...] | None = None
    from_account: str | None = None  # starts with the case organisation's attribute of this name
    readonly: bool = False  # ...and may not be changed (the organisation's identity)
    readable_by: tuple[str, ...] | None = None  # roles that may read the value; None: whoever sees the case
    sum_of: tuple[str, ...] | None = None  # a total: computed from these fields, never typed

    @property
    def computed(self) -> bool:
        return self.sum_of is not None

    def to_json(self, locale: str = "zh") -> dict:
        out = {"name": self.name, "type": self.type, "label": localized(self.label, self.label_en, locale),
               "required": self.required}
        if self.readonly or self.computed:
            out["readonly"] = True
        if self.sum_of is not None:
            out["sum_of"] = list(self.sum_of)
        if self.choices is not None:
            out["choices"] = [{"value": c.value, "label": localized(c.label, c.label_en, locale)}
                              for c in self.choices]
        for key in ("min", "max", "max_length"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        if self.help:
            out["help"] = localized(self.help, self.help_en, locale)
        for key in ("required_if", "min_items_if", "exclude_value_of"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        if self.columns is not None:
            out["columns"] = [c.to_json(locale) for c in self.columns]
        return out


@dataclass(frozen=True)
class FormDefinition:
    key: str
    title: str
    title_en: str | None
    fields: tuple[FieldDef, ...]
    _classes: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def to_json(self, locale: str = "zh", values: dict | None = None) -> dict:
        """The API's `form` object; with `values`, each field carries the `value` the form holds now."""
        fields = []
        for f in self.fields:
            out = f.to_json(locale)
            if values is not None and values.get(f.name) is not None:
                out["value"] = values[f.name]
            fields.append(out)
        return {"key": self.key, "title": localized(self.title, self.title_en, locale), "fields": fields}

    def form_data(self, values: dict) -> dict:
        """JSON values (a submission as stored, a prefill) as the Python objects the WTForms fields hold:
        a date from its ISO text, a decimal as Decimal, rows of a table likewise; unusable values are left out."""
        from .values import form_data

        return form_data(self.fields, values)

    def bound_values(self, account: dict) -> dict:
        """{field: value} of the fields that start with the organisation's own attributes."""
        return {f.name: account.get(f.from_account) for f in self.fields
                if f.from_account and account.get(f.from_account) not in (None, "")}

    def fill_bound(self, data: dict, account: dict) -> dict:
        """The submission with every read-only field that was left out filled in from the account."""
        filled = dict(data)
        for f in self.fields:
            if f.readonly and filled.get(f.name) in (None, ""):
                filled[f.name] = account.get(f.from_account)
        return filled

    def bound_errors(self, clean: dict, account: dict) -> dict[str, list[str]]:
        """Read-only fields of a validated submission that differ from the account's values."""
        return {f.name: ["此项与账号绑定，不能修改"] for f in self.fields
                if f.readonly and clean.get(f.name) != account.get(f.from_account)}

    def validate(self, data: dict, attachment_ok: Callable[[int], bool] | None = None):
        """(clean, errors) for a JSON completion; see validate.validate."""
        from .validate import validate

        return validate(self, data, attachment_ok)

    def field_names(self) -> set[str]:
        return {f.name for f in self.fields}

    def draft(self, data, attachment_ok: Callable[[int], bool] | None = None) -> dict:
        """The values of a half-filled form worth keeping (暂存); see validate.draft_values."""
        from .validate import draft_values

        return draft_values(self, data, attachment_ok)

    def attachment_ids(self, data) -> list[int]:
        """The attachment ids a submission of this form refers to (file and files fields, also in tables)."""
        def walk(fields, values):
            for f in fields:
                value = values.get(f.name) if isinstance(values, dict) else None
                if f.type == "table" and isinstance(value, list):
                    for row in value:
                        yield from walk(f.columns, row)
                elif f.type in ("file", "files"):
                    for item in value if isinstance(value, list) else [value]:
                        if isinstance(item, int) and not isinstance(item, bool):
                            yield item
        return list(walk(self.fields, data or {}))

    def bind(self, formdata, attachment_ok=None, locale: str = "zh"):
        """(form, clean, errors) for a browser post, CSRF checked; see validate.bind."""
        from .validate import bind

        return bind(self, formdata, attachment_ok, locale=locale)

    def wtform_class(self, locale: str = "zh"):
        """The FlaskForm subclass for this form (built once per locale)."""
        from .fields import build_form_class

        if locale not in self._classes:
            self._classes[locale] = build_form_class(self, locale)
        return self._classes[locale]

    def with_choices(self, field_name: str, choices: list[dict]) -> FormDefinition:
        """A copy whose field offers choices known only at run time (e.g. the expert accounts, maybe none)."""
        where = f"form {self.key!r}: field {field_name!r}"
        fields = []
        for f in self.fields:
            if f.name == field_name:
                if f.type not in CHOICE_TYPES:
                    raise FormDefinitionError(f"{where}: type {f.type!r} has no choices")
                f = replace(f, choices=_choices(choices, where, allow_empty=True))
            fields.append(f)
        if all(f.name != field_name for f in self.fields):
            raise FormDefinitionError(f"{where}: no such field")
        return replace(self, fields=tuple(fields))


def localized(zh: str | None, en: str | None, locale: str) -> str | None:
    """The English text for locale "en" when there is one, else the Chinese."""
    return en if locale == "en" and en else zh


def parse_form(raw, source: str, key: str, read_list: Callable[[str], object]) -> FormDefinition:
    """Check and convert one YAML document; read_list(name) returns forms/lists/<name>.yaml or None."""
    if not isinstance(raw, dict):
        raise FormDefinitionError(f"{source}: expected a mapping with key, title and fields")
    unknown = set(raw) - {"key", "title", "title_en", "fields"}
    if unknown:
        raise FormDefinitionError(f"{source}: unknown keys {sorted(unknown)}")
    if raw.get("key") != key:
        raise FormDefinitionError(f"{source}: key must be {key!r}, the file's name")
    _text(raw.get("title"), f"{source}: title", required=True)
    _text(raw.get("title_en"), f"{source}: title_en")
    return FormDefinition(key=key, title=raw["title"], title_en=raw.get("title_en"),
                          fields=_fields(raw.get("fields"), source, "", read_list))


def _fields(raw, source: str, prefix: str, read_list) -> tuple[FieldDef, ...]:
    if not isinstance(raw, list) or not raw:
        raise FormDefinitionError(f"{source}: {prefix or 'fields'}: expected a non-empty list of fields")
    fields = tuple(_field(item, source, prefix, read_list) for item in raw)
    by_name = {f.name: f for f in fields}
    if len(by_name) != len(fields):
        raise FormDefinitionError(f"{source}: {prefix or 'fields'}: a field name is used twice")
    for f in fields:
        where = f"{source}: field {prefix + f.name!r}"
        conditions = {**(f.required_if or {}), **(f.min_items_if or {}).get("when", {})}
        for ref in [*conditions, *([f.exclude_value_of] if f.exclude_value_of else [])]:
            if ref not in by_name or ref == f.name:
                raise FormDefinitionError(f"{where}: refers to {ref!r}, not another field of the same form")
        if f.sum_of is not None:
            _check_total(f, fields, where)
        for ref, values in conditions.items():
            target = by_name[ref]
            allowed = {c.value for c in target.choices} if target.type in CHOICE_TYPES else None
            for value in values if isinstance(values, list) else [values]:
                if (allowed is not None and value not in allowed) or (
                    target.type == "checkbox" and not isinstance(value, bool)
                ):
                    raise FormDefinitionError(f"{where}: {value!r} is not a possible value of {ref!r}")
    return fields


def _check_total(total: FieldDef, fields: tuple[FieldDef, ...], where: str) -> None:
    """A total adds numbers that come before it (they are validated first), each with a maximum that
    together stay within the total's own."""
    before = {f.name: f for f in fields[:fields.index(total)]}
    for name in total.sum_of:
        part = before.get(name)
        if part is None or part.type not in ("integer", "decimal") or part.sum_of is not None:
            raise FormDefinitionError(f"{where}: sum_of: {name!r} is not a number field before this one")
    maxima = [before[name].max for name in total.sum_of]
    if total.max is not None and None not in maxima and sum(maxima) > total.max:
        raise FormDefinitionError(f"{where}: the parts' maxima add up to {sum(maxima)}, more than max {total.max}")


def _field(raw, source: str, prefix: str, read_list) -> FieldDef:
    if not isinstance(raw, dict):
        raise FormDefinitionError(f"{source}: {prefix or 'fields'}: each field must be a mapping")
    name = raw.get("name")
    where = f"{source}: field {prefix + str(name)!r}"
    if not isinstance(name, str) or not NAME.match(name) or name in _RESERVED:
        raise FormDefinitionError(f"{where}: name must match {NAME.pattern}, not be in {sorted(_RESERVED)}")
    kind = raw.get("type")
    if kind not in KEYS_BY_TYPE or (prefix and kind == "table"):
        allowed = sorted(KEYS_BY_TYPE.keys() - ({"table"} if prefix else set()))
        raise FormDefinitionError(f"{where}: unknown type {kind!r} (one of {allowed})")
    unknown = set(raw) - _COMMON - KEYS_BY_TYPE[kind]
    if unknown:
        raise FormDefinitionError(f"{where}: keys {sorted(unknown)} are not allowed for type {kind!r}")
    for key in ("label", "label_en", "help", "help_en"):
        _text(raw.get(key), f"{where}: {key}", required=key == "label")
    if not isinstance(raw.get("required", False), bool):
        raise FormDefinitionError(f"{where}: required must be true or false")
    values = {k: raw[k] for k in ("label_en", "required", "help", "help_en") if k in raw}
    if "required_if" in raw:
        values["required_if"] = _condition(raw["required_if"], f"{where}: required_if")
    if kind in CHOICE_TYPES:
        choices = raw.get("choices")
        if isinstance(choices, str):
            listed = read_list(choices) if NAME.match(choices) else None
            if listed is None:
                raise FormDefinitionError(f"{where}: no list file forms/lists/{choices}.yaml")
            choices = listed
        values["choices"] = _choices(choices, f"{where}: choices", from_list=isinstance(raw.get("choices"), str))
    for key in ("min", "max"):
        if key in raw:
            values[key] = _number(raw[key], f"{where}: {key}", count=kind in COUNTED_TYPES)
    if "max_length" in raw:
        values["max_length"] = _number(raw["max_length"], f"{where}: max_length", count=True)
    if "min_items_if" in raw:
        rule = raw["min_items_if"]
        if not isinstance(rule, dict) or set(rule) != {"when", "min"}:
            raise FormDefinitionError(f"{where}: min_items_if must be {{when: {{field: value}}, min: N}}")
        values["min_items_if"] = {"when": _condition(rule["when"], f"{where}: min_items_if.when"),
                                  "min": _number(rule["min"], f"{where}: min_items_if.min", count=True)}
    if "exclude_value_of" in raw:
        values["exclude_value_of"] = _text(raw["exclude_value_of"], f"{where}: exclude_value_of", True)
    if kind == "table":
        values["columns"] = _fields(raw.get("columns"), source, f"{name}.", read_list)
    values.update(_account(raw, where))
    if "readable_by" in raw:
        values["readable_by"] = _roles(raw["readable_by"], f"{where}: readable_by", read_list)
    if "sum_of" in raw:
        parts = raw["sum_of"]
        if not isinstance(parts, list) or not parts or not all(isinstance(p, str) for p in parts):
            raise FormDefinitionError(f"{where}: sum_of must be a list of field names")
        values["sum_of"] = tuple(parts)
    return FieldDef(name=name, type=kind, label=raw["label"], **values)


def _account(raw, where: str) -> dict:
    values = {}
    if "from_account" in raw:
        if raw["from_account"] not in ACCOUNT_ATTRIBUTES:
            raise FormDefinitionError(f"{where}: from_account must be one of {list(ACCOUNT_ATTRIBUTES)}")
        values["from_account"] = raw["from_account"]
    if "readonly" in raw:
        if not isinstance(raw["readonly"], bool) or (raw["readonly"] and "from_account" not in raw):
            raise FormDefinitionError(f"{where}: readonly must be true or false, and true only with from_account")
        values["readonly"] = raw["readonly"]
    return values


# Besides the roles of forms/lists/roles.yaml: the accounts of the case's own organisation (engine/disclosure.py).
CASE_PARTY = "party"


def _roles(raw, where: str, read_list) -> tuple[str, ...]:
    known = {item.get("value") for item in read_list("roles") or () if isinstance(item, dict)} | {CASE_PARTY}
    if not isinstance(raw, list) or not raw or not all(isinstance(r, str) and r in known for r in raw):
        raise FormDefinitionError(f"{where}: expected a list of roles from forms/lists/roles.yaml ({sorted(known)})")
    return tuple(raw)


def _text(value, where: str, required: bool = False) -> str | None:
    if (value is None and required) or (value is not None and (not isinstance(value, str) or not value)):
        raise FormDefinitionError(f"{where}: expected a non-empty string")
    return value


def _number(value, where: str, count: bool = False):
    if isinstance(value, bool) or not isinstance(value, int | float) or (count and (value < 0 or value % 1)):
        raise FormDefinitionError(f"{where}: expected {'a whole number >= 0' if count else 'a number'}")
    return int(value) if count else value


def _condition(value, where: str) -> dict:
    """{field: value or [values]}, the shape of required_if and min_items_if.when."""
    scalar = (str, int, float, bool)
    if not isinstance(value, dict) or not value or not all(
        isinstance(v, scalar) or (isinstance(v, list) and v and all(isinstance(x, scalar) for x in v))
        for v in value.values()
    ):
        raise FormDefinitionError(f"{where}: expected {{field: value}} or {{field: [values]}}")
    return value


def _choices(raw, where: str, allow_empty: bool = False, from_list: bool = False) -> tuple[Choice, ...]:
    """Choices written in the form, or read from a list file (whose entries may carry more, e.g. a
    district's division codes, which a form does not use)."""
    if not isinstance(raw, list) or not (raw or allow_empty):
        raise FormDefinitionError(f"{where}: expected a non-empty list of {{value, label, label_en}}")
    choices, keys = [], {"value", "label", "label_en"}
    for item in raw:
        if not isinstance(item, dict) or not {"value", "label"} <= item.keys() or (
                not from_list and not item.keys() <= keys):
            raise FormDefinitionError(f"{where}: each choice needs value and label (and optional label_en)")
        if isinstance(item["value"], bool) or not isinstance(item["value"], str | int):
            raise FormDefinitionError(f"{where}: choice value {item['value']!r} must be a string")
        _text(item["label"], f"{where}: label", required=True)
        label_en = _text(item.get("label_en"), f"{where}: label_en")
        choices.append(Choice(str(item["value"]), item["label"], label_en))
    if len({c.value for c in choices}) != len(choices):
        raise FormDefinitionError(f"{where}: choice values must be unique")
    return tuple(choices)
