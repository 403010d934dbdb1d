"""Who an enterprise account is: the checks an organisation's identity passes before it may apply.

An enterprise's name, 统一社会信用代码 and district are fixed when its account is registered; every
application then takes them from the account (forms' `from_account` + `readonly`), so an account can
apply only as itself. Here the identity is checked locally: the code's check character, one account
per code, and the district against the code's 行政区划码 where the code names a district.

This module is the seam for real identity verification: where 天津市政务服务网's unified login (an
OIDC provider) is connected, its verified claims (name, code) replace what the person typed, and
`problems` is still asked about the district.
"""

from . import labels
from .formkit import credit_code
from .models import Organization

# Names the history gives to actors that are not accounts; no account may take one.
RESERVED_USERNAMES = frozenset({"system", "public", "cli", "scenario", "test", "owner-cli"})


def district_of_code(code: str) -> str | None:
    """The district whose 行政区划码 the code carries (characters 3-8), or None when it names none."""
    division = code[2:8] if isinstance(code, str) else ""
    for district in labels.entries("districts"):
        if division in district.get("division_codes", ()):
            return district["value"]
    return None


def problems(code: str, district: str) -> dict[str, str]:
    """{field: message} of what keeps an organisation with this code and district from registering."""
    found = {}
    message = credit_code.problem(code)
    if message:
        return {"credit_code": message}
    if Organization.query.filter_by(credit_code=code).first() is not None:
        found["credit_code"] = "该统一社会信用代码已注册（每个单位只能注册一个账号）"
    named = district_of_code(code)
    if named is not None and district and named != district:
        found["district"] = (f"统一社会信用代码的行政区划码 {code[2:8]} 属于{labels.label('districts', named)}，"
                             f"与所选所属区不符")
    return found
