"""Interpret a parsed FEEL cell (feel.py's trees) over FEEL values (feel_values.py).

Errors are FEEL's null, as the standard says: a name the case does not have, a number added to a
string, a division by zero. A test is satisfied only when it is true, so null never matches.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal, DivisionByZero, InvalidOperation

from lark import Token

from .feel_values import Duration, add_months, call, compare, equal, is_number, kind

CMP = {"=": lambda c: c == 0, "!=": lambda c: c != 0, "<": lambda c: c < 0, "<=": lambda c: c <= 0,
       ">": lambda c: c > 0, ">=": lambda c: c >= 0}


def test(tree, value, names):
    """Whether unary tests hold for `value`: True or False (null counts as not satisfied)."""
    if tree.data == "any_input":
        return True
    if tree.data == "negation":
        results = [_positive(t, value, names) for t in tree.children[0].children]
        return None not in results and not any(results)
    return any(_positive(t, value, names) is True for t in tree.children[0].children)


def _positive(tree, value, names):
    if tree.data == "interval":
        return _in_interval(value, tree, names, value)
    if tree.data == "comparison_test":
        op, endpoint = tree.children
        return _compare(value, str(op), evaluate(endpoint, names, value))
    expression = tree.children[0]
    result = evaluate(expression, names, value)
    if any(True for _ in expression.find_data("input_value")):
        return result is True
    if isinstance(result, list) and not isinstance(value, list):
        return any(equal(value, item) is True for item in result)
    return equal(value, result)


def _compare(a, op, b):
    if op in ("=", "!="):
        same = equal(a, b)
        return None if same is None else (same if op == "=" else not same)
    order = compare(a, b)
    return None if order is None else CMP[op](order)


def _in_interval(value, tree, names, input_value):
    low_bracket, low, _dots, high, high_bracket = tree.children
    low, high = evaluate(low, names, input_value), evaluate(high, names, input_value)
    above = _compare(value, ">=" if str(low_bracket) == "[" else ">", low)
    below = _compare(value, "<=" if str(high_bracket) == "]" else "<", high)
    if above is None or below is None:
        return None
    return above and below


def evaluate(tree, names, value=None):
    """The value of an expression tree; `value` is what `?` stands for."""
    if isinstance(tree, Token):
        return str(tree)
    handler = _HANDLERS.get(tree.data)
    if handler is None:  # a parenthesised expression kept as its only child
        return evaluate(tree.children[0], names, value)
    return handler(tree, names, value)


def _args(tree, names, value):
    return [evaluate(child, names, value) for child in tree.children]


ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t", "r": "\r"}


def _string(text):
    """A string literal's text: FEEL's escapes \\" \\\\ \\n \\t \\r (any other backslash stays as written)."""
    body, out, i = text[1:-1], [], 0
    while i < len(body):
        if body[i] == "\\" and i + 1 < len(body) and body[i + 1] in ESCAPES:
            out.append(ESCAPES[body[i + 1]])
            i += 2
        else:
            out.append(body[i])
            i += 1
    return "".join(out)


def _name(tree, names, _value):
    return names.get(str(tree.children[0]))


def _path(tree, names, value):
    base = evaluate(tree.children[0], names, value)
    key = str(tree.children[1])
    if isinstance(base, list):
        return [item.get(key) if isinstance(item, dict) else None for item in base]
    return base.get(key) if isinstance(base, dict) else None


def _boolean(result):
    return result if isinstance(result, bool) else None


def _or(tree, names, value):
    a, b = (_boolean(x) for x in _args(tree, names, value))
    if a is True or b is True:
        return True
    return None if a is None or b is None else False


def _and(tree, names, value):
    a, b = (_boolean(x) for x in _args(tree, names, value))
    if a is False or b is False:
        return False
    return None if a is None or b is None else True


def _chain(tree, names, value):
    """`a < b` and, as an extension, a chain like `80 <= ? < 90` (each pair compared)."""
    parts = tree.children
    left = evaluate(parts[0], names, value)
    result = True
    for i in range(1, len(parts), 2):
        right = evaluate(parts[i + 1], names, value)
        step = _compare(left, str(parts[i]), right)
        if step is None:
            return None
        result = result and step
        left = right
    return result


