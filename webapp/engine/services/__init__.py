"""Operations a diagram's service tasks may call (spiffworkflow:serviceTaskOperator id=...).

They write the programme's public records — notices, objections, the resource pool, grades —
in the same transaction as the case, so a case and its records commit or roll back together.
Every number (the notice period, the categories) arrives as a parameter from the diagram.
Each module of this package contributes its OPERATIONS; a new module is picked up by itself.
"""

import importlib
import json
import pkgutil

from .. import audit, privileged

OPERATIONS = {}
for _module in pkgutil.iter_modules(__path__):
    OPERATIONS.update(importlib.import_module(f"{__name__}.{_module.name}").OPERATIONS)


class Services:
    """The operations bound to one case and the person whose action triggered them.

    Each call's audit entry waits in `events` for the step to write them with its own, in one INSERT.
    """

    def __init__(self, instance, actor):
        self.instance, self.actor, self.events = instance, actor, []

    def form(self, key=None):
        """A form of the case's own version; without a key, the form the process starts with (startForm)."""
        from ..package import library
        from ..versions import process_properties

        definition = self.instance.definition
        return library(definition).form(key or process_properties(definition).get("startForm"))

    def entries(self, name):
        """The entries of a choice list of the case's own version (None when it has no such list)."""
        from ..package import library

        return library(self.instance.definition).entries(name)

    def call(self, name, params, element_id=None):
        """Run one operation for the service task `element_id`; its entry is the system's, not the actor's."""
        operation = OPERATIONS.get(name)
        if operation is None:
            raise KeyError(f"未知服务 {name}")
        refused = privileged.refusal(name, self.instance.process_key)
        if refused:  # a version deployed before the rule, or past the lint: refused when it runs too
            raise PermissionError(refused)
        result = operation(self, **params)
        self.events.append(audit.event("service", audit.SYSTEM, self.instance.id, element_id=element_id, name=name,
                                       data={"params": params, "result": result}))
        return json.dumps(result, ensure_ascii=False)
