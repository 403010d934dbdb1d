"""Moving a running case to the newest version of its process (owner only): check, move, undo."""

from flask import g, jsonify

from ..engine import NotFound, migration
from ..extensions import db
from ..models import ProcessInstance
from . import bp, login_required, spec

# The OpenAPI document's summaries (webapp/api/spec.py) for these two operations.
spec.SUMMARIES.update({"api.migration_check": "能否迁移到最新版本", "api.migration_move": "迁移到最新版本",
                       "api.migration_revert": "撤销最近一次迁移"})


def _instance(instance_id):
    instance = db.session.get(ProcessInstance, instance_id)
    if instance is None:
        raise NotFound("案件不存在")
    return instance


@bp.get("/process-instances/<int:instance_id>/migration")
@login_required("owner")
def migration_check(instance_id):
    return jsonify(migration.check(_instance(instance_id)))


@bp.post("/process-instances/<int:instance_id>/migration")
@login_required("owner")
def migration_move(instance_id):
    instance = migration.move(_instance(instance_id), g.user.username)
    db.session.commit()
    return jsonify({"instance_id": instance.id, "version": instance.definition.version, "moved": True})


@bp.delete("/process-instances/<int:instance_id>/migration")
@login_required("owner")
def migration_revert(instance_id):
    instance = migration.revert(_instance(instance_id), g.user.username)
    db.session.commit()
    return jsonify({"instance_id": instance.id, "version": instance.definition.version, "moved": False})
