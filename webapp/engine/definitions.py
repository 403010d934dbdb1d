"""Validate and deploy rule packages as numbered versions.

Deployment is all-or-nothing: XML hardening, the BPMN XSD, SpiffWorkflow's own parse, then the lint
(lint.py) and the package's scenarios. Content identical to the latest version yields that version, so
`processes deploy` is idempotent; an older version's content is a new version (a restore).
"""

from flask import current_app
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser import VALIDATOR

from ..extensions import db
from ..models import ProcessDefinition
from . import audit, serializer
from .errors import DefinitionError
from .findings import NS, refuse
from .lint import lint_package
from .package import of_version
from .package import process_key as package_key
from .parser import Parser
from .refusals import explain
from .versions import latest_definition
from .xml import parse_xml


class Parsed:
    """The result of a successful validation: what a deployment stores."""

    def __init__(self, key, name, needs_round, spec_dict, package, policy=()):
        self.key, self.name, self.needs_round, self.policy = key, name, needs_round, list(policy)
        self.spec_dict, self.package = spec_dict, package

    @property
    def content_hash(self):
        return self.package.content_hash


class PolicyChangeRequired(DefinitionError):
    """The diagram deviates from what the regulation fixes: deployable only when the owner confirms with a reason."""


def parse_package(package, confirm_policy_change=False, reason=None, previous=None):
    """Validate a rule package (its diagram, tables, forms and lists); raise DefinitionError listing every
    finding. `previous`: the package in force, for what counts as a policy change.

    Policy-change findings (severity "policy") raise PolicyChangeRequired unless confirm_policy_change
    is true and a reason is given; the accepted ones are on the result's `policy`.
    """
    filename, text = package.bpmn
    root = parse_xml(text.encode(), filename)
    dmn_roots = [(name, parse_xml(data.encode(), name)) for name, data in package.dmns]
    process = executable_process(root, filename)
    key = process.get("id")
    parser = Parser(validator=VALIDATOR)
    try:
        parser.add_bpmn_xml(root, filename)
        for name, dmn_root in dmn_roots:
            parser.add_dmn_xml(dmn_root, name)
    except ValidationException as err:
        raise refused(err, root, getattr(err, "file_name", None) or filename) from None
    findings = lint_package(package, previous, root, dmn_roots)
    errors = [f for f in findings if f.severity == "error"]
    policy = [f for f in findings if f.severity == "policy"]
    if errors:
        raise refuse(f"{filename}: {len(findings)} 处问题", findings)
    if policy and not (confirm_policy_change and (reason or "").strip()):
        err = PolicyChangeRequired(f"{filename}: {len(policy)} 处政策变更，需明确确认（confirm_policy_change）"
                                   "并说明理由（reason）", list(policy))
        err.findings = [f.to_dict() for f in policy]
        raise err
    try:
        spec = parser.get_spec(key)
        subprocess_specs = parser.get_subprocess_specs(key)
    except (ValidationException, SpiffWorkflowException) as err:
        raise refused(err, root, filename) from None
    needs_round = bool(process.xpath(
        "bpmn:extensionElements//spiff:property[@name='requiresRound' and @value='true']", namespaces=NS))
    return Parsed(key, process.get("name") or key, needs_round, serializer.spec_to_dict(spec, subprocess_specs),
                  package, policy)


def refused(err, root, filename):
    """A SpiffWorkflow refusal as a DefinitionError in Chinese, with its element and line (refusals.py)."""
    message, element_id, line = explain(err, root)
    where = f" 第 {line} 行" if line else ""
    return refuse(f"{filename}{where}：{message}", None, element_id, filename, line)


def executable_process(root, filename):
    """The one executable process of a diagram, or a refusal naming the processes it has."""
    processes = root.xpath("//bpmn:process", namespaces=NS)
    executable = [p for p in processes if p.get("isExecutable") == "true"]
    if len(executable) == 1:
        return executable[0]
    named = "、".join(f"{p.get('name') or p.get('id')}（第 {p.sourceline} 行）" for p in (executable or processes))
    first = (executable or processes or [root])[0]
    if executable:
        message = (f"{filename}: 有 {len(executable)} 个可执行流程（{named}）：一个规则包只运行一个流程；"
                   "请只把其中一个标为可执行（isExecutable=\"true\"），其余放进子流程或另建流程")
    elif processes:
        message = (f"{filename}: 流程 {named} 没有标为可执行（isExecutable=\"true\"）：这是一张描述性的图，"
                   "本系统只部署可执行的流程；请在建模器中勾选“可执行”")
    else:
        message = f"{filename}: 文件中没有流程（bpmn:process），无法部署运行"
    raise refuse(message, None, first.get("id"), filename, first.sourceline)


def deploy(package, actor=None, note=None, confirm_policy_change=False, reason=None, run_scenarios=None,
           approved_by=None):
    """Store a rule package as a new version, or return the latest one when it holds exactly this package.

    A policy change (see parse_package) needs confirm_policy_change and a reason; the reason goes into
    the version's note and the audit entry. A new version must pass the package's scenarios; a failing
    one refuses it, naming the scenario and what differed. run_scenarios=False (or the app's
    DEPLOY_SCENARIOS = False) skips them.
    """
    latest = latest_definition(package_key(package.bpmn[1], package.bpmn[0]), required=False)
    parsed = parse_package(package, confirm_policy_change, reason, of_version(latest) if latest else None)
    if latest is not None and latest.content_hash == parsed.content_hash:
        return latest, False  # identical to the rules in force; an older version's content is a restore
    if run_scenarios is None:
        run_scenarios = current_app.config.get("DEPLOY_SCENARIOS", True)
    if run_scenarios:
        check_scenarios(parsed, reason)
    data = {"key": parsed.key, "hash": parsed.content_hash}
    if parsed.policy:
        reason = reason.strip()
        note = f"{note.strip()}\n政策变更理由：{reason}" if (note or "").strip() else f"政策变更理由：{reason}"
        data.update(policy_change=[f.message for f in parsed.policy], reason=reason)
    definition = ProcessDefinition(
        key=parsed.key, version=(latest.version + 1) if latest else 1, name=parsed.name,
        bpmn_xml=package.bpmn[1], dmn_xml=[text for _name, text in package.dmns], content_hash=parsed.content_hash,
        spec=parsed.spec_dict, forms=dict(package.forms), lists=dict(package.lists), parameters=package.parameters,
        scenarios=package.scenarios, needs_round=parsed.needs_round, note=note, deployed_by=actor,
        approved_by=approved_by)
    db.session.add(definition)
    db.session.flush()
    audit.record("deploy", actor, name=f"{parsed.key} v{definition.version}",
                 data={**data, "version": definition.version, "approved_by": approved_by})
    for listener in ON_DEPLOY:
        listener()
    return definition, True


# Called after each new version (labels read the lists in force afresh); the engine knows no listener.
ON_DEPLOY = []


def check_scenarios(parsed, reason):
    from . import scenarios

    if not (parsed.package.scenarios or "").strip():
        return
    try:
        results = scenarios.run(parsed.package, reason=reason)
    except scenarios.ScenarioFileError as err:
        raise refuse(f"场景文件有误：{err}", [f"场景文件有误：{err}"]) from None
    failed = scenarios.failures(results)
    if failed:
        raise refuse(f"{parsed.key}: {len(failed)} 个场景测试未通过", failed)
