"""The pages of the security controls: one's own password and sessions, and the three administrators'
pages (accounts for sysadmin, roles and locks for secadmin, the audit trail for auditor)."""

from datetime import datetime, time

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Regexp, ValidationError

from .. import labels
from ..extensions import db
from ..models import AuditEvent, User
from ..paging import page_of, request_page
from ..web.account import free_username
from . import events, passwords, sessions, throttle
from .roles import ADMIN_ROLES, OFFICIAL_ROLES, only

bp = Blueprint("security", __name__)


class PasswordForm(FlaskForm):
    current = PasswordField(_l("当前密码"), validators=[DataRequired(_l("此项为必填项"))])
    password = PasswordField(_l("新密码"), validators=[DataRequired(_l("此项为必填项"))])
    confirm = PasswordField(_l("确认新密码"), validators=[EqualTo("password", message=_l("两次输入的密码不一致"))])

    def validate_current(self, field):
        if not current_user.check_password(field.data or ""):
            raise ValidationError(_("当前密码不正确"))

    def validate_password(self, field):
        for message in passwords.problems(field.data, current_user.username, current_user):
            raise ValidationError(message)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = PasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        passwords.set_password(user, form.password.data)
        sessions.revoke_all(user.id)  # every other browser and token signs in again
        sessions.sign_in(user, "password_changed")
        flash(_("密码已修改，其他设备上的登录已失效"), "success")
        return redirect(url_for("public.home"))
    return render_template("security/password.html", form=form, expired=passwords.expired(current_user))


@bp.post("/account/logout-everywhere")
@login_required
def logout_everywhere():
    events.record("logout_everywhere", current_user.username)
    sessions.revoke_all(current_user.id)
    db.session.commit()
    return redirect(url_for("account.login"))


class NewUserForm(FlaskForm):
    username = StringField(_l("登录用户名"), validators=[
        DataRequired(_l("此项为必填项")), Regexp(r"^[A-Za-z0-9_.-]{3,40}$", message=_l("3-40位字母、数字或 _ . -")),
        free_username])
    display_name = StringField(_l("姓名或单位"), validators=[DataRequired(_l("此项为必填项")),
                                                           Regexp(r"^.{1,100}$", message=_l("不能超过100个字符"))])
    role = SelectField(_l("角色"), validators=[DataRequired(_l("此项为必填项"))])
    district = SelectField(_l("所属区"))

    def validate_district(self, field):
        if self.role.data == "district" and not field.data:
            raise ValidationError(_("区级账号须选择所属区"))


def _choices(form):
    form.role.choices = [(role, labels.label("roles", role, "zh")) for role in OFFICIAL_ROLES]
    form.district.choices = [("", _("（无）"))] + labels.options("districts", "zh")


def _business_account(user_id):
    """An account an administrator may change: not an administrator's (they change no one of their kind)."""
    user = db.session.get(User, user_id)
    if user is None or user.role in ADMIN_ROLES:
        abort(404)
    return user


@bp.route("/admin/users", methods=["GET", "POST"])
@only("sysadmin")
def users():
    form = NewUserForm()
    _choices(form)
    if form.validate_on_submit():
        user = User(username=form.username.data, display_name=form.display_name.data, role=form.role.data,
                    district=form.district.data or None)
        db.session.add(user)
        temporary = passwords.temporary_password()
        passwords.set_password(user, temporary, temporary=True)
        events.record("account_created", current_user.username,
                      data={"username": user.username, "role": user.role, "district": user.district})
        db.session.commit()
        flash(_("账号 %(name)s 已创建，初始密码：%(password)s（仅显示一次，首次登录须修改）",
                name=user.username, password=temporary), "success")
        return redirect(url_for("security.users"))
    query = User.query.order_by(User.username)
    q = (request.args.get("q") or "").strip()[:80]
    if q:
        query = query.filter(User.username.contains(q) | User.display_name.contains(q))
    page = page_of(query, request_page(request.args)[0])
    return render_template("security/users.html", form=form, page=page, q=q, admin_roles=ADMIN_ROLES,
                           districts=labels.options("districts", "zh"))


@bp.post("/admin/users/<int:user_id>/active")
@only("sysadmin")
def set_active(user_id):
    user = _business_account(user_id)
    user.active = request.form.get("active") == "1"
    if not user.active:
        sessions.revoke_all(user.id)
    events.record("account_activated" if user.active else "account_deactivated", current_user.username,
                  data={"username": user.username})
    db.session.commit()
    return redirect(url_for("security.users", q=user.username))


