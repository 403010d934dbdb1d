"""Issue 16, what a client or a process owner sends: the secret in production, security headers,
junk bodies and text a database cannot hold, limits on rows and upload volume, owner code bounds,
the YAML alias bomb, the client's address behind proxies. Each test fails without its fix."""

import time
from datetime import timedelta
from io import BytesIO

import pytest
from web import Session

from webapp import create_app
from webapp.engine.restricted import RefusedExpression, RestrictedEnvironment, evaluate
from webapp.extensions import db
from webapp.models import Attachment, utcnow
from webapp.security import housekeeping, yaml_guard
from webapp.security.limits import MAX_TABLE_ROWS
from webapp.security.secret import InsecureConfiguration

DEEP = "[" * 5000 + "]" * 5000


def _application_task(as_user):
    """applicant1's open application task in a new round: (its API client, the task id)."""
    from selection import open_round, task_for
    round_id = open_round(as_user("city"))
    applicant = as_user("applicant1")
    instance_id = applicant.post("/process-instances", {"process": "provider_selection", "round_id": round_id}
                                 ).get_json()["id"]
    return applicant, task_for(applicant, instance_id, "submit_application")


@pytest.mark.parametrize("key", ["dev-only-insecure-key", "short-key"])
def test_production_refuses_a_known_or_short_secret(tmp_path, key):
    with pytest.raises(InsecureConfiguration):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db", "PRODUCTION": True, "SECRET_KEY": key})
    create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db", "PRODUCTION": True, "SECRET_KEY": "k" * 40})


def test_security_headers_on_pages_and_api(app):
    client = app.test_client()
    for path in ("/", "/login", "/api/v1/public/notices"):
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-eval" not in csp
        assert "'unsafe-inline'" not in csp
        assert headers["X-Content-Type-Options"] == "nosniff" and headers["Referrer-Policy"] == "same-origin"
        assert "Werkzeug" not in headers.get("Server", "") and "Python" not in headers.get("Server", "")
        assert "Strict-Transport-Security" not in headers  # only where TLS is promised (production)


def test_production_sends_hsts_and_secure_cookies(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db", "PRODUCTION": True,
                      "SECRET_KEY": "k" * 40})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.test_client().get("/login").headers["Strict-Transport-Security"].startswith("max-age=")


def test_no_inline_script_or_style_in_any_template():
    import re
    from pathlib import Path
    templates = Path(__file__).resolve().parent.parent / "webapp" / "templates"
    for path in templates.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"<script(?![^>]*\bsrc=)([^>]*)>", text):
            assert 'type="application/json"' in match.group(1), (path.name, match.group(0))
        assert not re.search(r"\son[a-z]+=", text), path.name  # onclick= and the like
        assert "<style" not in text, path.name


@pytest.mark.parametrize("body", [DEEP, '{"a": ' * 100 + "1" + "}" * 100, '{"n": 1e400}', '{"n": NaN}',
                                  '{"n": 123456789012345678901234567890}', '{"x": "a\\u0000b"}'])
@pytest.mark.parametrize("path", ["/api/v1/auth/token", "/api/v1/public/notices/1/objections",
                                  "/api/v1/process-instances", "/api/v1/tasks/1/complete"])
def test_junk_json_is_a_400_everywhere(app, as_user, path, body):
    api = as_user("applicant1")
    response = api.client.post(path, data=body, headers={**api.headers, "Content-Type": "application/json"})
    assert response.status_code == 400 and "error" in response.get_json(), response.get_data(as_text=True)[:200]


def test_a_json_body_over_the_limit_is_413(app):
    response = app.test_client().post("/api/v1/auth/token", data='{"a": "' + "x" * (1024 * 1024) + '"}',
                                      content_type="application/json")
    assert response.status_code == 413


@pytest.mark.parametrize("path", ["/pool?q=%00", "/api/v1/public/resource-pool?q=a%00", "/notices?x%00=1"])
def test_nul_in_a_query_is_a_400(app, path):
    assert app.test_client().get(path).status_code == 400


