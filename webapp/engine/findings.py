"""What a check of a rule package finds: each finding names its file, line and element, in Chinese, so
the process owner can go to it in the workspace and fix it."""

from lxml import etree

from .errors import DefinitionError

NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "spiff": "http://spiffworkflow.org/bpmn/schema/1.0/core",
}
DMN_NS = {"dmn": "https://www.omg.org/spec/DMN/20191111/MODEL/"}


class Finding(str):
    """One lint finding: still the string "<file> 第 <line> 行：<message>" the API has always listed, plus
    its parts (file, line, the id of the nearest enclosing element with one, severity) for the workspace.

    Severity "error" refuses the deployment; "policy" (a change to what the regulation fixes) deploys
    only with the owner's explicit confirmation and a reason.
    """

    def __new__(cls, filename, node, message, severity="error", line=None, element_id=None):
        """`line` and `element_id` name the place when there is no node (a decision read into data)."""
        if node is not None:
            line, element_id = line_of(node), _element_id(node)
        where = f" 第 {line} 行" if line else ""
        if element_id and element_id not in message:  # every message names its element
            where += f"（{element_id}）"
        finding = super().__new__(cls, f"{filename}{where}：{message}")
        finding.file, finding.line, finding.message, finding.severity = filename, line, message, severity
        finding.element_id = element_id
        return finding

    def to_dict(self):
        return {"file": self.file, "line": self.line, "element_id": self.element_id,
                "message": self.message, "severity": self.severity}


def _element_id(node):
    if isinstance(node, etree._ElementUnicodeResult):
        node = node.getparent()
    while node is not None:
        if isinstance(node.tag, str) and node.get("id") and not node.tag.startswith(f"{{{NS['spiff']}}}"):
            return node.get("id")
        node = node.getparent()
    return None


def structured(err):
    """The findings of a DefinitionError as dicts (file, line, element_id, message, severity)."""
    found = getattr(err, "findings", None)
    if found is not None:
        return found
    return [{"file": None, "line": None, "element_id": getattr(err, "element_id", None), "message": text,
             "severity": "error"} for text in err.errors]


def refuse(message, findings, element_id=None, file=None, line=None):
    err = DefinitionError(message, list(findings) if findings else None)
    if findings:
        err.findings = [f.to_dict() if isinstance(f, Finding) else
                        {"file": None, "line": None, "element_id": None, "message": str(f), "severity": "error"}
                        for f in findings]
    else:
        err.findings = [{"file": file, "line": line if isinstance(line, int) else None,
                         "element_id": element_id or None, "message": message, "severity": "error"}]
    return err


def line_of(node):
    return node.getparent().sourceline if isinstance(node, etree._ElementUnicodeResult) else node.sourceline


def text_of(node):
    return str(node) if isinstance(node, etree._ElementUnicodeResult) else (node.text or "")
