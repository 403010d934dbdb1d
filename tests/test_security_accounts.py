"""Issue 16, accounts: lockout, constant-time refusals, sessions that end, revocable tokens, the
password policy, safe redirects and the three administrators (三员). Each test fails without its fix."""

import time
from datetime import timedelta

import pytest
from web import Session, csrf_token

from webapp.extensions import db
from webapp.models import AuditEvent, User, utcnow
from webapp.security.models import UserSession


def token(client, username, password="demo12345", **kw):
    return client.post("/api/v1/auth/token", json={"username": username, "password": password}, **kw)


def login(client, username, password="demo12345", next_=None):
    page = client.get("/login").get_data(as_text=True)
    return client.post("/login" + (f"?next={next_}" if next_ else ""),
                       data={"username": username, "password": password, "csrf_token": csrf_token(page)})


def test_five_wrong_passwords_lock_the_account_and_the_right_one_is_then_refused(app):
    client = app.test_client()
    for _ in range(5):
        assert token(client, "city", "wrong-password").status_code == 401
    assert token(client, "city").status_code == 429
    assert login(client, "city").status_code == 429
    assert token(client, "city2").status_code == 200  # another account is not locked
    with app.app_context():
        assert AuditEvent.query.filter_by(action="lockout", actor="city").count() == 1
        assert AuditEvent.query.filter_by(action="login_refused", actor="city", result="locked").count() == 2


def test_an_unknown_name_is_locked_alike_so_the_lock_tells_nothing(app):
    client = app.test_client()
    answers = [token(client, "nobody-here", "wrong-password").status_code for _ in range(6)]
    assert answers == [401] * 5 + [429]


def test_the_security_administrator_lifts_a_lock(app):
    client = app.test_client()
    for _ in range(5):
        token(client, "city", "wrong-password")
    assert token(client, "city").status_code == 429
    secadmin = Session(app, "secadmin")
    page = secadmin.text("/admin/policy")
    assert "city" in page
    response = secadmin.client.post("/admin/unlock", data={"username": "city", "csrf_token": csrf_token(page)})
    assert response.status_code == 302
    assert token(client, "city").status_code == 200
    with app.app_context():
        assert AuditEvent.query.filter_by(action="unlocked", actor="secadmin").count() == 1


@pytest.mark.parametrize("app", [{"LOGIN_IP_MAX_FAILURES": 4}], indirect=True)
def test_one_address_trying_many_names_is_locked(app):
    client = app.test_client()
    for name in ("a1", "a2", "a3", "a4"):
        token(client, name, "wrong-password")
    assert token(client, "city").status_code == 429
    other = app.test_client()
    assert token(other, "city", environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 200


@pytest.mark.parametrize("app", [{"PASSWORD_HASH_METHOD": "pbkdf2:sha256:300000"}], indirect=True)
def test_an_unknown_name_costs_the_same_password_hash_as_a_known_one(app):
    with app.app_context():
        user = User.query.filter_by(username="city").first()
        user.set_password("demo12345")
        db.session.commit()
    client = app.test_client()

    def timed(name):
        start = time.perf_counter()
        token(client, name, "wrong-password")
        return time.perf_counter() - start
    known = min(timed("city") for _ in range(3))
    unknown = min(timed(f"nobody{n}") for n in range(3))
    assert unknown > known * 0.5, (known, unknown)


def test_a_cookie_replayed_after_logout_is_refused(app):
    browser = Session(app, "district-hexi")
    cookie = browser.client.get_cookie("session").value
    page = browser.text("/inbox/")
    browser.client.post("/logout", data={"csrf_token": csrf_token(page)})
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    assert thief.get("/inbox/").status_code == 302  # to the login page
    with app.app_context():
        assert AuditEvent.query.filter_by(action="logout", actor="district-hexi").count() == 1


def test_a_session_ends_when_idle_and_after_its_maximum_age(app):
    for column, age in (("last_seen_at", timedelta(minutes=31)), ("created_at", timedelta(hours=13))):
        browser = Session(app, "city")
        assert browser.get("/inbox/").status_code == 200
        with app.app_context():
            db.session.query(UserSession).filter_by(kind="web").update({column: utcnow() - age})
            db.session.commit()
        assert browser.get("/inbox/").status_code == 302, column


def test_deactivating_an_account_ends_its_sessions_and_tokens(app):
    browser = Session(app, "expert1")
    bearer = {"Authorization": f"Bearer {token(app.test_client(), 'expert1').get_json()['token']}"}
    sysadmin = Session(app, "sysadmin")
    page = sysadmin.text("/admin/users?q=expert1")
    with app.app_context():
        user_id = User.query.filter_by(username="expert1").first().id
    response = sysadmin.client.post(f"/admin/users/{user_id}/active",
                                    data={"active": "0", "csrf_token": csrf_token(page)})
    assert response.status_code == 302
    assert browser.get("/inbox/").status_code == 302
    assert app.test_client().get("/api/v1/me", headers=bearer).status_code == 401
    assert token(app.test_client(), "expert1").status_code == 401


def test_a_token_is_revoked_by_logout_and_others_stay(app):
    client = app.test_client()
    first, second = (token(client, "city").get_json()["token"] for _ in range(2))
    assert client.post("/api/v1/auth/logout", headers={"Authorization": f"Bearer {first}"}).status_code == 204
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {first}"}).status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {second}"}).status_code == 200


