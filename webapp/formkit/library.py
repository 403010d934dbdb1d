"""The forms and choice lists of one rule package, read from their YAML texts.

A process version carries its forms and lists (Art. 16: a rule change is a new version of the whole
package), so a case reads the forms it started with for its whole life, and a draft in the workspace
is checked with its own edited texts before it is ever deployed. A library parses each text once.
"""

import yaml

from ..security import yaml_guard
from .definition import NAME, FormDefinition, FormDefinitionError, FormNotFound, parse_form


def read_yaml(text, source):
    """A YAML document from a text of the package; FormDefinitionError naming the file when it is not one."""
    try:
        return yaml_guard.safe_load(text)
    except yaml.YAMLError as exc:
        raise FormDefinitionError(f"{source}: not valid YAML: {exc}") from None


def with_parameters(raw, params, source):
    """The form document with every `{param: name}` replaced by that rule parameter's value, so a number
    the regulation sets (e.g. how many experts review) is changed once, in the parameters panel."""
    if isinstance(raw, dict):
        if set(raw) == {"param"}:
            if raw["param"] not in params:
                raise FormDefinitionError(f"{source}: 规则参数 {raw['param']!r} 不存在；请先在“规则参数”中添加")
            return params[raw["param"]]
        return {k: with_parameters(v, params, source) for k, v in raw.items()}
    if isinstance(raw, list):
        return [with_parameters(v, params, source) for v in raw]
    return raw


class FormLibrary:
    """forms: {form key: YAML text}; lists: {list name: YAML text}; params: {name: value} of the package."""

    def __init__(self, forms, lists, params=None):
        self.forms, self.lists, self.params = dict(forms or {}), dict(lists or {}), dict(params or {})
        self._parsed, self._entries = {}, {}

    def form(self, key) -> FormDefinition:
        """The form `key` of this package; FormNotFound when it has none, FormDefinitionError when broken."""
        if key not in self._parsed:
            if not isinstance(key, str) or not NAME.match(key) or key not in self.forms:
                raise FormNotFound(key)
            source = f"{key}.yaml"
            raw = with_parameters(read_yaml(self.forms[key], source), self.params, source)
            self._parsed[key] = parse_form(raw, source, key, self.entries)
        return self._parsed[key]

    def entries(self, name):
        """The parsed entries of list `name`, or None when the package has no such list."""
        if name not in self._entries:
            text = self.lists.get(name) if isinstance(name, str) and NAME.match(name) else None
            self._entries[name] = None if text is None else read_yaml(text, f"lists/{name}.yaml")
        return self._entries[name]
