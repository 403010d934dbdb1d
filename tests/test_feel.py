"""FEEL in decision tables (webapp/engine/feel.py): unary tests as the DMN editors write them, output
expressions, FEEL's null, and no way from a cell to Python."""

from datetime import date
from decimal import Decimal

import pytest

from webapp.engine import dmn_hit, feel
from webapp.engine.feel_values import parse_duration, to_data, to_feel

N = Decimal


@pytest.mark.parametrize(("cell", "value", "expected"), [
    (">= 90", N(90), True), (">= 90", N("89.99"), False), ("<70", N(69), True), ("= 5", N(5), True),
    ("!= 5", N(5), False),
    ("[80..90[", N(80), True), ("[80..90[", N(90), False), ("]80..90]", N(80), False), ("]80..90]", N(90), True),
    ("(80..90)", N(80), False), ("(80..90)", N(85), True), ("[80..90]", N(90), True),
    ('"a","b"', "b", True), ('"a","b"', "c", False), ("80, 90", N(90), True), ("80, 90", N(85), False),
    ('not("a")', "a", False), ('not("a")', "b", True), ("not(90)", N(90), False), ("not(90)", N(91), True),
    ("not(>= 90, < 10)", N(50), True), ("not(>= 90, < 10)", N(95), False),
    ("-", None, True), ("", "anything", True), ("null", None, True), ("null", N(0), False),
    ("true", True, True), ("true", False, False), ("false", False, True),
    ('< date("2026-01-01")', date(2025, 12, 31), True), ('< date("2026-01-01")', date(2026, 1, 1), False),
    ('[date("2026-01-01")..date("2026-12-31")]', date(2026, 6, 1), True),
    ('>= duration("P7D")', parse_duration("P7D"), True), ('>= duration("P7D")', parse_duration("P6D"), False),
    ("80 <= ? < 90", N(85), True), ("80 <= ? < 90", N(90), False), ("? > 3 and ? < 5", N(4), True),
    ('"中文"', "中文", True),
    # FEEL's null: a number against a text is neither equal nor unequal, so not(…) does not match either
    ('"1"', N(1), False), ('not("1")', N(1), False), ("1", True, False), (">= 90", None, False),
])
def test_unary_tests(cell, value, expected):
    assert feel.matches(cell, value) is expected


@pytest.mark.parametrize(("expression", "expected"), [
    ('"excellent"', "excellent"), ("90", N(90)), ("-1.5", N("-1.5")), ("true", True), ("null", None),
    ("0.1 + 0.2", N("0.3")), ("score * 2", N(170)), ('if score >= 80 then "good" else "poor"', "good"),
    ('"a" + "b"', "ab"), ("applicant.grade", "A"), ("[1, 2]", [N(1), N(2)]),
    ("{x: 1, y: x + 1}", {"x": N(1), "y": N(2)}),
    ('date("2024-01-31") + duration("P1M")', date(2024, 2, 29)), ("sum([1, 2, 3])", N(6)), ("max(1, 5, 3)", N(5)),
    ("missing + 1", None), ('1 + "a"', None), ("1 / 0", None), ("score between 80 and 90", True),
    ("score in [85, 86]", True), ("score in [80..85[", False),
])
def test_expressions(expression, expected):
    assert feel.evaluate(expression, to_feel({"score": 85, "applicant": {"grade": "A"}})) == expected


@pytest.mark.parametrize("cell", [
    "__import__('os').system('id')", "().__class__.__bases__[0]", "open('/etc/passwd')", "eval(1)",
    "x.__class__()", "'single'", ">=", "[80..", "lambda: 1", "import os",
])
def test_python_is_not_feel(cell):
    for parse in (feel.parse_tests, feel.parse_expression):
        with pytest.raises(feel.FeelError):
            parse(cell)


def test_a_name_is_only_looked_up_in_the_case_data():
    assert feel.evaluate("x.__class__", {"x": {}}) is None and feel.evaluate("__builtins__", {}) is None


def test_an_unknown_function_is_refused_when_parsed_not_when_run():
    with pytest.raises(feel.FeelError, match="不支持的函数 system"):
        feel.parse_expression('system("id")')


def test_results_go_back_as_json():
    assert to_data(feel.evaluate("[1.50, 2, date(\"2026-01-02\"), duration(\"P1DT2H\")]")) == [
        1.5, 2, "2026-01-02", "P1DT2H"]


ROWS = [("r1", {"out": "b"}), ("r2", {"out": "a"}), ("r3", {"out": "b"})]
PRIORITY = [("out", ["a", "b"])]


@pytest.mark.parametrize(("policy", "aggregation", "expected"), [
    ("FIRST", None, {"out": "b"}), ("PRIORITY", None, {"out": "a"}),
    ("RULE ORDER", None, [{"out": "b"}, {"out": "a"}, {"out": "b"}]),
    ("OUTPUT ORDER", None, [{"out": "a"}, {"out": "b"}, {"out": "b"}]),
    ("COLLECT", None, [{"out": "b"}, {"out": "a"}, {"out": "b"}]), ("COLLECT", "COUNT", N(3)),
])
def test_hit_policies(policy, aggregation, expected):
    assert dmn_hit.apply(policy, aggregation, ROWS, PRIORITY, "t") == expected


def test_aggregations_and_violations():
    numbers = [("r1", {"n": N(3)}), ("r2", {"n": N(1)}), ("r3", {"n": None})]
    assert [dmn_hit.apply("COLLECT", a, numbers, [], "t") for a in ("SUM", "MIN", "MAX", "COUNT")] == [
        N(4), N(1), N(3), N(2)]
    assert dmn_hit.apply("COLLECT", "SUM", [], [], "t") is None
    assert dmn_hit.apply("UNIQUE", None, [], [], "t") is None
    with pytest.raises(dmn_hit.HitPolicyViolation, match="UNIQUE.*r1、r2"):
        dmn_hit.apply("UNIQUE", None, ROWS[:2], [], "t")
    with pytest.raises(dmn_hit.HitPolicyViolation, match="ANY"):
        dmn_hit.apply("ANY", None, ROWS[:2], [], "t")
    assert dmn_hit.apply("ANY", None, [ROWS[0], ROWS[2]], [], "t") == {"out": "b"}
