"""The server-rendered pages: one blueprint per area, Chinese by default, English selectable."""

from datetime import date, datetime
from decimal import Decimal

from flask import render_template, request, session
from flask_babel import Babel, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from .. import engine, labels, people
from ..documents.texts import cn_date
from ..engine.clock import ZONE as CLOCK_ZONE

LOCALES = ("zh", "en")


def select_locale():
    chosen = request.args.get("lang") or session.get("lang")
    return chosen if chosen in LOCALES else "zh"


def localtime(value, fmt="%Y-%m-%d %H:%M"):
    return value.astimezone(CLOCK_ZONE).strftime(fmt) if value else ""


def isotime(text, fmt="%Y-%m-%d %H:%M"):
    """An ISO 8601 text (as the API and case data hold times) in China time."""
    try:
        return localtime(datetime.fromisoformat(text), fmt) if text else ""
    except (TypeError, ValueError):
        return text


def field_date(text):
    """A date field's value (ISO text) as the reader writes dates: 2020年5月1日, or 2020-05-01 in English."""
    try:
        day = date.fromisoformat(str(text))
    except ValueError:
        return text
    return cn_date(day) if str(get_locale()) == "zh" else day.isoformat()


def amount(value, kind="decimal"):
    """A number as a person writes it, by its form field's type: an integer's 2000, a decimal's 2,000.00
    (JSON keeps both as floats: never "2000.0"); anything else as it is."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return value
    return f"{int(value)}" if kind == "integer" else f"{value:,.2f}"


def init_app(app):
    Babel(app, locale_selector=select_locale)
    app.jinja_env.filters["localtime"] = localtime
    app.jinja_env.filters["isotime"] = isotime
    app.jinja_env.filters["cndate"] = cn_date
    app.jinja_env.filters["amount"] = amount
    app.jinja_env.filters["field_date"] = field_date
    app.jinja_env.globals.update(
        label=lambda name, value: labels.label(name, value, str(get_locale())),
        options=lambda name: labels.options(name, str(get_locale())),
        locale=lambda: str(get_locale()), person=people.name, workdays_left=engine.workdays.left)

    from . import (
        account,
        cases,
        centers,
        dashboard,
        definitions,
        district,
        documents,
        experts,
        inbox,
        operations,
        public,
        round_lists,
        rounds,
        start,
        vendor,
        versions,
        workspace,
    )
    for module in (account, cases, centers, dashboard, definitions, district, documents, experts, inbox, operations,
                   public, round_lists, rounds, start, vendor, versions, workspace):
        app.register_blueprint(module.bp)

    @app.context_processor
    def bell():
        """The navigation bar's count of unread 站内信 (one indexed count per page)."""
        if not current_user.is_authenticated:
            return {}
        return {"unread_notifications": engine.notifications.unread_count(current_user.username)}

    @app.errorhandler(CSRFError)
    def csrf_refused(err):
        return render_template("error.html", code=400, message=_("页面已过期或缺少安全令牌，请返回刷新后重试。")), 400


ERROR_MESSAGES = {
    403: _l("您无权访问此页面。"), 404: _l("页面不存在，或您无权查看。"), 405: _l("不支持此操作。"),
    409: _l("该事项已被他人处理或状态已变化，请刷新后重试。"), 413: _l("上传的文件过大。"),
    500: _l("服务器内部错误，已记录。"),
}


def error_page(code, message=None):
    return render_template("error.html", code=code, message=message or ERROR_MESSAGES.get(code) or _("出错了。")), code
