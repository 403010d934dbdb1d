"""A rule package: what one version of a process is — its diagram, decision tables, forms, choice
lists, rule parameters and scenarios — stored together, so a case reads only its own version's rules
for its whole life (Art. 16) and a rule change is a new version of the whole.

The repository's `processes/` and `forms/` are only the seed of version 1 (`from_repository`); pages,
the API and the engine read packages from the database.
"""

import hashlib
from dataclasses import dataclass, field, replace
from pathlib import Path

from lxml import etree
from sqlalchemy import func
from sqlalchemy.orm import undefer

from ..formkit import FormLibrary
from ..formkit.definition import NAME
from .errors import DefinitionError
from .parameters import values as parameter_values
from .xml import parse_xml

NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
      "spiff": "http://spiffworkflow.org/bpmn/schema/1.0/core"}
# The process and task properties that name a form of the package.
FORM_PROPERTIES = ("formKey", "startForm", "objectionForm")


@dataclass(frozen=True)
class Package:
    """bpmn: (file name, text); dmns: ((file name, text), …); forms and lists: {key: YAML text}."""

    bpmn: tuple
    dmns: tuple = ()
    forms: dict = field(default_factory=dict)
    lists: dict = field(default_factory=dict)
    parameters: str | None = None
    scenarios: str | None = None

    @property
    def content_hash(self):
        """The same for the same rules, whatever the order of the files."""
        digest = hashlib.sha256(self.bpmn[1].encode())
        for kind, parts in (("dmn", sorted(text for _name, text in self.dmns)), ("form", sorted(self.forms.items())),
                            ("list", sorted(self.lists.items())),
                            ("parameters", [self.parameters or ""]), ("scenarios", [self.scenarios or ""])):
            for part in parts:
                digest.update(f"\0{kind}\0{part}".encode())
        return digest.hexdigest()

    def library(self, forms=None, lists=None):
        """The package's forms and lists (with `forms`/`lists` texts in place of its own), reading its
        parameters; broken parameters read as none, as their own lint already names the problem."""
        try:
            params = parameter_values(self.parameters)
        except DefinitionError:
            params = {}
        return FormLibrary({**self.forms, **(forms or {})}, {**self.lists, **(lists or {})}, params)

    def to_content(self):
        """The package as JSON (a draft's or a pending change's content)."""
        return {"bpmn": list(self.bpmn), "dmns": [list(d) for d in self.dmns], "forms": dict(self.forms),
                "lists": dict(self.lists), "parameters": self.parameters, "scenarios": self.scenarios}

    @classmethod
    def from_content(cls, content):
        return cls(bpmn=tuple(content["bpmn"]), dmns=tuple(tuple(d) for d in content.get("dmns", [])),
                   forms=dict(content.get("forms") or {}), lists=dict(content.get("lists") or {}),
                   parameters=content.get("parameters"), scenarios=content.get("scenarios"))

    def changed(self, **parts):
        """A copy with some parts replaced (a draft's edit, an upload over the latest version)."""
        return replace(self, **parts)


def dmn_names(key, count):
    """The file names a version's decision tables go by: <key>.dmn, <key>-2.dmn, …"""
    return [f"{key}.dmn" if i == 0 else f"{key}-{i + 1}.dmn" for i in range(count)]


def of_version(definition):
    """The package a deployed version holds."""
    tables = list(definition.dmn_xml or [])
    return Package(bpmn=(f"{definition.key}.bpmn", definition.bpmn_xml),
                   dmns=tuple(zip(dmn_names(definition.key, len(tables)), tables, strict=True)),
                   forms=dict(definition.forms or {}), lists=dict(definition.lists or {}),
                   parameters=definition.parameters, scenarios=definition.scenarios)


def form_keys(bpmn_text):
    """The forms a diagram names (task forms, its start form, its objection form)."""
    try:
        root = parse_xml(bpmn_text.encode(), "diagram.bpmn")
    except Exception:  # noqa: BLE001 - an unreadable diagram names no forms; deploying it says why
        return []
    names = " or ".join(f"@name='{p}'" for p in FORM_PROPERTIES)
    return sorted({str(v).strip() for v in root.xpath(f"//spiff:property[{names}]/@value", namespaces=NS)
                   if NAME.match(str(v).strip())})


def from_repository(bpmn_path, forms_dir):
    """The seed package of processes/<key>.bpmn: its tables (<stem>*.dmn), the forms it names from
    forms/, every list of forms/lists/, and <stem>.parameters.yaml and <stem>.scenarios.yaml beside it."""
    bpmn_path, forms_dir = Path(bpmn_path), Path(forms_dir)
    text = _text(bpmn_path)
    beside = bpmn_path.parent
    forms = {key: _text(forms_dir / f"{key}.yaml") for key in form_keys(text)
             if (forms_dir / f"{key}.yaml").is_file()}
    lists = {p.stem: _text(p) for p in sorted((forms_dir / "lists").glob("*.yaml")) if NAME.match(p.stem)}
    optional = {kind: _text(beside / f"{bpmn_path.stem}.{kind}.yaml") if (beside / f"{bpmn_path.stem}.{kind}.yaml")
                .is_file() else None for kind in ("parameters", "scenarios")}
    dmns = tuple((p.name, _text(p)) for p in sorted(beside.glob(f"{bpmn_path.stem}*.dmn")))
    return Package(bpmn=(bpmn_path.name, text), dmns=dmns, forms=forms, lists=lists, **optional)


