"""规则参数: the values the regulation sets, as named, typed parameters of a rule package.

A package's parameters file maps each name to its label, type, unit, value, the range the regulation
allows and the article it comes from:

    notice_days:
      label: 公示期
      type: integer          # integer | decimal | text
      unit: 天
      value: 7
      min: 7                 # 第六条（三）：不少于7日
      article: 第六条（三）

Every expression of the diagram (conditions, scripts, timers, service parameters, due dates) reads them
as `params["notice_days"]`; a value outside its range is refused at deploy; changing a range itself is a
policy change (guardrails.py). `guards: [notice.publish.period]` makes a literal written in that service
parameter respect the same bounds.
"""

import json
import re
from dataclasses import dataclass

import yaml

from ..formkit.definition import NAME
from ..security import yaml_guard
from .errors import DefinitionError

TYPES = {"integer": int, "decimal": (int, float), "text": str}
KEYS = {"label", "type", "unit", "value", "min", "max", "article", "help", "guards"}


@dataclass(frozen=True)
class Parameter:
    name: str
    label: str
    type: str
    value: object
    unit: str | None = None
    min: float | None = None
    max: float | None = None
    article: str | None = None
    help: str | None = None
    guards: tuple = ()  # service parameters ("notice.publish.period") that must respect the bounds too

    def problem(self, value):
        """Why `value` cannot be this parameter's value, or None."""
        kinds = TYPES[self.type]
        if isinstance(value, bool) or not isinstance(value, kinds):
            return f"应为{ {'integer': '整数', 'decimal': '数字', 'text': '文字'}[self.type] }"
        if self.min is not None and value < self.min:
            return f"不能小于 {self.min}{self.unit or ''}（{self.article or '规范'}）"
        if self.max is not None and value > self.max:
            return f"不能大于 {self.max}{self.unit or ''}（{self.article or '规范'}）"
        return None


def read(text):
    """{name: Parameter} of a parameters file (None or empty: none); DefinitionError naming each problem."""
    if not (text or "").strip():
        return {}
    try:
        raw = yaml_guard.safe_load(text)
    except yaml.YAMLError as err:
        raise DefinitionError(f"parameters.yaml: 不是有效的 YAML：{err}") from None
    if not isinstance(raw, dict):
        raise DefinitionError("parameters.yaml: 须为 参数名: {label, type, value, …} 的映射")
    found, problems = {}, []
    for name, spec in raw.items():
        where = f"parameters.yaml: 参数 {name}"
        if not isinstance(name, str) or not NAME.match(name) or not isinstance(spec, dict):
            problems.append(f"{where}: 名称须为小写字母、数字和下划线，内容须为映射")
            continue
        unknown = set(spec) - KEYS
        if unknown or spec.get("type") not in TYPES or not isinstance(spec.get("label"), str) or "value" not in spec:
            problems.append(f"{where}: 须有 label、type（{'、'.join(TYPES)}）和 value"
                            + (f"，不认识 {sorted(unknown)}" if unknown else ""))
            continue
        parameter = Parameter(name=name, **{**spec, "guards": tuple(spec.get("guards") or ())})
        problem = parameter.problem(parameter.value)
        if problem:
            problems.append(f"{where}（{parameter.label}）的值 {parameter.value!r} {problem}")
            continue
        found[name] = parameter
    if problems:
        raise DefinitionError(f"规则参数有 {len(problems)} 处问题", problems)
    return found


def values(text):
    """{name: value}: what the diagram's expressions see as `params`."""
    return {name: p.value for name, p in read(text).items()}


def with_values(text, values):
    """The parameters file with some values replaced (the panel's edit): only each `value:` line changes, so
    the owner's comments and order stay; a value of the wrong kind or outside its range is then refused by
    read(), as any other."""
    raw = yaml_guard.safe_load(text or "") or {}
    if not isinstance(raw, dict):
        raise DefinitionError("parameters.yaml: 须为 参数名: {label, type, value, …} 的映射")
    unknown = [name for name in values if name not in raw]
    if unknown:
        raise DefinitionError(f"没有规则参数 {'、'.join(map(str, unknown))}")
    for name, value in values.items():
        line = re.compile(rf"(^{re.escape(name)}:[ \t]*\n(?:[ \t]+.*\n|[ \t]*\n)*?[ \t]+value:[ \t]*)[^\n#]*",
                          re.M)
        text, found = line.subn(lambda m, v=value: m.group(1) + json.dumps(v, ensure_ascii=False), text, count=1)
        if not found:
            raise DefinitionError(f"规则参数 {name} 没有写成一行的 value，请在 YAML 中修改")
    return text
