"""WTForms classes built from a FormDefinition: the one place the validation rules live.

The HTML pages use these classes directly and the JSON API binds its payload to them
(validate.py), so a value the HTML form refuses is refused by the API too.
"""

import math
import re

from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    EmailField,
    Field,
    FieldList,
    Form,
    FormField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.meta import DefaultMeta
from wtforms.validators import Length, NumberRange, Regexp, StopValidation, ValidationError
from wtforms.widgets import HiddenInput

from ..ids import MAX_ID
from ..security.limits import MAX_TABLE_ROWS
from . import credit_code
from .definition import COUNTED_TYPES, FieldDef, FormDefinition, localized

REQUIRED = "此项为必填项"
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
# Mobile (11 digits) or landline with area code and optional extension: 022-23456789-801.
PHONE = re.compile(r"(\+?86[- ]?)?1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?")


class _Settings:
    """Meta shared by page and row forms: Chinese built-in messages, and the attachment check."""

    locales = ("zh",)
    attachment_ok = None  # callable(id) -> bool, passed as meta={"attachment_ok": ...}

    def get_translations(self, form):
        return DefaultMeta.get_translations(self, form)  # not Flask-Babel's: no app needed


class RowForm(Form):
    Meta = _Settings


class PageForm(FlaskForm):
    Meta = _Settings

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self:  # table rows are separate forms with their own meta
            for entry in field.entries if isinstance(field, FieldList) else ():
                entry.form.meta.attachment_ok = self.meta.attachment_ok


