"""The oversight figures (issue 17) for the bureau's own tools: the dashboard's tables and a version's steps,
scoped as the page is (a district official: their district's)."""

from flask import current_app, g, jsonify, request

from .. import labels
from ..engine import clock, oversight
from ..models import ProcessDefinition
from . import bp, error, login_required


def _filters():
    return oversight.filters_for(g.user, request.args,
                                 oversight.processes_offered([v for v, _text in labels.options("processes")]),
                                 [v for v, _text in labels.options("districts")])


def _shown(filters):
    return {"process": filters.process, "version": filters.version, "round": filters.round_id,
            "year": filters.year, "district": filters.district}


@bp.get("/oversight")
@login_required(*oversight.READERS)
def oversight_figures():
    filters = _filters()
    if filters is None:
        return error(404, "尚未部署流程")
    refreshed, now, size = oversight.last_refresh(), clock.now(), current_app.config["PAGE_SIZE"]
    overdue = oversight.overdue(filters, now, limit=size + 1)
    return jsonify({"computed_at": refreshed.computed_at.isoformat() if refreshed else None,
                    "filters": _shown(filters), **oversight.summary(filters),
                    "overdue": [{"task_id": task.id, "instance_id": task.instance_id, "element_id": task.element_id,
                                 "district": task.district, "role": task.role, "due_at": task.due_at.isoformat()}
                                for task in overdue[:size]],
                    "more_overdue": len(overdue) > size})


@bp.get("/oversight/steps")
@login_required(*oversight.READERS)
def oversight_steps():
    """Each step of one version (?version=, default the latest): waiting cases, times, on-time share."""
    filters = _filters()
    query = ProcessDefinition.query.filter_by(key=filters.process) if filters else None
    if filters is not None and filters.version is not None:
        query = query.filter_by(version=filters.version)
    definition = query.order_by(ProcessDefinition.version.desc()).first() if query is not None else None
    if definition is None:
        return error(404, "流程版本不存在")
    return jsonify({"filters": {**_shown(filters), "version": definition.version},
                    "steps": oversight.heat(definition, filters)})