def test_nul_and_over_long_names_at_login_are_refused_and_audited(app):
    from webapp.models import AuditEvent
    client = app.test_client()
    assert client.post("/api/v1/auth/token", json={"username": "ci\x00ty", "password": "x"}).status_code == 400
    long_name = "u" * 81
    assert client.post("/api/v1/auth/token", json={"username": long_name, "password": "x"}).status_code == 401
    with app.app_context():
        assert AuditEvent.query.filter_by(action="login_refused", actor=long_name[:80]).count() == 1


@pytest.mark.postgres
def test_text_postgresql_cannot_hold_is_4xx_there(app, as_user):
    test_nul_and_over_long_names_at_login_are_refused_and_audited(app)
    test_nul_in_a_query_is_a_400(app, "/pool?q=%00")
    api = as_user("applicant1")
    response = api.client.post("/api/v1/attachments", headers=api.headers, content_type="multipart/form-data",
                               data={"file": (BytesIO(b"%PDF-1.4\n%%EOF\n"), "a\x00.pdf")})
    assert response.status_code == 400


def test_a_table_past_the_row_limit_is_refused_at_once(app, as_user):
    from selection import application
    applicant, task_id = _application_task(as_user)
    row = {"client": "x", "contract_amount": 1, "scope": "x", "status": "completed", "results": "x"}
    start = time.monotonic()
    huge = application(applicant, tianjin_cases=[row] * 100_000)
    response = applicant.post(f"/tasks/{task_id}/complete", {"data": huge})
    assert response.status_code == 413  # past MAX_JSON_BYTES: never parsed
    response = applicant.post(f"/tasks/{task_id}/complete",
                              {"data": application(applicant, tianjin_cases=[row] * (MAX_TABLE_ROWS + 1))})
    assert response.status_code == 422 and "tianjin_cases" in response.get_json()["errors"]
    assert time.monotonic() - start < 10


@pytest.mark.parametrize("app", [{"UPLOAD_BYTES_PER_DAY": 3 * 1024 * 1024, "MAX_UPLOAD_BYTES": 2 * 1024 * 1024}],
                         indirect=True)
def test_an_account_uploads_at_most_its_daily_volume(app, as_user):
    api = as_user("applicant1")
    big = b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 512 * 1024)
    assert api.upload(content=big).status_code == 201
    refused = api.upload(content=big)
    assert refused.status_code == 429 and refused.get_json()["error"]
    assert as_user("applicant2").upload(content=big).status_code == 201  # another account's own volume


def test_uploads_never_linked_to_a_case_are_removed_after_the_setting(app, as_user):
    from selection import apply
    instance_id, applicant = apply(as_user)
    orphan, fresh, drafted = (applicant.upload().get_json()["id"] for _ in range(3))
    with app.app_context():
        from webapp.models import HumanTask, TaskDraft
        task = HumanTask.query.filter_by(instance_id=instance_id, state="open").first()
        db.session.add(TaskDraft(task_id=task.id, username="applicant1", data={"evidence": [str(drafted)]}))
        old = utcnow() - timedelta(hours=app.config["ORPHAN_UPLOAD_HOURS"] + 1)
        linked = [a.id for a in Attachment.query.filter_by(instance_id=instance_id)]
        db.session.query(Attachment).filter(Attachment.id.in_([orphan, drafted, *linked])).update(
            {"created_at": old}, synchronize_session=False)
        db.session.commit()
        assert housekeeping.sweep()["uploads"] == 1
        remaining = {a.id for a in Attachment.query}
        assert orphan not in remaining and {fresh, drafted} <= remaining and set(linked) <= remaining


@pytest.mark.parametrize("app", [{"TRUSTED_PROXIES": 1}], indirect=True)
def test_behind_one_proxy_the_client_is_the_forwarded_address(app):
    from webapp.models import AuditEvent
    client = app.test_client()
    client.post("/api/v1/auth/token", json={"username": "city", "password": "x"},
                headers={"X-Forwarded-For": "203.0.113.7"})
    with app.app_context():
        assert AuditEvent.query.filter_by(action="login_refused").one().source_ip == "203.0.113.7"


def test_without_proxies_a_forwarded_address_is_ignored(app):
    from webapp.models import AuditEvent
    app.test_client().post("/api/v1/auth/token", json={"username": "city", "password": "x"},
                           headers={"X-Forwarded-For": "203.0.113.7"})
    with app.app_context():
        assert AuditEvent.query.filter_by(action="login_refused").one().source_ip == "127.0.0.1"