def test_a_password_change_follows_the_policy_and_ends_other_sessions(app):
    other = Session(app, "district-nankai")
    browser = Session(app, "district-nankai")
    for weak in ("short1", "abcdefghijkl", "district-nankai-1", "Password123", "demo12345"):
        response = browser.submit("/account/password", {"current": "demo12345", "password": weak, "confirm": weak})
        assert response.status_code == 200, weak  # refused, the page again
    response = browser.submit("/account/password", {"current": "demo12345", "password": "Nankai-river-7",
                                                    "confirm": "Nankai-river-7"})
    assert response.status_code == 302
    assert browser.get("/inbox/").status_code == 200
    assert other.get("/inbox/").status_code == 302
    assert browser.submit("/account/password", {"current": "Nankai-river-7", "password": "Nankai-river-8",
                                                "confirm": "Nankai-river-8"}).status_code == 302
    again = browser.submit("/account/password", {"current": "Nankai-river-8", "password": "Nankai-river-7",
                                                 "confirm": "Nankai-river-7"})
    assert "不能使用最近用过的密码" in again.get_data(as_text=True)


@pytest.mark.parametrize("app", [{"PASSWORD_MAX_AGE_DAYS": 90}], indirect=True)
def test_an_officials_old_password_must_be_changed_first(app):
    client = app.test_client()
    issued = token(client, "city").get_json()["token"]
    with app.app_context():
        db.session.query(User).filter_by(username="city").update({"created_at": utcnow() - timedelta(days=91)})
        db.session.commit()
    browser = Session(app, "city")
    assert browser.get("/inbox/").headers["Location"].endswith("/account/password")
    applicant = Session(app, "applicant1")  # enterprise accounts are not forced
    assert applicant.get("/my").status_code == 200
    refused = client.get("/api/v1/tasks", headers={"Authorization": f"Bearer {issued}"})  # nor does the API let by
    assert refused.status_code == 403 and "修改密码" in refused.get_json()["error"]
    assert token(client, "city").status_code == 403
    enterprise = token(client, "applicant1").get_json()["token"]
    assert client.get("/api/v1/tasks", headers={"Authorization": f"Bearer {enterprise}"}).status_code == 200


@pytest.mark.parametrize("target", ["/%09/evil.example", "//evil.example", "/\\evil.example", "https://evil.example",
                                    "/%0d%0a/evil.example"])
