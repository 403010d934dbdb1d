"""Sign in and out, and self-registration of enterprise accounts."""

import re

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, logout_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp, ValidationError

from .. import identity, labels
from ..auth import Locked, authenticate
from ..extensions import db, login_manager
from ..models import Organization, User
from ..security import events, passwords, sessions, throttle
from ..security.proxies import client_ip
from ..security.redirects import safe_next

bp = Blueprint("account", __name__)
MOBILE = re.compile(r"1[3-9]\d{9}")  # a mainland mobile number: where an SMS can go
EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
login_manager.login_view = "account.login"
login_manager.login_message = _l("请先登录。")


class LoginForm(FlaskForm):
    username = StringField(_l("用户名"), validators=[DataRequired(_l("请输入用户名"))])
    password = PasswordField(_l("密码"), validators=[DataRequired(_l("请输入密码"))])


def _identity(field_name):
    """The identity checks (identity.problems) that concern this field of the registration form."""
    def check(form, field):
        found = identity.problems((form.credit_code.data or "").strip().upper(), form.district.data or "")
        if field_name in found:
            raise ValidationError(found[field_name])
    return check


def free_username(form, field):
    if field.data.lower() in identity.RESERVED_USERNAMES or User.query.filter_by(username=field.data).first():
        raise ValidationError(_("该用户名不可用，请换一个"))


def _policy(form, field):
    """The password policy (security/passwords.py), with the username the form is registering."""
    for message in passwords.problems(field.data, form.username.data):
        raise ValidationError(message)


class RegistrationForm(FlaskForm):
    org_name = StringField(_l("单位名称"), validators=[DataRequired(_l("此项为必填项")), Length(max=200)])
    credit_code = StringField(_l("统一社会信用代码"), validators=[DataRequired(_l("此项为必填项")),
                                                           _identity("credit_code")])
    district = SelectField(_l("所属区"), validators=[DataRequired(_l("此项为必填项")), _identity("district")])
    contact_name = StringField(_l("联系人"), validators=[DataRequired(_l("此项为必填项")), Length(max=50)])
    contact_phone = StringField(_l("联系电话"), validators=[
        DataRequired(_l("此项为必填项")), Regexp(r"^[0-9+\- ]{7,20}$", message=_l("电话号码格式不正确"))])
    contact_email = EmailField(_l("电子邮箱"), validators=[
        DataRequired(_l("此项为必填项")), Regexp(EMAIL, message=_l("邮箱格式不正确"))])
    username = StringField(_l("登录用户名"), validators=[
        DataRequired(_l("此项为必填项")), Regexp(r"^[A-Za-z0-9_.-]{3,40}$", message=_l("3-40位字母、数字或 _ . -")),
        free_username])
    password = PasswordField(_l("密码"), validators=[DataRequired(_l("此项为必填项")), _policy])
    confirm = PasswordField(_l("确认密码"), validators=[EqualTo("password", message=_l("两次输入的密码不一致"))])


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = authenticate(form.username.data, form.password.data)
        except Locked:
            flash(_("登录失败次数过多，请 %(n)d 分钟后再试", n=current_app.config["LOGIN_LOCK_MINUTES"]), "danger")
            return render_template("account/login.html", form=form), 429
        if user is not None:
            sessions.sign_in(user)  # authenticate audited the sign-in
            flash(_("欢迎，%(name)s", name=user.display_name), "success")
            return redirect(safe_next(request.args.get("next")) or url_for(home_endpoint(user)))
        flash(_("用户名或密码错误"), "danger")
    return render_template("account/login.html", form=form)


def home_endpoint(user):
    from ..security.roles import home_endpoint as admin_home
    return "cases.mine" if user.role == "applicant" else admin_home(user.role) or "inbox.todo"


@bp.post("/logout")
def logout():
    from flask_login import current_user
    if current_user.is_authenticated:
        events.record("logout", current_user.username)
    sessions.end_web()
    db.session.commit()
    logout_user()
    return redirect(url_for("public.home"))


@bp.route("/register", methods=["GET", "POST"])
def register():
    form = RegistrationForm()
    form.district.choices = [("", _("请选择"))] + labels.options("districts", session.get("lang", "zh"))
    if request.method == "POST" and throttle.registration_limited(client_ip()):
        flash(_("提交过于频繁，请稍后再试"), "danger")
        return render_template("account/register.html", form=form), 429
    if form.validate_on_submit():
        org = Organization(name=form.org_name.data.strip(), credit_code=form.credit_code.data.strip().upper(),
                           district=form.district.data, contact_name=form.contact_name.data,
                           contact_phone=form.contact_phone.data, contact_email=form.contact_email.data)
        db.session.add(org)
        db.session.flush()
        mobile = form.contact_phone.data.strip()
        user = User(username=form.username.data, display_name=org.name, role="applicant",
                    district=org.district, organization_id=org.id, email=form.contact_email.data,
                    mobile=mobile if MOBILE.fullmatch(mobile) else None)
        db.session.add(user)
        passwords.set_password(user, form.password.data)
        sessions.sign_in(user, "register")
        flash(_("注册成功"), "success")
        return redirect(url_for("cases.mine"))
    return render_template("account/register.html", form=form)


class NotificationSettingsForm(FlaskForm):
    email = EmailField(_l("电子邮箱"), validators=[Optional(), Length(max=120),
                                               Regexp(EMAIL, message=_l("邮箱格式不正确"))])
    mobile = StringField(_l("手机号码"), validators=[Optional(),
                                                 Regexp(MOBILE.pattern, message=_l("手机号码格式不正确"))])
    by_email = BooleanField(_l("通过电子邮件通知我"))
    by_sms = BooleanField(_l("通过短信通知我"))
    language = SelectField(_l("通知语言"), choices=[("zh", "中文"), ("en", "English")])


@bp.route("/account/notifications", methods=["GET", "POST"])
@login_required
def notification_settings():
    """通知方式: 站内信 always; e-mail and SMS as the person chooses, to the addresses they give."""
    user = current_user
    form = NotificationSettingsForm(data={"email": user.email, "mobile": user.mobile, "language": user.language,
                                          "by_email": "email" in (user.channels or []),
                                          "by_sms": "sms" in (user.channels or [])})
    if form.validate_on_submit():
        user.email, user.mobile = form.email.data or None, form.mobile.data or None
        user.channels = [c for c, chosen in (("email", form.by_email.data), ("sms", form.by_sms.data)) if chosen]
        user.language = form.language.data
        db.session.commit()
        flash(_("通知方式已保存"), "success")
        return redirect(url_for("account.notification_settings"))
    return render_template("account/notifications.html", form=form)


@bp.before_app_request
def remember_language():
    if request.args.get("lang") in ("zh", "en"):
        session["lang"] = request.args["lang"]
