"""Admission into the resource pool (the pool.admit service the selection diagram calls)."""

from datetime import UTC, datetime, timedelta

from selection import (
    PAST_NOTICE,
    apply,
    assign_experts,
    case,
    complete,
    publish_list,
    recommend,
    run_timers,
    score,
    to_notice,
)

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
        assert Services(instance, "system").call("pool.admit", {"categories": ["consulting"]}) == '{"admitted": false}'
        assert PoolEntry.query.filter_by(organization_id=instance.organization_id).count() == 1


def test_the_same_organisation_through_two_open_rounds_is_admitted_once_and_nothing_fails(app, as_user):
    """Two rounds open at once, one application in each: the first notice to end admits; the second case
    ends "already in the pool" by the diagram's own gateway instead of going into error."""
    first, _ = apply(as_user, year=2026)
    second, applicant = apply(as_user, year=2027)
    for instance_id in (first, second):
        recommend(as_user("district-hexi"), instance_id)
        assign_experts(as_user("city"), instance_id)
        score(as_user, instance_id)
        complete(as_user("city"), instance_id, "city_decision", {"decision": "approve", "opinion": "列入初选名单"})
        publish_list(as_user("city"), instance_id)
    assert run_timers(app, datetime.now(UTC) + PAST_NOTICE) == 2
    outcomes = [(case(applicant, i)["status"], case(applicant, i)["outcome"]) for i in (first, second)]
    assert outcomes == [("completed", "admitted"), ("completed", "already_in_pool")]
    pool = app.test_client().get("/api/v1/public/resource-pool").get_json()
    assert [p["name"] for p in pool] == ["天津智造数字科技有限公司"]