def test_login_never_redirects_off_the_site(app, target):
    response = login(app.test_client(), "city", next_=target)
    assert response.status_code == 302
    assert "evil" not in response.headers["Location"]


def test_login_keeps_a_local_next(app):
    assert login(app.test_client(), "city", next_="/cases").headers["Location"] == "/cases"


def test_session_cookie_flags(app):
    response = login(app.test_client(), "city")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_the_three_administrators_each_reach_only_their_own_page_and_no_case(app, as_user):
    from selection import apply
    instance_id, _ = apply(as_user)
    pages = {"sysadmin": "/admin/users", "secadmin": "/admin/policy", "auditor": "/audit"}
    for role in pages:
        browser = Session(app, role)
        for other, path in pages.items():
            assert browser.get(path).status_code == (200 if other == role else 403), (role, path)
        assert browser.get(f"/cases/{instance_id}").status_code in (403, 404)
        assert as_user(role).get(f"/process-instances/{instance_id}").status_code == 404
    assert Session(app, "city").get("/audit").status_code == 403
    with app.app_context():
        assert AuditEvent.query.filter_by(action="permission_denied", actor="city").count() == 1


def test_the_system_administrator_creates_and_resets_an_account_that_must_change_its_password(app):
    sysadmin = Session(app, "sysadmin")
    response = sysadmin.submit("/admin/users", {"username": "district-hexi3", "display_name": "河西区（三）",
                                                "role": "district", "district": "hexi"})
    assert response.status_code == 302
    page = sysadmin.text("/admin/users?q=district-hexi3")
    password = page.split("初始密码：")[1].split("（")[0]
    newcomer = app.test_client()
    assert login(newcomer, "district-hexi3", password).status_code == 302
    assert newcomer.get("/inbox/").headers["Location"].endswith("/account/password")
    with app.app_context():
        user = User.query.filter_by(username="district-hexi3").first()
        assert (user.role, user.district) == ("district", "hexi")
        assert AuditEvent.query.filter_by(action="account_created", actor="sysadmin").count() == 1


def test_the_security_administrator_changes_a_role_and_no_one_changes_an_administrator(app):
    secadmin = Session(app, "secadmin")
    page = secadmin.text("/admin/policy?q=expert5")
    with app.app_context():
        expert_id = User.query.filter_by(username="expert5").first().id
        auditor_id = User.query.filter_by(username="auditor").first().id
    token_ = csrf_token(page)
    assert secadmin.client.post(f"/admin/users/{expert_id}/role", data={"role": "city", "csrf_token": token_}
                                ).status_code == 302
    assert secadmin.client.post(f"/admin/users/{auditor_id}/role", data={"role": "city", "csrf_token": token_}
                                ).status_code == 404
    sysadmin = Session(app, "sysadmin")
    page = sysadmin.text("/admin/users")
    assert sysadmin.client.post(f"/admin/users/{auditor_id}/active",
                                data={"active": "0", "csrf_token": csrf_token(page)}).status_code == 404
    with app.app_context():
        assert db.session.get(User, expert_id).role == "city"
        assert AuditEvent.query.filter_by(action="role_changed", actor="secadmin").count() == 1


def test_the_auditor_searches_security_events_with_source_and_result(app):
    token(app.test_client(), "city", "wrong-password")
    auditor = Session(app, "auditor")
    page = auditor.text("/audit?actor=city&action=login_refused")
    assert "failure" in page and "127.0.0.1" in page
    assert "login_refused" not in auditor.text("/audit?actor=city2&action=login_refused").split('id="audit"')[1]


@pytest.mark.parametrize("app", [{"REGISTRATIONS_PER_HOUR": 2}], indirect=True)
def test_registration_cannot_be_used_to_try_names_in_bulk(app):
    visitor = Session(app)
    answers = [visitor.submit("/register", {"username": f"try{n}"}).status_code for n in range(3)]
    assert answers == [200, 200, 429]
