"""The one YAML reader for what a process owner uploads (forms, lists, parameters, scenarios).

yaml.safe_load builds no objects, but anchors and aliases still let 449 bytes stand for billions of
nodes, which whatever walks the result then expands. The document is composed first and its size
*as expanded* counted (each node's size once, so the count is linear in the text); a document over
MAX_NODES is refused before anything is constructed. Anchors stay usable (the scenarios use them).
"""

import yaml

MAX_NODES = 100_000
MAX_CHARS = 2_000_000


class YamlTooLarge(yaml.YAMLError):
    """The document would expand past MAX_NODES (an alias bomb) or is longer than MAX_CHARS."""


def _expanded_size(node, sizes):
    known = sizes.get(id(node))
    if known is not None:
        return known
    if isinstance(node, yaml.MappingNode):
        children = [part for pair in node.value for part in pair]
    elif isinstance(node, yaml.SequenceNode):
        children = node.value
    else:
        children = []
    sizes[id(node)] = 1  # a recursive alias counts once instead of looping
    total = 1
    for child in children:
        total += _expanded_size(child, sizes)
        if total > MAX_NODES:
            break
    sizes[id(node)] = total
    return total


def safe_load(text):
    """yaml.safe_load, refusing a document that expands past MAX_NODES nodes (YamlTooLarge)."""
    if text is not None and len(text) > MAX_CHARS:
        raise YamlTooLarge(f"YAML 文档超过 {MAX_CHARS} 个字符")
    loader = yaml.SafeLoader(text or "")
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if _expanded_size(node, {}) > MAX_NODES:
            raise YamlTooLarge(f"YAML 文档展开后超过 {MAX_NODES} 个节点（锚点/别名过多）")
        return loader.construct_document(node)
    finally:
        loader.dispose()