class FiniteDecimalField(DecimalField):
    """A decimal that is also a finite JSON number (Decimal accepts NaN, Infinity and 1e999)."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and not math.isfinite(float(self.data)):
            self.data = None
            raise ValueError(self.invalid_value_message)




class AttachmentField(IntegerField):
    """One uploaded file, by the id POST /api/v1/attachments returned."""

    widget = HiddenInput()

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and not 0 < self.data <= MAX_ID:
            self.data = None
            raise ValueError("附件编号无效")


def _hidden_inputs(field, **kwargs):
    return Markup("").join(
        HiddenInput()(field, **{**kwargs, "id": f"{field.id}-{i}", "value": v})
        for i, v in enumerate(field.data or [])
    )


class AttachmentsField(Field):
    """Several uploaded files: one hidden input per attachment id."""

    widget = staticmethod(_hidden_inputs)

    def process_data(self, value):
        self.data = list(value or [])

    def process_formdata(self, valuelist):
        try:
            self.data = [int(v) for v in valuelist]
            if not all(0 < v <= MAX_ID for v in self.data):
                raise ValueError("out of range")
        except ValueError as exc:
            self.data = []
            raise ValueError("附件编号无效") from exc


def _blank(field) -> bool:
    if isinstance(field, FieldList):
        return not field.entries
    if isinstance(field, BooleanField):
        return not field.data
    return not any(str(v).strip() for v in field.raw_data or ())


def _holds(form, condition: dict) -> bool:
    """Whether every {field: value or [values]} of a required_if / min_items_if condition holds."""
    return all(form[name].data in (v if isinstance(v, list) else [v]) for name, v in condition.items())


class Presence:
    """First validator of every field: blank input ends the chain, with a message if it is required now."""

    def __init__(self, spec: FieldDef):
        self.spec = spec
        self.field_flags = {"required": True} if spec.required else {}

    def __call__(self, form, field):
        if not _blank(field):
            if field.errors:  # unparseable input: its own message is enough
                raise StopValidation()
            return
        field.errors[:] = []  # "" is not a number, date or choice, but simply absent
        spec = self.spec
        if spec.min_items_if and _holds(form, spec.min_items_if["when"]):
            raise StopValidation(f"至少选择{spec.min_items_if['min']}项")
        required = spec.required or (spec.required_if is not None and _holds(form, spec.required_if))
        raise StopValidation(REQUIRED if required else None)


class Total:
    """First validator of a `sum_of` field: the total is the sum of its parts, computed here; a value
    sent with the form must equal it. Parts come earlier in the form, so they are validated already."""

    def __init__(self, spec: FieldDef):
        self.parts = spec.sum_of

    def __call__(self, form, field):
        field.errors[:] = []  # this check alone speaks for the total
        values = [form[name].data for name in self.parts]
        if any(v is None or form[name].errors for v, name in zip(values, self.parts, strict=True)):
            raise StopValidation()  # the parts' own messages say what is missing
        total = sum(values)
        if not _blank(field) and field.data != total:
            raise StopValidation(f"应为各项得分之和 {total}")
        field.data, field.raw_data = total, [str(total)]


def _count(low, high):
    def check(form, field):
        n = len(field.entries if isinstance(field, FieldList) else field.data)
        if low is not None and n < low:
            raise ValidationError(f"至少{low}项")
        if high is not None and n > high:
            raise ValidationError(f"最多{high}项")

    return check


def _range(low, high):
    if low is not None and high is not None:
        return NumberRange(low, high, message="应在%(min)s到%(max)s之间")
    return NumberRange(low, high, message="不能小于%(min)s" if low is not None else "不能大于%(max)s")


def _min_items_if(rule):
    def check(form, field):
        if _holds(form, rule["when"]) and len(field.data) < rule["min"]:
            raise ValidationError(f"至少选择{rule['min']}项")

    return check


def _exclude_value_of(other: str, label: str):
    def check(form, field):
        if form[other].data in field.data:
            raise ValidationError(f"不能包含“{label}”中已选的值")

    return check


def _credit_code(form, field):
    message = credit_code.problem(field.data)
    if message:
        raise ValidationError(message)


def _attachments_allowed(form, field):
    allowed = form.meta.attachment_ok
    ids = field.data if isinstance(field.data, list) else [field.data]
    refused = [str(i) for i in ids if allowed and not allowed(i)]
    if refused:
        raise ValidationError(f"附件不存在或无权使用：{'、'.join(refused)}")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _upper(value):
    return value.upper() if isinstance(value, str) else value


def _unique(values):
    return list(dict.fromkeys(values or []))


# A date a form may hold: year 0001 or 9999 is a typing slip, and breaks arithmetic on it (issue 16).
PLAUSIBLE_YEARS = range(1900, 2200)


def _plausible_date(form, field):
    if field.data is not None and field.data.year not in PLAUSIBLE_YEARS:
        raise ValidationError(f"日期须在 {PLAUSIBLE_YEARS.start} 至 {PLAUSIBLE_YEARS.stop - 1} 年之间")


_TEXT = {"filters": [_strip]}
_NOT_A_CHOICE = {"invalid_choice_message": "不是有效的选项"}
# type: (WTForms field class, validators after the common ones, field options)
KINDS = {
    "text": (StringField, [], _TEXT),
    "textarea": (TextAreaField, [], _TEXT),
    "email": (EmailField, [Regexp(EMAIL, message="邮箱格式不正确", matcher=re.fullmatch)], _TEXT),
    "phone": (TelField, [Regexp(PHONE, message="电话号码格式不正确", matcher=re.fullmatch)], _TEXT),
    "credit_code": (StringField, [_credit_code], {"filters": [_strip, _upper]}),
    "integer": (IntegerField, [], {"invalid_value_message": "应为整数"}),
    "decimal": (FiniteDecimalField, [], {"places": None, "invalid_value_message": "应为数字"}),
    "date": (DateField, [_plausible_date], {"invalid_value_message": "日期格式应为 YYYY-MM-DD"}),
    "select": (SelectField, [], _NOT_A_CHOICE),
    "radio": (RadioField, [], _NOT_A_CHOICE),
    "multiselect": (SelectMultipleField, [],
                    {"filters": [_unique], "invalid_choice_message": "无效的选项：%(value)s"}),
    "checkbox": (BooleanField, [], {}),
    "file": (AttachmentField, [_attachments_allowed], {"invalid_value_message": "附件编号无效"}),
    "files": (AttachmentsField, [_attachments_allowed], {}),
}


def _unbound(spec: FieldDef, siblings: dict, locale: str):
    """The unbound WTForms field for one definition field."""
    kw = {"label": localized(spec.label, spec.label_en, locale),
          "description": localized(spec.help, spec.help_en, locale) or ""}
    checks = [Total(spec), Presence(spec)] if spec.sum_of else [Presence(spec)]
    if spec.max_length is not None:
        checks.append(Length(max=spec.max_length, message=f"不能超过{spec.max_length}个字符"))
    if spec.type in {"integer", "decimal"} and (spec.min is not None or spec.max is not None):
        checks.append(_range(spec.min, spec.max))
    if spec.type in COUNTED_TYPES and (spec.min is not None or spec.max is not None):
        checks.append(_count(spec.min, spec.max))
    if spec.min_items_if:
        checks.append(_min_items_if(spec.min_items_if))
    if spec.exclude_value_of:
        other = siblings[spec.exclude_value_of]
        checks.append(_exclude_value_of(other.name, localized(other.label, other.label_en, locale)))
    if spec.choices is not None:
        kw["choices"] = [SelectChoice(c.value, localized(c.label, c.label_en, locale)) for c in spec.choices]
        if spec.type == "select":  # a drop-down starts unchosen, so an untouched table row stays blank
            kw["choices"].insert(0, SelectChoice("", "请选择" if locale == "zh" else "Choose…"))
    if spec.type == "table":
        row = _form_class(RowForm, f"{spec.name}_row", spec.columns, locale)
        return FieldList(FormField(row), validators=checks, min_entries=0, max_entries=MAX_TABLE_ROWS, **kw)
    field_class, type_checks, options = KINDS[spec.type]
    return field_class(validators=[*checks, *type_checks], **options, **kw)


def _form_class(base, name: str, specs, locale: str):
    siblings = {s.name: s for s in specs}
    return type(name, (base,), {s.name: _unbound(s, siblings, locale) for s in specs})


def build_form_class(definition: FormDefinition, locale: str = "zh"):
    return _form_class(PageForm, f"{definition.key}_form", definition.fields, locale)
