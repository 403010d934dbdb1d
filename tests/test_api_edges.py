"""Bad input at the edges of the API: clear errors, right status codes, nothing stored."""

import pytest

from webapp.extensions import db
from webapp.models import Attachment, AuditEvent, Objection

EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64


def test_tokens_and_identity(app, as_user):
    client = app.test_client()
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer forged.token"}).status_code == 401
    wrong = client.post("/api/v1/auth/token", json={"username": "city", "password": "nope"})
    assert wrong.status_code == 401 and wrong.get_json()["error"]
    assert client.post("/api/v1/auth/token", data="x", content_type="text/plain").status_code == 401
    with app.app_context():
        assert db.session.query(AuditEvent).filter_by(action="login_refused", actor="city").count() == 1
    me = as_user("district-hexi").get("/me").get_json()
    assert me == {"username": "district-hexi", "roles": ["district"], "district": "hexi", "organization": None,
                  "display_name": "河西区工业和信息化局"}
    assert as_user("applicant1").get("/me").get_json()["organization"] == "天津智造数字科技有限公司"


def test_unknown_paths_and_methods_answer_json(app):
    client = app.test_client()
    assert client.get("/api/v1/nothing-here").get_json()["error"]
    assert client.get("/api/v1/nothing-here").status_code == 404
    assert client.delete("/api/v1/public/notices").status_code == 405


def test_openapi_document_lists_the_contract(app):
    doc = app.test_client().get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    for path in ("/api/v1/tasks/{task_id}/complete", "/api/v1/process-instances/{instance_id}/history",
                 "/api/v1/public/notices/{notice_id}/objections", "/api/v1/attachments"):
        assert path in doc["paths"], path
    assert "security" not in doc["paths"]["/api/v1/public/resource-pool"]["get"]
    listed = {p["name"] for p in doc["paths"]["/api/v1/tasks"]["get"]["parameters"]}
    assert {"page", "per_page"} <= listed  # the paging beyond the contract is documented


@pytest.mark.parametrize("app", [{"MAX_UPLOAD_BYTES": 1024}], indirect=True)
def test_upload_checked_by_size_and_content(app, as_user):
    api = as_user("applicant1")
    too_big = api.upload("big.pdf", b"%PDF-1.4\n" + b"0" * 2048)
    assert too_big.status_code == 413 and too_big.get_json()["error"]
    disguised = api.upload("report.pdf", EXE)
    assert disguised.status_code == 422 and "file" in disguised.get_json()["errors"]
    renamed = api.upload("photo.pdf", b"\x89PNG\r\n\x1a\n" + b"0" * 16)
    assert renamed.status_code == 422
    assert api.upload("empty.pdf", b"").status_code == 422
    missing = api.client.post("/api/v1/attachments", headers=api.headers, data={},
                              content_type="multipart/form-data")
    assert missing.status_code == 400
    ok = api.upload("营业执照.pdf")
    assert ok.status_code == 201
    body = ok.get_json()
    assert body["content_type"] == "application/pdf" and body["filename"] == "营业执照.pdf"
    assert len(body["sha256"]) == 64
    with app.app_context():
        assert db.session.query(Attachment).count() == 1
    downloaded = api.get(f"/attachments/{body['id']}")
    assert downloaded.status_code == 200 and downloaded.data.startswith(b"%PDF")
    assert as_user("applicant2").get(f"/attachments/{body['id']}").status_code == 404


def test_round_validation(app, as_user):
    city = as_user("city")
    response = city.post("/rounds", {"kind": "nope", "year": "2026", "title": "", "closes_at": "tomorrow"})
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"kind", "year", "title", "closes_at"}
    assert as_user("applicant1").post("/rounds", {"kind": "provider_selection"}).status_code == 403
    assert city.get("/rounds?kind=provider_selection&open=true").get_json() == []


@pytest.mark.parametrize("app", [{"OBJECTIONS_PER_HOUR": 2}], indirect=True)
def test_objection_form_is_validated_and_rate_limited(app, as_user):
    from selection import to_notice
    _, _, notice = to_notice(as_user)
    public = app.test_client()
    url = f"/api/v1/public/notices/{notice['id']}/objections"
    incomplete = public.post(url, json={"name": "", "content": "x"})
    assert incomplete.status_code == 422 and {"name", "contact"} <= set(incomplete.get_json()["errors"])
    assert public.post(url, json={"name": "甲", "contact": "1", "content": "一"}).status_code == 201
    assert public.post(url, json={"name": "乙", "contact": "2", "content": "二"}).status_code == 201
    assert public.post(url, json={"name": "丙", "contact": "3", "content": "三"}).status_code == 429
    assert public.post("/api/v1/public/notices/9999/objections", json={}).status_code == 404
    with app.app_context():
        assert db.session.query(Objection).count() == 2


def test_rounds_stop_at_the_regulation_end_date(app, as_user):
    response = as_user("city").post("/rounds", {"kind": "provider_selection", "year": 2031, "title": "越期批次",
                                                "closes_at": "2031-03-01T00:00:00+08:00"})
    assert response.status_code == 422 and "第十七条" in response.get_json()["errors"]["closes_at"][0]


def test_start_data_must_be_plain_names(app, as_user):
    from selection import open_round
    round_id = open_round(as_user("city"))
    response = as_user("applicant1").post("/process-instances", {"process": "provider_selection",
                                                                 "round_id": round_id, "data": {"__class__": 1}})
    assert response.status_code == 400


def test_audit_events_cannot_be_changed(app):
    with app.app_context():
        event = db.session.query(AuditEvent).first()
        event.action = "tampered"
        with pytest.raises(ValueError):
            db.session.commit()
        db.session.rollback()


def test_every_endpoint_is_described_and_public_ones_need_no_token(app):
    doc = app.test_client().get("/api/v1/openapi.json").get_json()
    operations = [op for methods in doc["paths"].values() for op in methods.values()]
    assert all(not op["summary"].startswith("api.") for op in operations)
    for path in ("/api/v1/public/centers", "/api/v1/public/resource-pool", "/api/v1/public/notices"):
        assert "security" not in doc["paths"][path]["get"]
        assert app.test_client().get(path).status_code == 200
