"""Admission into the resource pool (the pool.admit service the selection diagram calls)."""

from datetime import datetime, timedelta

import pytest
from selection import run_timers, to_notice

from webapp.engine import Conflict
from webapp.engine.services import Services
from webapp.extensions import db
from webapp.models import PoolEntry, ProcessInstance


def test_an_organisation_already_in_the_pool_is_not_admitted_twice(app, as_user):
    instance_id, _, notice = to_notice(as_user)
    assert run_timers(app, datetime.fromisoformat(notice["ends_at"]) + timedelta(seconds=1)) == 1
    with app.app_context():
        instance = db.session.get(ProcessInstance, instance_id)
        entry = PoolEntry.query.filter_by(organization_id=instance.organization_id).one()
        assert entry.instance_id == instance_id and entry.categories == ["consulting", "testing"]
        with pytest.raises(Conflict, match="已在资源池中"):
            Services(instance, "system").call("pool.admit", {"categories": ["consulting"]})
        assert PoolEntry.query.filter_by(organization_id=instance.organization_id).count() == 1