def _between(tree, names, value):
    x, low, high = _args(tree, names, value)
    a, b = _compare(x, ">=", low), _compare(x, "<=", high)
    return None if a is None or b is None else a and b


def _in_value(tree, names, value):
    x, collection = _args(tree, names, value)
    if isinstance(collection, list):
        return any(equal(x, item) is True for item in collection)
    return equal(x, collection)


def _in_interval_expr(tree, names, value):
    return _in_interval(evaluate(tree.children[0], names, value), tree.children[1], names, value)


def _arithmetic(op):
    def run(tree, names, value):
        a, b = _args(tree, names, value)
        try:
            return op(a, b)
        except (TypeError, ValueError, InvalidOperation, DivisionByZero, ZeroDivisionError, OverflowError):
            return None
    return run


def _plus(a, b):
    if is_number(a) and is_number(b) or isinstance(a, str) and isinstance(b, str):
        return a + b
    if isinstance(a, Duration) and isinstance(b, Duration) and a.kind == b.kind:
        return Duration(a.kind, a.amount + b.amount)
    if isinstance(b, Duration | date) and isinstance(a, Duration):
        a, b = b, a
    if isinstance(a, date) and isinstance(b, Duration):
        if b.kind == "ym":
            return add_months(a, b.amount)
        moved = (datetime.combine(a, datetime.min.time()) if not isinstance(a, datetime) else a) \
            + timedelta(seconds=float(b.amount))
        return moved if isinstance(a, datetime) or moved.time() != datetime.min.time() else moved.date()
    return None


def _minus(a, b):
    if is_number(a) and is_number(b):
        return a - b
    if isinstance(b, Duration):
        return _plus(a, Duration(b.kind, -b.amount))
    if isinstance(a, date) and isinstance(b, date) and kind(a) == kind(b):
        return Duration("dt", Decimal(str((a - b).total_seconds() if isinstance(a, datetime)
                                          else (a - b).days * 86400)))
    return None


def _times(a, b):
    if is_number(a) and is_number(b):
        return a * b
    if isinstance(a, Duration) and is_number(b):
        return Duration(a.kind, a.amount * b)
    if isinstance(b, Duration) and is_number(a):
        return Duration(b.kind, b.amount * a)
    return None


def _divide(a, b):
    if is_number(a) and is_number(b):
        return a / b
    if isinstance(a, Duration) and is_number(b):
        return Duration(a.kind, a.amount / b)
    return None


def _power(a, b):
    return a ** b if is_number(a) and is_number(b) else None


def _neg(tree, names, value):
    x = evaluate(tree.children[0], names, value)
    if is_number(x):
        return -x
    return Duration(x.kind, -x.amount) if isinstance(x, Duration) else None


def _if(tree, names, value):
    condition, then, otherwise = tree.children
    return evaluate(then if evaluate(condition, names, value) is True else otherwise, names, value)


def _context(tree, names, value):
    result = {}
    for entry in tree.children:
        key, expression = entry.children
        key = _string(str(key)) if key.type == "STRING" else str(key)
        result[key] = evaluate(expression, {**names, **result}, value)
    return result


def _call(tree, names, value):
    name = " ".join(str(tree.children[0]).split())
    return call(name, [evaluate(child, names, value) for child in tree.children[1:]])


_HANDLERS = {
    "number": lambda t, n, v: Decimal(str(t.children[0])),
    "string": lambda t, n, v: _string(str(t.children[0])),
    "true": lambda t, n, v: True, "false": lambda t, n, v: False, "null": lambda t, n, v: None,
    "input_value": lambda t, n, v: v, "name": _name, "path": _path,
    "or_": _or, "and_": _and, "compare": _chain, "between": _between, "in_value": _in_value,
    "in_interval": _in_interval_expr,
    "add": _arithmetic(_plus), "sub": _arithmetic(_minus), "mul": _arithmetic(_times),
    "div": _arithmetic(_divide), "pow": _arithmetic(_power), "neg": _neg, "if_expr": _if,
    "list": lambda t, n, v: _args(t, n, v), "context": _context, "call": _call,
}
