"""What each role may read of a case, as the case's own process version declares it.

Declared in the package, not in code:
* `readableBy` — a property of any step (user, script, service task, event): the roles that may read
  what the step produces: its submission, who did it, and the data it writes (on the process's start
  event: who started the case, and the start form as the history shows it) (a user task's form
  fields and its multi-instance items and output collection, a script's variables, a service's result,
  a message's variable). A name that an unrestricted step also writes is not hidden: the case data
  holds the last value written under a name, whoever wrote it.
* `readable_by` — a form field's list of roles that may read its value wherever it shows. The form a
  case is started with is also kept whole as `start_data`, read only by who may read all of its fields.

Besides the roles, a declaration may name `party`: the accounts of the organisation the case belongs to.
A step may put a task in another organisation's inbox (a complaint's answer goes to the provider
complained about); that organisation's accounts are applicants too, but not the case's party, so what
is declared "city, party" (who complained, and about what) stays hidden from them.

The city reads everything; everyone reads what they did themselves. The process owner runs the rules,
not the cases: of a case they see where it is and what happened (steps, dates, errors), but of its
submissions and data only what a step or field declares readable by "owner" (等保: least privilege). While any
instance of a multi-instance step is open, its finished instances (their authors, submissions and
items) are read by no one else: a reviewer sees no other reviewer's work until all have scored.

`reader(user, instance)` answers for one person and one case, and the API, the pages, the history and
the exports all ask it.
"""

from dataclasses import dataclass, field

from ..formkit import FormDefinitionError, FormNotFound
from ..formkit.definition import CASE_PARTY
from ..models import AuditEvent, HumanTask
from .findings import NS
from .lint import script_names
from .package import library as package_library
from .xml import parse_xml

READS_ALL = frozenset({"city"})
DECLARED_ONLY = frozenset({"owner"})  # reads a case's content only where the package names the role
START_DATA = "start_data"  # the start form's values, as runtime keeps them
_STEP_TAGS = ("userTask", "scriptTask", "serviceTask", "businessRuleTask", "task", "manualTask", "sendTask",
              "receiveTask", "callActivity", "startEvent", "intermediateCatchEvent", "boundaryEvent")


@dataclass(frozen=True)
class Policy:
    """A version's declarations: readers per step, per data name and per message; products of reviews."""

    steps: dict = field(default_factory=dict)  # element id -> frozenset of roles
    data: dict = field(default_factory=dict)  # data name -> frozenset of roles
    messages: dict = field(default_factory=dict)  # message name -> frozenset of roles
    reviews: dict = field(default_factory=dict)  # multi-instance user task id -> the names it writes
    start: frozenset | None = None  # readers of the process's start event: who started the case, and with what


def _roles(value):
    return frozenset(r.strip() for r in (value or "").split(",") if r.strip())


def _form_fields(library, key):
    try:
        return library.form(key).fields
    except (FormNotFound, FormDefinitionError):
        return ()


def _products(node, multi, library):
    """The data names a step writes (for a multi-instance user task: its items and output collection,
    its scripts' variables; its form's fields stay inside each instance)."""
    names = set()
    if not multi:
        for key in node.xpath("bpmn:extensionElements//spiff:property[@name='formKey']/@value",
                              namespaces=NS):
            names |= {f.name for f in _form_fields(library, str(key))}
    names |= {str(v) for v in node.xpath(
        "bpmn:multiInstanceLoopCharacteristics/bpmn:loopDataOutputRef/text()"
        " | bpmn:multiInstanceLoopCharacteristics/bpmn:inputDataItem/@name"
        " | bpmn:multiInstanceLoopCharacteristics/bpmn:outputDataItem/@name"
        " | bpmn:extensionElements/spiff:serviceTaskOperator/@resultVariable"
        " | .//spiff:messageVariable/text()", namespaces=NS)}
    for script in node.xpath("bpmn:script/text() | bpmn:extensionElements/spiff:preScript/text()"
                             " | bpmn:extensionElements/spiff:postScript/text()", namespaces=NS):
        found = script_names(str(script), "exec")
        names |= found[1] if found else set()
    return {n.strip() for n in names if n.strip()}


def build_policy(bpmn_text, key, library):
    """The Policy of one version's diagram and the forms of its package."""
    root = parse_xml(bpmn_text.encode(), key)
    message_names = {m.get("id"): m.get("name") or m.get("id") for m in root.xpath("//bpmn:message", namespaces=NS)}
    steps, restricted, free, messages, reviews = {}, {}, set(), {}, {}
    for node in root.xpath(" | ".join(f"//bpmn:{tag}" for tag in _STEP_TAGS), namespaces=NS):
        multi = bool(node.xpath("bpmn:multiInstanceLoopCharacteristics", namespaces=NS))
        products = _products(node, multi, library)
        declared = node.xpath("bpmn:extensionElements//spiff:property[@name='readableBy']/@value",
                              namespaces=NS)
        if multi and node.tag.endswith("userTask"):
            reviews[node.get("id")] = frozenset(products)
        if not declared:
            free |= products
            continue
        readers = _roles(declared[0])
        steps[node.get("id")] = readers
        for name in products:
            restricted[name] = restricted.get(name, readers) & readers
        for ref in node.xpath(".//bpmn:messageEventDefinition/@messageRef", namespaces=NS):
            name = message_names.get(str(ref), str(ref))
            messages[name] = messages.get(name, readers) & readers
    data = {name: readers for name, readers in restricted.items() if name not in free}
    start_forms = {str(k) for k in root.xpath("//spiff:property[@name='startForm']/@value", namespaces=NS)}
    for form_key in root.xpath("//spiff:property[@name='formKey' or @name='startForm']/@value",
                               namespaces=NS):
        for f in _form_fields(library, str(form_key)):
            if f.readable_by is not None:
                readers = frozenset(f.readable_by)
                for name in (f.name, START_DATA) if str(form_key) in start_forms else (f.name,):
                    data[name] = data.get(name, readers) & readers
    starts = root.xpath("//bpmn:process/bpmn:startEvent/@id", namespaces=NS)
    start = next((steps[str(i)] for i in starts if str(i) in steps), None)
    return Policy(steps=steps, data=data, messages=messages, reviews=reviews, start=start)