@bp.post("/admin/users/<int:user_id>/reset")
@only("sysadmin")
def reset_password(user_id):
    user = _business_account(user_id)
    temporary = passwords.temporary_password()
    passwords.set_password(user, temporary, temporary=True)
    sessions.revoke_all(user.id)
    events.record("password_reset", current_user.username, data={"username": user.username})
    db.session.commit()
    flash(_("%(name)s 的新密码：%(password)s（仅显示一次，登录后须修改）", name=user.username, password=temporary),
          "success")
    return redirect(url_for("security.users", q=user.username))


@bp.post("/admin/users/<int:user_id>/district")
@only("sysadmin")
def assign_district(user_id):
    user = _business_account(user_id)
    district = request.form.get("district") or None
    if district is not None and district not in {value for value, _label in labels.options("districts", "zh")}:
        abort(422)
    if user.role == "district" and district is None:
        abort(422)
    user.district = district
    sessions.revoke_all(user.id)  # what the account may see changed: it signs in again
    events.record("district_assigned", current_user.username, data={"username": user.username, "district": district})
    db.session.commit()
    return redirect(url_for("security.users", q=user.username))


@bp.get("/admin/policy")
@only("secadmin")
def policy():
    q = (request.args.get("q") or "").strip()[:80]
    found = User.query.filter(User.username == q).first() if q else None
    settings = {name: current_app.config[name] for name in (
        "PASSWORD_MIN_LENGTH", "PASSWORD_MAX_AGE_DAYS", "PASSWORD_HISTORY", "LOGIN_MAX_FAILURES",
        "LOGIN_IP_MAX_FAILURES", "LOGIN_LOCK_MINUTES", "SESSION_IDLE_MINUTES", "SESSION_MAX_HOURS",
        "TOKEN_MAX_AGE", "AUDIT_RETENTION_DAYS")}
    return render_template("security/policy.html", locks=throttle.locked_accounts(), q=q, found=found,
                           roles=[(r, labels.label("roles", r, "zh")) for r in OFFICIAL_ROLES],
                           admin_roles=ADMIN_ROLES, settings=settings)


@bp.post("/admin/unlock")
@only("secadmin")
def unlock():
    username = (request.form.get("username") or "")[:120]
    if throttle.unlock(username):
        events.record("unlocked", current_user.username, data={"username": username})
    db.session.commit()
    flash(_("已解除锁定：%(name)s", name=username), "success")
    return redirect(url_for("security.policy"))


@bp.post("/admin/users/<int:user_id>/role")
@only("secadmin")
def change_role(user_id):
    user = _business_account(user_id)
    role = request.form.get("role")
    if role not in OFFICIAL_ROLES or user.role == "applicant":
        abort(422)
    before, user.role = user.role, role
    sessions.revoke_all(user.id)
    events.record("role_changed", current_user.username, data={"username": user.username, "from": before, "to": role})
    db.session.commit()
    flash(_("%(name)s 的角色已改为 %(role)s", name=user.username, role=labels.label("roles", role, "zh")), "success")
    return redirect(url_for("security.policy", q=user.username))


def _day(text, end=False):
    try:
        day = datetime.strptime(text or "", "%Y-%m-%d").date()
    except ValueError:
        return None
    from ..web import CLOCK_ZONE
    return datetime.combine(day, time.max if end else time.min, tzinfo=CLOCK_ZONE)


@bp.get("/audit")
@only("auditor")
def audit():
    """The audit trail, searched read-only: nothing on this page changes or removes an entry."""
    args = {key: (request.args.get(key) or "").strip()[:80]
            for key in ("actor", "action", "result", "ip", "from", "to")}
    query = AuditEvent.query
    for key, column in (("actor", AuditEvent.actor), ("action", AuditEvent.action), ("result", AuditEvent.result),
                        ("ip", AuditEvent.source_ip)):
        if args[key]:
            query = query.filter(column == args[key])
    if _day(args["from"]):
        query = query.filter(AuditEvent.at >= _day(args["from"]))
    if _day(args["to"]):
        query = query.filter(AuditEvent.at <= _day(args["to"], end=True))
    page = page_of(query.order_by(AuditEvent.id.desc()), request_page(request.args)[0])
    return render_template("security/audit.html", page=page, args=args)
