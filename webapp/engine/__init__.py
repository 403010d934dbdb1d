"""The only package that imports SpiffWorkflow: deploy diagrams, run cases, fire timers, deliver messages."""

from . import (
    attachments,
    changes,
    deadlines,
    experts,
    milestones,
    notifications,
    operations,
    oversight,
    package,
    parameters,
    round_close,
    task_drafts,
    workdays,
)
from .compare import compare as compare_versions
from .definitions import ON_DEPLOY, PolicyChangeRequired, deploy, parse_package
from .disclosure import reader
from .errors import (
    Conflict,
    DefinitionError,
    EngineError,
    NotAllowed,
    NotFound,
    ScriptError,
    ValidationFailed,
)
from .findings import structured
from .forms import form_for, opening_values
from .package import Package, assemble, from_repository, of_version
from .runtime import (
    attachment_checker,
    can_start,
    claim,
    complete,
    deliver_message,
    fire_timers,
    start,
    start_round_cases,
    task_context,
    visible_task,
)
from .versions import latest_definition, message_steps, process_properties

__all__ = [
    "Package", "assemble", "changes", "compare_versions", "deadlines", "experts", "from_repository", "notifications",
    "attachments", "milestones", "of_version", "operations", "oversight", "package", "parameters", "task_drafts",
    "round_close", "workdays",
    "ON_DEPLOY", "PolicyChangeRequired", "process_properties", "structured",
    "Conflict", "DefinitionError", "EngineError", "NotAllowed", "NotFound", "ScriptError", "ValidationFailed",
    "attachment_checker", "can_start", "claim", "complete", "deliver_message", "deploy", "fire_timers", "form_for",
    "latest_definition", "message_steps", "opening_values", "parse_package", "reader", "start", "start_round_cases",
    "task_context", "visible_task",
]
