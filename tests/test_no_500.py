"""Whatever a client sends, the API answers 4xx with a JSON error — never a 500."""

import pytest

JUNK = [None, "", "not json", "[]", "{}", '{"data": 5}', '{"data": {"decision": ["x"]}}', '{"process": 5}',
        '{"process": "provider_selection", "round_id": "1"}', '{"process": "provider_selection", "data": [1]}',
        '{"kind": {"a": 1}, "year": 1e400, "title": 5, "closes_at": 7}', '{"username": 5, "password": []}',
        '{"name": "x" , "contact": null, "content": {"x": 1}}',
        '{"process": "provider_selection", "round_id": 1e30}',
        '{"process": "provider_selection", "round_id": 99999999999999999999}',
        '{"data": {"business_license": 99999999999999999999, "audit_reports": [99999999999999999999]}}',
        '{"data": {"credit_code": "' + "Z" * 5000 + '"}}']
PATHS = ["/api/v1/auth/token", "/api/v1/rounds", "/api/v1/process-instances", "/api/v1/tasks/1/complete",
         "/api/v1/tasks/1/claim", "/api/v1/tasks/999999/complete", "/api/v1/public/notices/1/objections",
         "/api/v1/process-definitions", "/api/v1/attachments"]


@pytest.mark.parametrize("path", PATHS)
def test_junk_never_causes_500(app, as_user, path):
    from selection import apply
    apply(as_user)  # a case with an open task 2, a round, attachments
    for username in ("city", "applicant1", "owner"):
        api = as_user(username)
        for body in JUNK:
            response = api.client.post(path, data=body, headers={**api.headers, "Content-Type": "application/json"})
            assert response.status_code < 500, (username, path, body, response.get_data(as_text=True)[:200])
            assert response.is_json and "error" in response.get_json()
    for query in ("/api/v1/process-instances/abc", "/api/v1/process-instances/99999999999999999999",
                  "/api/v1/process-definitions/x/xml?version=abc", "/api/v1/tasks/-1", "/api/v1/rounds?open=maybe"):
        assert as_user("city").get(query.removeprefix("/api/v1")).status_code < 500
