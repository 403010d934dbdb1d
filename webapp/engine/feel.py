"""FEEL as decision tables write it: the grammar (Lark, LALR) and the two entry points a table needs.

A cell is data a process owner (or another tool) wrote; it is parsed here and interpreted by
feel_eval.py, never handed to Python's eval. Input entries are unary tests (`>= 90`, `[80..90[`,
`"a","b"`, `not(...)`, `-`, `null`, `date("…")`); output entries and input expressions are
expressions (literals, names, arithmetic, comparisons, `if … then … else`, lists, contexts and the
functions feel_values.FUNCTIONS knows). One extension: a chained comparison with `?` (`80 <= ? < 90`),
the form this product's tables used before they were FEEL, reads as the range it means.
"""

from functools import lru_cache

from lark import Lark, Tree
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from . import feel_eval
from .feel_values import FUNCTIONS

GRAMMAR = r"""
unary_tests: "-"                          -> any_input
           | "not" "(" positive_tests ")" -> negation
           | positive_tests
positive_tests: positive_test ("," positive_test)*
?positive_test: interval
              | CMP sum                   -> comparison_test
              | expression                -> expression_test

!interval: ("[" | "]" | "(") expression ".." expression ("]" | "[" | ")")

?expression: "if" expression "then" expression "else" expression -> if_expr
           | disjunction
?disjunction: conjunction | disjunction "or" conjunction -> or_
?conjunction: comparison | conjunction "and" comparison -> and_
?comparison: sum
           | sum (CMP sum)+                    -> compare
           | sum "between" sum "and" sum       -> between
           | sum "in" interval                 -> in_interval
           | sum "in" sum                      -> in_value
?sum: product | sum "+" product -> add | sum "-" product -> sub
?product: power | product "*" power -> mul | product "/" power -> div
?power: unary | unary "**" power -> pow
?unary: postfix | "-" unary -> neg
?postfix: atom | postfix "." NAME -> path
?atom: NUMBER                                  -> number
     | STRING                                  -> string
     | "true"                                  -> true
     | "false"                                 -> false
     | "null"                                  -> null
     | "?"                                     -> input_value
     | NAME                                    -> name
     | "(" expression ")"
     | "[" [expression ("," expression)*] "]"  -> list
     | "{" [entry ("," entry)*] "}"            -> context
     | (NAME | DATE_AND_TIME) "(" [expression ("," expression)*] ")" -> call
entry: (NAME | STRING) ":" expression

CMP: "<=" | ">=" | "!=" | "<" | ">" | "="
DATE_AND_TIME.2: /date\s+and\s+time(?=\s*\()/
NAME: /(?!\d)\w+/
NUMBER: /\d+(\.\d+)?|\.\d+/
STRING: /"(?:[^"\\]|\\.)*"/
%ignore /\s+/
"""

_PARSER = Lark(GRAMMAR, start=["unary_tests", "expression"], parser="lalr", maybe_placeholders=False)


class FeelError(ValueError):
    """A cell that is not FEEL this engine runs; the message says why, in Chinese."""


@lru_cache(maxsize=4096)
def parse_tests(text):
    """The tree of a unary-test cell (an empty cell means "any input")."""
    if not (text or "").strip():
        return Tree("any_input", [])
    return _checked(_parse(text, "unary_tests"))


@lru_cache(maxsize=4096)
def parse_expression(text):
    return _checked(_parse(text, "expression"))


def _parse(text, start):
    try:
        return _PARSER.parse(text, start=start)
    except UnexpectedEOF:
        raise FeelError("表达式不完整") from None
    except UnexpectedCharacters as err:
        raise FeelError(f"第 {err.column} 个字符 {text[err.pos_in_stream]!r} 处无法识别") from None
    except UnexpectedToken as err:
        if err.token.type == "$END":
            raise FeelError("表达式不完整") from None
        raise FeelError(f"第 {err.column} 个字符处不应出现 {err.token.value!r}") from None
    except (UnexpectedInput, LarkError) as err:
        raise FeelError(f"无法解析：{err}") from None


def _checked(tree):
    """Refuse at parse time what would only fail later: an unknown function."""
    for call in tree.find_data("call"):
        name = " ".join(str(call.children[0]).split())
        if name not in FUNCTIONS:
            known = "、".join(sorted(FUNCTIONS))
            raise FeelError(f"不支持的函数 {name}()；可用的函数：{known}")
    return tree


def uses_input(tree):
    """Whether an expression names the input value `?`."""
    return any(True for _ in tree.find_data("input_value"))


NUMERIC = {"unary_tests", "positive_tests", "any_input", "negation", "interval", "comparison_test",
           "expression_test", "number", "neg", "compare", "input_value", "and_", "or_"}


def is_numeric_test(cell):
    """Whether a cell tests a number against number literals only (what a band check can probe)."""
    try:
        tree = parse_tests(cell)
    except FeelError:
        return False
    return all(node.data in NUMERIC for node in tree.iter_subtrees())


def listed_values(text):
    """The values of an inputValues/outputValues list (`"Approved", "Declined"`), in order."""
    tree = parse_tests(text)
    tests = tree.children[0].children if tree.data == "unary_tests" else [tree]
    if any(t.data != "expression_test" or uses_input(t) for t in tests):
        raise FeelError("取值列表须为逗号分隔的值，例如 \"优秀\", \"良好\"")
    return [feel_eval.evaluate(t.children[0], {}) for t in tests]


def matches(cell, value, names=None):
    """Whether a unary-test cell holds for `value` (already a FEEL value, see feel_values.to_feel)."""
    return feel_eval.test(parse_tests(cell), value, names or {})


def evaluate(text, names=None, value=None):
    """The FEEL value of an expression over `names` (FEEL values); `value` is what `?` stands for."""
    return feel_eval.evaluate(parse_expression(text), names or {}, value)