def _text(path):
    return decode_xml(path.read_bytes(), path.name) if path.suffix in (".bpmn", ".dmn") else decode_yaml(
        path.read_bytes(), path.name)


def decode_xml(content, name):
    """An uploaded diagram or table as text: UTF-8, or whatever encoding its XML declaration names."""
    if isinstance(content, str):
        return content
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:  # a modeler's ISO-8859-1 file with its declaration: lxml reads the bytes
        return etree.tostring(parse_xml(content, name), encoding="unicode")


def decode_yaml(content, name):
    """An uploaded form, list, parameters or scenarios file as text (UTF-8)."""
    if isinstance(content, str):
        return content
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        raise DefinitionError(f"{name}: 须为 UTF-8 编码的文本") from None


def latest_versions(*columns):
    """The latest version of every process, the most recently deployed last (`columns`: deferred ones
    to load with them)."""
    from ..extensions import db
    from ..models import ProcessDefinition

    newest = (db.session.query(ProcessDefinition.key, func.max(ProcessDefinition.version).label("version"))
              .group_by(ProcessDefinition.key).subquery())
    return (ProcessDefinition.query.join(newest, (ProcessDefinition.key == newest.c.key)
                                         & (ProcessDefinition.version == newest.c.version))
            .options(*(undefer(getattr(ProcessDefinition, c)) for c in columns))
            .order_by(ProcessDefinition.deployed_at, ProcessDefinition.id).all())


def current(kind):
    """{key: text} of the "forms" or "lists" of every process's latest version; where two carry the
    same one, the most recently deployed wins. What pages label codes with, and what a process deployed
    for the first time starts from."""
    merged = {}
    for definition in latest_versions(kind):
        merged.update(getattr(definition, kind) or {})
    return merged


def process_key(bpmn_text, name="diagram.bpmn"):
    found = parse_xml(bpmn_text.encode(), name).xpath("//bpmn:process[@isExecutable='true']/@id", namespaces=NS)
    return str(found[0]) if found else None


def assemble(bpmn, dmns=None, forms=None, lists=None, parameters=None, scenarios=None):
    """The whole package a deployment means: the parts given (bpmn: (file name, bytes or text); dmns: a
    list of (name, content) replacing all tables; forms and lists: {key: content} replacing those keys)
    over the latest version of the same process, whose other parts carry over. A form the diagram names
    that neither is given nor was in the version comes from the current packages of the other processes
    (as every list does for a process deployed for the first time); forms the diagram no longer names
    are dropped."""
    from .versions import latest_definition

    name, text = bpmn[0], decode_xml(bpmn[1], bpmn[0])
    key = process_key(text, name)
    latest = latest_definition(key, required=False) if key else None
    base = of_version(latest) if latest else Package(bpmn=(name, text), lists=current("lists"))
    known = {**current("forms"), **base.forms,
             **{k: decode_yaml(v, f"{k}.yaml") for k, v in (forms or {}).items()}}
    return base.changed(
        bpmn=(name, text), dmns=base.dmns if dmns is None else tuple((n, decode_xml(c, n)) for n, c in dmns),
        forms={k: known[k] for k in form_keys(text) if k in known},
        lists={**base.lists, **{k: decode_yaml(v, f"lists/{k}.yaml") for k, v in (lists or {}).items()}},
        parameters=base.parameters if parameters is None else decode_yaml(parameters, "parameters.yaml"),
        scenarios=base.scenarios if scenarios is None else decode_yaml(scenarios, "scenarios.yaml"))


_libraries, _params = {}, {}


def params_of(definition):
    """{name: value} of a deployed version's rule parameters (what expressions read as `params`), once per
    process (keyed by its content)."""
    found = _params.get(definition.content_hash)
    if found is None:
        found = _params[definition.content_hash] = parameter_values(definition.parameters)
    return found


def library(definition):
    """The forms and lists of a deployed version, parsed once per process (keyed by its content)."""
    found = _libraries.get(definition.content_hash)
    if found is None:
        found = _libraries[definition.content_hash] = FormLibrary(definition.forms or {}, definition.lists or {},
                                                                        params_of(definition))
    return found


def already_deployed(package):
    """Whether some version of the package's process holds exactly this package."""
    from ..models import ProcessDefinition

    key = process_key(package.bpmn[1], package.bpmn[0])
    return ProcessDefinition.query.filter_by(key=key, content_hash=package.content_hash).first() is not None
