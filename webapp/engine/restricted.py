"""Run diagram expressions and scripts under RestrictedPython.

SpiffWorkflow evaluates every condition, script, timer value and DMN cell as Python. A diagram is
data a process owner uploads, so it must not reach the interpreter: code is compiled with
`compile_restricted` (no dunder names, no `_`-prefixed attributes), attribute and item access go
through guards, only a short list of builtins exists, `while` loops are refused and `range` is
bounded so a script cannot spin forever.
"""

import ast
import builtins
import operator
from functools import lru_cache

from RestrictedPython import compile_restricted_eval, compile_restricted_exec
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safer_getattr,
)
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from . import bounds, clock

MAX_RANGE = 10_000


def _bounded_range(*args):
    result = range(*args)
    if len(result) > MAX_RANGE:
        raise ValueError(f"range() 超过上限 {MAX_RANGE}")
    return result


SAFE_BUILTINS = {
    name: getattr(builtins, name)
    for name in (
        "abs", "all", "any", "bool", "dict", "divmod", "enumerate", "filter", "float", "int", "isinstance",
        "len", "list", "map", "max", "min", "reversed", "round", "set", "sorted", "str", "sum", "tuple", "zip",
        "True", "False", "None", "ValueError", "KeyError",
    )
}
SAFE_BUILTINS["range"] = _bounded_range


class RefusedExpression(Exception):
    """Raised at compile time, so a deployment can name the offending expression."""


def _refuse_unsafe_nodes(tree, source):
    for node in ast.walk(tree):
        if isinstance(node, ast.While):
            raise RefusedExpression(f"不允许使用 while 循环：{source!r}")
        if isinstance(node, ast.Name) and node.id not in SAFE_BUILTINS and hasattr(builtins, node.id):
            if isinstance(node.ctx, ast.Load):
                raise RefusedExpression(f"不允许使用 {node.id}：{source!r}")


@lru_cache(maxsize=4096)
def compile_expression(source: str):
    return _compile(source.strip(), "eval")


@lru_cache(maxsize=1024)
def compile_script(source: str):
    return _compile(source, "exec")


def _compile(source, mode):
    try:
        tree = ast.parse(source, mode=mode)
    except SyntaxError as err:
        raise RefusedExpression(f"语法错误（第 {err.lineno} 行）：{source!r}") from None
    _refuse_unsafe_nodes(tree, source)
    compiler = compile_restricted_eval if mode == "eval" else compile_restricted_exec
    try:
        result = compiler(source, policy=bounds.BoundedPolicy)
    except bounds.LimitExceeded as err:
        raise RefusedExpression(f"{err}：{source!r}") from None
    if result.errors:
        raise RefusedExpression(f"{'; '.join(result.errors)}：{source!r}")
    return result.code


def _guarded_getitem(obj, key):
    if isinstance(key, str) and key.startswith("_"):
        raise KeyError(key)
    return operator.getitem(obj, key)


def _inplacevar(op, x, y):
    bounded = bounds.inplace(op, x, y)
    if bounded is not None:
        return bounded
    ops = {"+=": operator.add, "-=": operator.sub, "*=": operator.mul, "/=": operator.truediv,
           "//=": operator.floordiv, "%=": operator.mod}
    if op not in ops:
        raise RefusedExpression(f"不支持的运算 {op}")
    return ops[op](x, y)


def _bounded_getattr(obj, name, *default):
    return bounds.bounded_attribute(obj, name) or safer_getattr(obj, name, *default)


def restricted_globals():
    return {
        "__builtins__": SAFE_BUILTINS,
        "_getattr_": _bounded_getattr,
        "_getitem_": _guarded_getitem,
        "_getiter_": bounds.guarded_iter,
        "_binop_": bounds.binop,
        "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
        "_unpack_sequence_": guarded_unpack_sequence,  # x, y = 1, 2
        "_write_": full_write_guard,
        "_inplacevar_": _inplacevar,
    }


_GUARD_NAMES = set(restricted_globals())


def evaluate(source: str, names: dict):
    """Evaluate one expression against `names` (task data)."""
    scope = restricted_globals()
    scope.update(names)
    with bounds.deadline():
        return eval(compile_expression(source), scope)  # noqa: S307 - restricted bytecode, guarded globals


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):
    """SpiffWorkflow environment whose evaluate/execute only run restricted bytecode; every expression also
    reads the case version's rule parameters as `params` (never stored in the case data)."""

    def __init__(self, services=None, params=None, calendar=None):
        super().__init__({})
        self.services = services
        self.params = dict(params or {})
        self.calendar = calendar

    def working_days_later(self, count):
        """The end of the `count`th working day from now, as a timer's timeDate (ISO 8601)."""
        if self.calendar is None:
            raise RefusedExpression("此处没有工作日历")
        return self.calendar.add(clock.now(), int(count)).isoformat()

    def _case_names(self, names):
        names["params"] = self.params
        names["working_days_later"] = self.working_days_later
        return names

    def evaluate(self, expression, context, external_context=None):
        names = dict(external_context or {})
        names.update(context)
        return evaluate(expression, self._case_names(names))

    def execute(self, script, context, external_context=None):
        scope = restricted_globals()
        scope.update(external_context or {})
        scope.update(context)
        self._case_names(scope)
        try:
            with bounds.deadline():
                exec(compile_script(script), scope)  # noqa: S102 - restricted bytecode, guarded globals
            for key, value in scope.items():
                if key not in _GUARD_NAMES and key not in ("__builtins__", "params") and not callable(value) \
                        and context.get(key) is not value:
                    bounds.check_data(value)
        except Exception as err:
            # SpiffWorkflow builds its message as "<type>:" + args[0] and fails on a non-text argument
            # ({}[1] raises KeyError(1)), which would hide the script's own error.
            err.args = tuple(str(a) for a in err.args)
            raise
        for key, value in scope.items():
            if key in ("__builtins__", "params") or key in _GUARD_NAMES or callable(value):
                continue
            context[key] = value
        return True

    def call_service(self, context, operation_name, operation_params, element_id=None, **kwargs):
        if self.services is None:
            raise RefusedExpression(f"此处不能调用服务 {operation_name}")
        return self.services.call(operation_name, {k: v["value"] for k, v in operation_params.items()}, element_id)
