"""Issue 16: schemathesis generates requests from the OpenAPI document (every operation, its path and
query parameters) and sends them anonymously and as three roles; none may answer 500. Bounded: a few
examples per operation, so it runs in make test."""

import pytest
from hypothesis import HealthCheck, given, settings

schemathesis = pytest.importorskip("schemathesis")

ROLES = (None, "city", "applicant1", "owner")


def _tokens(app):
    client = app.test_client()
    return {name: client.post("/api/v1/auth/token", json={"username": name, "password": "demo12345"}
                              ).get_json()["token"] for name in ROLES if name}


def test_no_generated_request_is_a_500(app):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    tokens, operations = _tokens(app), [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 30  # the whole API, not an empty document

    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def no_500(case):
            for role in ROLES:
                response = case.call(headers={"Authorization": f"Bearer {tokens[role]}"} if role else {})
                assert response.status_code < 500, (role, case.method, case.formatted_path, response.text[:300])
        no_500()