@pytest.mark.parametrize("source", ["10 ** (10 ** 8)", "'a' * (10 ** 8)", "[0] * 10 ** 8", "1 << 10 ** 8",
                                    "'x'.ljust(10 ** 9)", "'%099999999d' % 1", "'{:>99999999}'.format(1)",
                                    "sum(1 for a in range(10000) for b in range(10000))"])
def test_owner_expressions_are_bounded_in_time_and_size(source):
    start = time.monotonic()
    with pytest.raises((ValueError, RefusedExpression)):
        evaluate(source, {})
    assert time.monotonic() - start < 3


def test_an_f_string_width_is_refused_when_compiled():
    with pytest.raises(RefusedExpression):
        evaluate("f'{1:>999999999}'", {})
    assert evaluate("f'{1:>3}' + 'ab' * 2 + str(2 ** 10)", {}) == "  1abab1024"


@pytest.mark.parametrize("script", ["s = 'x' * 90000\nt = [s + str(i) for i in range(100)]", "g = (i for i in [1])",
                                    "r = range(3)"])
def test_a_script_leaves_only_plain_bounded_data(script):
    with pytest.raises(ValueError):
        RestrictedEnvironment().execute(script, {})


def test_a_yaml_alias_bomb_is_refused_at_once():
    lines = ["a: &a [" + ",".join(["x"] * 9) + "]"]
    lines += [f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]" for i in range(8)]
    bomb = "\n".join(lines)
    start = time.monotonic()
    with pytest.raises(yaml_guard.YamlTooLarge):
        yaml_guard.safe_load(bomb)
    assert time.monotonic() - start < 1
    assert yaml_guard.safe_load("a: &x [1, 2]\nb: *x") == {"a": [1, 2], "b": [1, 2]}  # anchors still work


def test_a_yaml_alias_bomb_in_a_deployed_list_is_a_422(app, as_user):
    owner = as_user("owner")
    lines = ["- &a {value: x, label: [" + ",".join(["y"] * 9) + "]}"]
    lines += [f"- &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]" for i in range(8)]
    data = {"list": (BytesIO("\n".join(lines).encode()), "provider_categories.yaml"),
            "bpmn": (BytesIO((__import__("pathlib").Path(__file__).resolve().parent.parent / "processes"
                              / "provider_selection.bpmn").read_bytes()), "provider_selection.bpmn")}
    start = time.monotonic()
    response = owner.client.post("/api/v1/process-definitions", headers=owner.headers, data=data,
                                 content_type="multipart/form-data")
    assert response.status_code == 422, response.get_json()
    assert time.monotonic() - start < 10


def test_a_browser_session_page_still_works_under_the_guards(app):
    assert Session(app, "city").get("/inbox/").status_code == 200


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_date_in_year_0001_or_9999_is_refused(app, as_user, day):
    from selection import application
    applicant, task_id = _application_task(as_user)
    response = applicant.post(f"/tasks/{task_id}/complete", {"data": application(applicant, founded_on=day)})
    assert response.status_code == 422 and "founded_on" in response.get_json()["errors"]


def test_start_data_cannot_pass_off_another_round(app, as_user):
    from selection import open_round
    round_id = open_round(as_user("city"))
    response = as_user("applicant1").post("/process-instances", {
        "process": "provider_selection", "round_id": round_id, "data": {"round_info": {"id": 999, "year": 1999}}})
    assert response.status_code == 201
    assert response.get_json()["data"]["round_info"]["id"] == round_id


def test_only_the_decision_table_editor_may_have_inline_styles_and_no_page_inline_scripts(app):
    owner = Session(app, "owner")
    editor = owner.get("/workspace/provider_grading/dmn/provider_grading.dmn")
    assert editor.status_code == 200
    csp = editor.headers["Content-Security-Policy"]
    assert "style-src 'self' 'unsafe-inline'" in csp and "script-src 'self';" in csp
    modeler = owner.get("/workspace/provider_selection")
    assert modeler.status_code == 200 and "'unsafe-inline'" not in modeler.headers["Content-Security-Policy"]
