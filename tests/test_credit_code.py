"""统一社会信用代码 (GB 32100-2015) check character and shape."""

import pytest

from webapp.formkit import credit_code

# Published codes of well-known companies (Huawei, Tencent, Alibaba, PetroChina, and one with a
# letter in the organisation code); each passes the check, which a wrong algorithm would not.
PUBLISHED = ["914403001922038216", "91440300708461136T", "91330100716105852F", "91110000710925462X",
             "91350100M000100Y43"]


@pytest.mark.parametrize("code", PUBLISHED)
def test_published_codes_are_valid(code):
    assert credit_code.check_digit(code[:17]) == code[17]
    assert credit_code.is_valid(code)


def test_check_digit_builds_valid_codes():
    for first17 in ["91120116MA05JX0A2", "52120000500012345", "Y1120103000000001", "N2120221123456789"]:
        code = first17 + credit_code.check_digit(first17)
        assert credit_code.is_valid(code), code


def test_sum_divisible_by_31_gives_check_zero():
    # weights 1, 3: 1*1 + 10*3 = 31, so the check character is 0 (31 maps to 0).
    assert credit_code.check_digit("1A" + "0" * 15) == "0"


def test_every_wrong_check_character_is_refused():
    code = PUBLISHED[1]
    for c in credit_code.CHARSET.replace(code[17], ""):
        assert not credit_code.is_valid(code[:17] + c)
    assert credit_code.problem(code[:17] + "0") == "统一社会信用代码校验位不正确"


@pytest.mark.parametrize("code", ["", PUBLISHED[0][:17], PUBLISHED[0] + "0", None, 914403001922038216])
def test_wrong_length_or_type_is_refused(code):
    assert not credit_code.is_valid(code)
    assert credit_code.problem(code) == "统一社会信用代码应为18位"


@pytest.mark.parametrize("letter", ["I", "O", "Z", "S", "V", "a", "-"])
def test_forbidden_characters_are_refused(letter):
    code = PUBLISHED[4][:10] + letter + PUBLISHED[4][11:]
    assert not credit_code.is_valid(code)
    assert "不含 I、O、Z、S、V" in credit_code.problem(code)
    with pytest.raises(ValueError):
        credit_code.check_digit(code[:17])


def test_lowercase_is_refused():
    assert not credit_code.is_valid(PUBLISHED[1].lower())


@pytest.mark.parametrize("first17", [
    "01120116MA05JX0A2",  # registration authority 0
    "B1120116MA05JX0A2",  # registration authority B
    "90120116MA05JX0A2",  # institution kind 0
    "9A120116MA05JX0A2",  # institution kind not a digit
    "911201A6MA05JX0A2",  # letter in the administrative-division code
])
def test_bad_prefix_is_refused_even_with_correct_check(first17):
    code = first17 + credit_code.check_digit(first17)
    assert not credit_code.is_valid(code)
    assert "行政区划码" in credit_code.problem(code)
