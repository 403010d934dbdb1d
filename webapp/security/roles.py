"""三员分立 (等保 2.0 8.1.4.2): three administrators, none of whom handles a case or reads one.

* sysadmin (系统管理员) manages accounts: creates officials' accounts, deactivates and reactivates them,
  resets passwords, assigns a district;
* secadmin (安全管理员) manages roles and the security policy: changes a business account's role, lifts
  login locks;
* auditor (审计管理员) reads the audit trail, and nothing else.
No one of them may change another administrator's account; the business roles (forms/lists/roles.yaml)
are never given to them, and their roles are never given through the pages.
"""

from functools import wraps

from flask import abort
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

ADMIN_ROLES = {"sysadmin": _l("系统管理员"), "secadmin": _l("安全管理员"), "auditor": _l("审计管理员")}
HOME = {"sysadmin": "security.users", "secadmin": "security.policy", "auditor": "security.audit"}
# The business roles an administrator may give an official's account (applicants register themselves).
OFFICIAL_ROLES = ("city", "district", "expert", "owner")


def home_endpoint(role):
    return HOME.get(role)


def label(role):
    return ADMIN_ROLES.get(role)


def only(role):
    """A page for one administrator role; everyone else gets 403 (audited as permission_denied)."""
    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role != role:
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorator
