"""统一社会信用代码 (GB 32100-2015): 18 characters, the last a check character over the first 17.

Art. 5 requires applicants to be independent legal persons; a mistyped code is the most common
defect in an application, so it is caught at entry by its check character.
"""

import re

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, Z, S, V
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)  # 3**i % 31

# 登记管理部门 (1-9, A, N, Y), 机构类别 (a digit), 6-digit 行政区划码; checked loosely, not per table.
_PREFIX = re.compile(r"[1-9ANY][1-9][0-9]{6}")


def check_digit(first17: str) -> str:
    """The check character for the first 17 characters of a code."""
    if len(first17) != 17 or any(c not in CHARSET for c in first17):
        raise ValueError(f"not the first 17 characters of a credit code: {first17!r}")
    total = sum(CHARSET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def problem(code: str) -> str | None:
    """What is wrong with code, as a message for the applicant; None when it is valid."""
    if not isinstance(code, str) or len(code) != 18:
        return "统一社会信用代码应为18位"
    if any(c not in CHARSET for c in code):
        return "统一社会信用代码只能由数字和大写字母组成（不含 I、O、Z、S、V）"
    if not _PREFIX.match(code):
        return "统一社会信用代码的登记管理部门、机构类别或行政区划码不正确"
    if code[17] != check_digit(code[:17]):
        return "统一社会信用代码校验位不正确"
    return None


def is_valid(code: str) -> bool:
    return problem(code) is None