_policies = {}


def policy(definition):
    """A version's Policy, built once per process (keyed by its content)."""
    if definition.content_hash not in _policies:
        _policies[definition.content_hash] = build_policy(definition.bpmn_xml, definition.key, package_library(
            definition))
    return _policies[definition.content_hash]


class Reader:
    """What one person may read of one case."""

    def __init__(self, user, instance, policy_, open_elements=None):
        self.user, self.instance, self.policy = user, instance, policy_
        self.reads_all = user.role in READS_ALL
        party = user.role == "applicant" and user.organization_id is not None \
            and user.organization_id == instance.organization_id
        self.roles = frozenset({user.role, CASE_PARTY} if party else {user.role})
        self._open = None if open_elements is None else frozenset(open_elements) & frozenset(policy_.reviews)

    @property
    def open_reviews(self):
        """The multi-instance steps of the case with an instance still open (read when first needed)."""
        if self._open is None:
            self._open = frozenset(e for (e,) in HumanTask.query.filter(
                HumanTask.instance_id == self.instance.id, HumanTask.state == "open",
                HumanTask.element_id.in_(list(self.policy.reviews))).with_entities(HumanTask.element_id)) \
                if self.policy.reviews else frozenset()
        return self._open

    def _declared(self, readers):
        """Whether what is declared readable by `readers` (None: nothing declared) is the person's to read."""
        if self.user.role in DECLARED_ONLY:
            return readers is not None and self.user.role in readers
        return readers is None or bool(self.roles & readers)

    def step(self, element_id, actor=None):
        """Whether the person may read a step's submission and who did it."""
        if self.reads_all or (actor is not None and actor == self.user.username):
            return True
        return self._declared(self.policy.steps.get(element_id)) and (
            element_id not in self.policy.reviews or element_id not in self.open_reviews)

    def started(self, actor):
        """Whether the person may read who started the case (`actor`) and what they started it with."""
        return self.reads_all or actor == self.user.username or self._declared(self.policy.start)

    def name(self, name):
        """Whether the person may read the case data under this name."""
        if self.reads_all:
            return True
        if not self._declared(self.policy.data.get(name)):
            return False
        reviews = [e for e, names in self.policy.reviews.items() if name in names]
        return not reviews or not (set(reviews) & self.open_reviews)

    def data(self, values):
        """The case data (or a submission, a task's context) without what the person may not read."""
        if not isinstance(values, dict) or self.reads_all:
            return values
        return {k: v for k, v in values.items() if self.name(k)}

    def submission(self, task):
        """A completed task's data as the person may read it, or None when the step is not theirs to read."""
        if not self.step(task.element_id, task.completed_by):
            return None
        return task.data if task.completed_by == self.user.username else self.data(task.data)

    def assignee(self, task):
        """Who an open task waits for, or None when the person may not know."""
        return task.assignee if self.step(task.element_id, task.assignee) else None

    def entry(self, e):
        """One history entry as the person may read it: a hidden step's actor and data become None."""
        action, data = e["action"], e["data"]
        if e["element_id"] and action in STEP_ACTIONS and not self.step(e["element_id"], e["actor"]):
            return dict(e, actor=None, data=None)
        if action in ("draw", "reassign", "add_reviewer", "remove_reviewer") and not self.reads_all:
            # who reviews is the city's to know
            return dict(e, data=None)
        if action == "resolve":  # a delegate's values, read as the step's own
            return dict(e, data=self.data(data))
        if action == "message" and not self.reads_all:
            readers = self.policy.messages.get(e["name"])
            if readers is not None and not self.roles & readers:
                return dict(e, data=None)
        if action == "complete" and e["actor"] != self.user.username:
            return dict(e, data=self.data(data))
        if action == "start" and not self.started(e["actor"]):
            return dict(e, actor=None, data=None)
        if action == "start" and isinstance(data, dict) and isinstance(data.get("data"), dict):
            return dict(e, data=dict(data, data=self.data(data["data"])))
        return e

    def history(self):
        """The case's 流转记录, oldest first, as the person may read it."""
        entries = AuditEvent.query.filter_by(instance_id=self.instance.id).order_by(AuditEvent.id)
        return [self.entry({"at": e.at, "actor": e.actor, "action": e.action, "element_id": e.element_id,
                            "name": e.name, "data": e.data}) for e in entries]


# History entries about one step (its completion, and the task operations on it): shown as the step is.
STEP_ACTIONS = ("complete", "claim", "unclaim", "service", "transfer", "delegate", "resolve", "cc", "urge", "draw",
                "reassign", "add_reviewer", "remove_reviewer")


def reader(user, instance, open_elements=None):
    """The Reader for this person and case; `open_elements` (element ids of its open tasks) saves a query."""
    return Reader(user, instance, policy(instance.definition), open_elements)
