"""Texts from the owner's templates: a list of the rule package whose entries are a document's parts
({value: part, label: text with {{ placeholders }}}), rendered in Jinja's sandbox, so a template can
fill in a date or a name but never run code."""

from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from ..engine import clock
from ..engine.errors import EngineError

_env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)


class TemplateProblem(EngineError):
    """A template that does not render: the message names the part and the reason (the owner's to fix)."""

    status = 422


def parts(entries):
    """{part: raw text} of a template list (anything that is not an entry is left out)."""
    return {str(e["value"]): str(e.get("label") or "") for e in entries or [] if isinstance(e, dict) and "value" in e}


def render(entries, context):
    """{part: text} of the template with `context` filled in; TemplateProblem naming a part that fails."""
    return {name: fill(text, context, name) for name, text in parts(entries).items()}


def fill(text, context, name=""):
    """One text of a template with `context` filled in; TemplateProblem naming the part when it fails."""
    try:
        return _env.from_string(text).render(**context).strip()
    except (TemplateError, TypeError, ValueError) as err:
        raise TemplateProblem(f"模板的“{name}”无法生成：{err}") from None


def cn_date(instant):
    """A date as Chinese documents write it: 2026年5月5日 (China time)."""
    day = clock.local(instant).date() if hasattr(instant, "hour") else instant
    return f"{day.year}年{day.month}月{day.day}日"


def paragraphs(text):
    """A rendered part's paragraphs: one a line, blank lines dropped."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]
