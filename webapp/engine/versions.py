"""The deployed versions the engine runs: the latest of a process, a version's process properties and
its parsed spec, each read once per process content and reused."""

import threading

from ..models import ProcessDefinition
from . import serializer
from .errors import NotFound
from .findings import NS
from .xml import parse_xml


def latest_definition(key, required=True):
    definition = (ProcessDefinition.query.filter_by(key=key)
                  .order_by(ProcessDefinition.version.desc()).first())
    if definition is None and required:
        raise NotFound(f"流程 {key} 未部署")
    return definition


_properties = {}


def process_properties(definition):
    """The process-level spiffworkflow:properties (requiresRound, startableBy, startsFor…) of a version."""
    if definition.content_hash not in _properties:
        root = parse_xml(definition.bpmn_xml.encode(), definition.key)
        nodes = root.xpath(f"//bpmn:process[@id='{definition.key}']/bpmn:extensionElements//spiff:property",
                           namespaces=NS)
        _properties[definition.content_hash] = {n.get("name"): n.get("value") for n in nodes}
    return _properties[definition.content_hash]


_message_steps = {}


def message_steps(definition):
    """{message name: the diagram's name of the event that catches it} of a version, so the history names
    a message that arrived by the step it moved (市工信局审核并发布拟入库名单公示), not by its code."""
    if definition.content_hash not in _message_steps:
        root = parse_xml(definition.bpmn_xml.encode(), definition.key)
        names = {m.get("id"): m.get("name") or m.get("id") for m in root.xpath("//bpmn:message", namespaces=NS)}
        steps = {}
        for ref in root.xpath("//*[not(self::bpmn:intermediateThrowEvent) and not(self::bpmn:endEvent)]"
                              "/bpmn:messageEventDefinition/@messageRef", namespaces=NS):
            event = ref.getparent().getparent()
            if event.get("name"):
                steps.setdefault(names.get(str(ref), str(ref)), event.get("name"))
        _message_steps[definition.content_hash] = steps
    return _message_steps[definition.content_hash]


_spec_dicts = {}
_specs = threading.local()


def spec_dict(definition):
    """The stored spec of a version, read from the database once per process (keyed by content)."""
    if definition.content_hash not in _spec_dicts:
        _spec_dicts[definition.content_hash] = definition.spec
    return _spec_dicts[definition.content_hash]


def spec_objects(definition):
    """Parsed spec objects of a version, restored once per thread (keyed by content) and reused.

    Per thread, because a step may rewire the objects for its own case (an event subprocess being
    triggered, see serializer.pristine); a rewired set is dropped and restored afresh.
    """
    specs = getattr(_specs, "by_hash", None)
    if specs is None:
        specs = _specs.by_hash = {}
    cached = specs.get(definition.content_hash)
    if cached is None or not serializer.pristine(cached):
        cached = specs[definition.content_hash] = serializer.spec_from_dict(spec_dict(definition))
    return cached
