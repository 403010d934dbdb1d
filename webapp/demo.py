"""Demo accounts and organisations (API.md's table), created only when asked for."""

from pathlib import Path

import yaml

from .extensions import db
from .formkit.credit_code import check_digit
from .models import Organization, User

PASSWORD = "demo12345"
DISTRICTS_FILE = Path(__file__).resolve().parent.parent / "forms" / "lists" / "districts.yaml"
# (username, organisation, district, the 17 characters before the check digit)
APPLICANTS = (
    ("applicant1", "天津智造数字科技有限公司", "hexi", "91120103MA05K8XQ1"),
    ("applicant2", "天津南开工业互联网有限公司", "nankai", "91120104MA06R2TB3"),
    ("applicant3", "滨海新区智能制造服务有限公司", "binhai", "91120116MA07L5GC8"),
)

# The demo 专家库: (unit, district) of expert1 … expert5, none in a demo applicant's district.
EXPERTS = (
    ("天津大学", "hebei"),
    ("河北工业大学", "hongqiao"),
    ("天津市工业和信息化研究院", "heping"),
    ("天津理工大学", "xiqing"),
    ("中国汽车技术研究中心", "dongli"),
)


def districts():
    return yaml.safe_load(DISTRICTS_FILE.read_text(encoding="utf-8"))


def _user(username, display_name, role, **fields):
    user = User.query.filter_by(username=username).first()
    if user is None:
        user = User(username=username, display_name=display_name, role=role, email=f"{username}@example.cn", **fields)
        user.set_password(PASSWORD)
        db.session.add(user)
    return user


def load():
    """Idempotent: creates whatever of the demo set is missing."""
    _user("owner", "流程管理员", "owner")
    _user("city", "市工业和信息化局", "city")
    _user("city2", "市工业和信息化局（二）", "city")  # a second city official: 转办, approving rule changes
    for n, (unit, district) in enumerate(EXPERTS, 1):
        _user(f"expert{n}", f"评审专家{'一二三四五'[n - 1]}", "expert", unit=unit, district=district,
              related_codes=[])
    for district in districts():
        _user(f"district-{district['value']}", f"{district['label']}工业和信息化局", "district",
              district=district["value"])
    _user("district-hexi2", "河西区工业和信息化局（二）", "district", district="hexi")  # 转办/委派 and 会签
    # 三员分立 (webapp/security/roles.py): accounts, roles and policy, the audit trail — no cases
    _user("sysadmin", "系统管理员", "sysadmin")
    _user("secadmin", "安全管理员", "secadmin")
    _user("auditor", "审计管理员", "auditor")
    for username, name, district, first17 in APPLICANTS:
        code = first17 + check_digit(first17)
        org = Organization.query.filter_by(credit_code=code).first()
        if org is None:
            org = Organization(name=name, credit_code=code, district=district, contact_name="张经理",
                               contact_phone="022-23456789", contact_email=f"{username}@example.cn")
            db.session.add(org)
            db.session.flush()
        _user(username, name, "applicant", organization_id=org.id, district=district)
    db.session.commit()
