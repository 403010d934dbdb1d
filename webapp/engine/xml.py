"""Parse uploaded diagrams without ever resolving entities, DTDs or network references."""

from lxml import etree

from .errors import DefinitionError

_PARSER_OPTIONS = dict(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                       huge_tree=False, remove_comments=False)


def parse_xml(content: bytes, filename: str):
    """Return the root element, or raise DefinitionError naming the file and line."""
    if not content or not content.strip():
        raise DefinitionError(f"{filename}: 文件为空")
    parser = etree.XMLParser(**_PARSER_OPTIONS)
    try:
        root = etree.fromstring(content, parser)
    except etree.XMLSyntaxError as err:
        raise DefinitionError(f"{filename}: XML 格式错误（第 {err.lineno} 行）：{err.msg}") from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise DefinitionError(f"{filename}: 不允许包含 DOCTYPE 或实体声明（XML 外部实体攻击防护）")
    if any(isinstance(node, etree._Entity) for node in root.iter()):
        raise DefinitionError(f"{filename}: 不允许使用实体引用")
    return root
