"""Resource bounds on owner code (scripts, conditions, DMN cells), so no expression can hold a worker.

A single C-level operation cannot be interrupted, so the operators and string methods that build
large values in one step (`**`, `*`, `<<`, `+`, `%`, `str.ljust`…) are checked *before* they run;
everything that repeats (every `for` and comprehension step, every attribute access) checks a
deadline. What a script leaves in the case data must be plain data of a bounded size: no function
or generator reprs with memory addresses, no 100 MB strings.
"""

import ast
import datetime
import decimal
import re
import threading
import time
from contextlib import contextmanager

from RestrictedPython.transformer import RestrictingNodeTransformer

MAX_SECONDS = 1.0  # one expression or script
MAX_INT_BITS = 4096  # about 1 200 decimal digits
MAX_SIZE = 100_000  # characters of a string, items of a list built in one step
MAX_DATA_SIZE = 1_000_000  # characters and items a script may leave in the case data
MAX_FORMAT_WIDTH = 1000
PLAIN = (type(None), bool, int, float, str, decimal.Decimal, datetime.date, datetime.datetime, datetime.timedelta)

_local = threading.local()


class LimitExceeded(ValueError):
    """Owner code went past a bound; the step fails with this message and nothing of it is kept."""


@contextmanager
def deadline(seconds=MAX_SECONDS):
    """Run the block under a deadline; an enclosing, earlier deadline (a whole deployment's) still applies."""
    outer = getattr(_local, "until", None)
    until = time.monotonic() + seconds
    _local.until = min(until, outer) if outer else until
    try:
        yield
    finally:
        _local.until = outer


def check_time():
    until = getattr(_local, "until", None)
    if until is not None and time.monotonic() > until:
        raise LimitExceeded("脚本或表达式运行超时")


def guarded_iter(iterable):
    """`_getiter_`: every loop step checks the deadline."""
    for item in iter(iterable):
        check_time()
        yield item


def _size(value):
    return len(value) if isinstance(value, str | bytes | list | tuple | dict | set) else 0


def _check_result_size(size):
    if size > MAX_SIZE:
        raise LimitExceeded(f"结果过大（超过 {MAX_SIZE} 个字符或元素）")


def _check_int(bits):
    if bits > MAX_INT_BITS:
        raise LimitExceeded(f"整数过大（超过 {MAX_INT_BITS} 位）")


def _pow(a, b):
    if isinstance(a, int) and isinstance(b, int) and b > 0 and abs(a) > 1:
        _check_int(a.bit_length() * b)
    return a**b


def _mul(a, b):
    for seq, n in ((a, b), (b, a)):
        if _size(seq) and isinstance(n, int):
            _check_result_size(_size(seq) * n)
    if isinstance(a, int) and isinstance(b, int):
        _check_int(a.bit_length() + b.bit_length())
    return a * b


def _lshift(a, b):
    if isinstance(a, int) and isinstance(b, int):
        _check_int(a.bit_length() + b)
    return a << b


def _add(a, b):
    _check_result_size(_size(a) + _size(b))
    return a + b


_PERCENT = re.compile(r"%[-+ #0]*(\d*)(?:\.(\d+))?")


def _mod(a, b):
    if isinstance(a, str):
        for width, precision in _PERCENT.findall(a):
            _check_width(f"{width} {precision}")
    return a % b


def _check_width(spec):
    if any(int(number) > MAX_FORMAT_WIDTH for number in re.findall(r"\d+", spec)):
        raise LimitExceeded(f"格式宽度超过 {MAX_FORMAT_WIDTH}")


OPERATORS = {ast.Pow: _pow, ast.Mult: _mul, ast.LShift: _lshift, ast.Add: _add, ast.Mod: _mod}
_BY_NAME = {op.__name__: fn for op, fn in OPERATORS.items()}


def binop(name, a, b):
    """`_binop_`: the guarded form of the operators that can build huge values in one step."""
    check_time()
    return _BY_NAME[name](a, b)


class BoundedPolicy(RestrictingNodeTransformer):
    """RestrictedPython's policy, plus: `a ** b` (and *, <<, +, %) becomes `_binop_("Pow", a, b)`, and an
    f-string's format width is checked at compile time."""

    def visit_BinOp(self, node):
        node = self.node_contents_visit(node)
        if type(node.op) not in OPERATORS:
            return node
        call = ast.Call(func=ast.Name(id="_binop_", ctx=ast.Load()),
                        args=[ast.Constant(type(node.op).__name__), node.left, node.right], keywords=[])
        return ast.fix_missing_locations(ast.copy_location(call, node))

    def visit_FormattedValue(self, node):
        if node.format_spec is not None:
            _check_width(ast.unparse(node.format_spec))
        return self.node_contents_visit(node)


def inplace(op, a, b):
    """`x += y` and the like (RestrictedPython's `_inplacevar_`) under the same bounds as the operators."""
    name = {"+=": "Add", "*=": "Mult", "**=": "Pow", "<<=": "LShift", "%=": "Mod"}.get(op)
    return binop(name, a, b) if name else None


# String methods whose result size is set by an argument: checked before they run.
def _padding(method):
    def bounded(s, width, *rest):
        _check_result_size(width if isinstance(width, int) else 0)
        return getattr(s, method)(width, *rest)
    return bounded


def _replace(s, old, new, count=-1):
    hits = s.count(old) if old else len(s) + 1
    _check_result_size(len(s) + hits * max(len(new) - len(old), 0))
    return s.replace(old, new, count)


def _expandtabs(s, tabsize=8):
    _check_result_size(len(s) + s.count("\t") * tabsize)
    return s.expandtabs(tabsize)


def _refused(*args, **kwargs):
    raise LimitExceeded("不允许使用 str.format（请用 f-string）")


STRING_METHODS = {name: _padding(name) for name in ("ljust", "rjust", "center", "zfill")}
STRING_METHODS.update(replace=_replace, expandtabs=_expandtabs, format=_refused, format_map=_refused)


def bounded_attribute(obj, name):
    """The bounded form of an amplifying str method bound to obj, or None when the attribute is harmless."""
    check_time()
    if isinstance(obj, str | bytes) and name in STRING_METHODS:
        method = STRING_METHODS[name]
        return lambda *args, **kwargs: method(obj, *args, **kwargs)
    return None


def check_data(value, budget=None):
    """What a script leaves in the case data: plain values only, at most MAX_DATA_SIZE characters/items."""
    budget = budget if budget is not None else [MAX_DATA_SIZE]
    budget[0] -= max(_size(value), 1)
    if budget[0] < 0:
        raise LimitExceeded(f"脚本写入的数据过大（超过 {MAX_DATA_SIZE} 个字符或元素）")
    if isinstance(value, dict):
        for key, item in value.items():
            check_data(key, budget)
            check_data(item, budget)
    elif isinstance(value, list | tuple | set):
        for item in value:
            check_data(item, budget)
    elif not isinstance(value, PLAIN):
        raise LimitExceeded(f"脚本结果只能是数据，不能是 {type(value).__name__}")
