"""The annual call (issue 15): a round has its text, templates to download and opening and closing dates;
the city edits, extends or closes it early, each change audited; the public home page shows the open calls."""

from datetime import UTC, datetime, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

from selection import application, complete
from web import Session

from webapp.extensions import db
from webapp.models import Attachment, AuditEvent, HumanTask, Round, utcnow
from webapp.security import housekeeping

TIANJIN = ZoneInfo("Asia/Shanghai")
BODY = "一、申报条件：在津注册的独立法人。\n二、申报材料：申报书及证明材料。"
DOCX = b"PK\x03\x04" + b"\0" * 64  # an Office file as uploads.check knows one


def call(city, expect=201, **changes):
    body = {"kind": "provider_selection", "year": 2026, "title": "2026年度服务商遴选申报通知", "body": BODY,
            "closes_at": (datetime.now(UTC) + timedelta(days=30)).isoformat(), **changes}
    response = city.post("/rounds", body)
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def template(city, name="申报书模板.docx"):
    return city.upload(name, DOCX).get_json()["id"]


def round_events(app, round_id):
    with app.app_context():
        return [(e.action, e.actor, e.data) for e in AuditEvent.query.filter_by(element_id=f"round:{round_id}")
                .order_by(AuditEvent.id)]


def test_a_call_has_its_text_templates_and_dates_and_the_public_reads_it(app, as_user):
    city, public = as_user("city"), app.test_client()
    attachment = template(city)
    opens = datetime.now(UTC) + timedelta(days=2)
    found = call(city, opens_at=opens.isoformat(), attachments=[attachment])
    assert (found["body"], found["open"], [a["filename"] for a in found["attachments"]]) == (
        BODY, False, ["申报书模板.docx"])
    started = as_user("applicant1").post("/process-instances", {"process": "provider_selection",
                                                                "round_id": found["id"]})
    assert started.status_code == 409  # not open yet

    listed = public.get("/api/v1/public/rounds").get_json()
    assert [r["id"] for r in listed] == [found["id"]] and listed[0]["body"] == BODY
    home = public.get("/").get_data(as_text=True)
    assert "2026年度服务商遴选申报通知" in home and "未开始" in home
    page = public.get(f"/calls/{found['id']}").get_data(as_text=True)
    assert "一、申报条件：在津注册的独立法人。" in page and "申报书模板.docx" in page
    assert f"{opens.astimezone(TIANJIN):%Y-%m-%d}" in page
    download = public.get(found["attachments"][0]["url"])
    assert download.status_code == 200 and download.data == DOCX
    other = as_user("applicant1").upload().get_json()["id"]
    assert public.get(f"/calls/{found['id']}/files/{other}").status_code == 404  # only the call's own files

    assert [a for a, _who, _data in round_events(app, found["id"])] == ["round_open"]


def test_only_the_officials_own_uploads_and_sound_dates_open_a_call(app, as_user):
    city = as_user("city")
    others = as_user("applicant1").upload().get_json()["id"]
    assert "attachments" in call(city, 422, attachments=[others])["errors"]
    assert "attachments" in call(city, 422, attachments="1")["errors"]
    assert "opens_at" in call(city, 422, opens_at="next monday")["errors"]
    late = (datetime.now(UTC) + timedelta(days=40)).isoformat()
    assert "closes_at" in call(city, 422, opens_at=late)["errors"]  # opens after it closes
    assert "opens_at" in call(city, 422, opens_at=(datetime.now(UTC) - timedelta(days=3)).isoformat())["errors"]
    grading = call(city, 422, kind="provider_grading", opens_at=(datetime.now(UTC) + timedelta(days=1)).isoformat())
    assert "opens_at" in grading["errors"]  # its cases start when it opens: it opens now
    assert as_user("district-hexi").post("/rounds", {"kind": "provider_selection"}).status_code == 403
    with app.app_context():
        assert Round.query.count() == 0


def test_the_city_extends_a_call_and_the_applicants_deadline_moves_with_it(app, as_user):
    city, applicant = as_user("city"), as_user("applicant1")
    found = call(city)
    instance_id = applicant.post("/process-instances", {"process": "provider_selection",
                                                        "round_id": found["id"]}).get_json()["id"]
    later = datetime.now(UTC).replace(microsecond=0) + timedelta(days=45)
    changed = city.client.patch(f"/api/v1/rounds/{found['id']}", headers=city.headers,
                                json={"closes_at": later.isoformat(), "body": BODY + "\n三、截止时间延长。"})
    assert changed.status_code == 200, changed.get_json()
    assert datetime.fromisoformat(changed.get_json()["closes_at"]) == later
    with app.app_context():
        task = HumanTask.query.filter_by(instance_id=instance_id, element_id="submit_application").one()
        assert task.due_at == later
    (_o, _w, _d), (action, who, data) = round_events(app, found["id"])
    assert (action, who) == ("round_change", "city")
    assert data["changes"]["closes_at"] == [found["closes_at"], later.isoformat()]
    assert data["changes"]["body"][1].endswith("三、截止时间延长。")

    refused = city.client.patch(f"/api/v1/rounds/{found['id']}", headers=city.headers,
                                json={"opens_at": (datetime.now(UTC) + timedelta(days=1)).isoformat()})
    assert refused.status_code == 422 and "opens_at" in refused.get_json()["errors"]  # it has opened
    refused = city.client.patch(f"/api/v1/rounds/{found['id']}", headers=city.headers,
                                json={"closes_at": "2020-01-01T00:00:00+08:00"})
    assert refused.status_code == 422 and "closes_at" in refused.get_json()["errors"]
    assert applicant.client.patch(f"/api/v1/rounds/{found['id']}", headers=applicant.headers,
                                  json={"title": "x"}).status_code == 403
    assert len(round_events(app, found["id"])) == 2  # the refused changes left nothing
    assert applicant.get(f"/rounds/{found['id']}").get_json()["body"] == BODY + "\n三、截止时间延长。"
    assert applicant.get("/rounds/99999").status_code == 404
    assert city.client.patch("/api/v1/rounds/99999", headers=city.headers, json={}).status_code == 404


def test_the_city_closes_a_call_early_and_no_one_applies_after(app, as_user):
    city, applicant = as_user("city"), as_user("applicant1")
    found = call(city)
    url = f"/rounds/{found['id']}/close"
    assert city.post(url, {"reason": ""}).status_code == 422
    closed = city.post(url, {"reason": "名额已满，提前结束申报"})
    assert closed.status_code == 200 and closed.get_json()["open"] is False
    assert closed.get_json()["closed_early_at"]
    assert city.post(url, {"reason": "再次截止"}).status_code == 409
    assert city.client.patch(f"/api/v1/rounds/{found['id']}", headers=city.headers,
                             json={"title": "改名"}).status_code == 409
    started = applicant.post("/process-instances", {"process": "provider_selection", "round_id": found["id"]})
    assert started.status_code == 409
    assert app.test_client().get("/api/v1/public/rounds").get_json() == []
    assert "当前没有开放的申报批次" in Session(app, "applicant1").text("/my")
    assert [(a, d.get("reason")) for a, _w, d in round_events(app, found["id"])][1] == (
        "round_close", "名额已满，提前结束申报")


def test_the_city_opens_edits_and_closes_a_call_through_its_pages(app, as_user):
    browser = Session(app, "city")
    closes = (datetime.now(TIANJIN) + timedelta(days=20)).date()
    response = browser.submit("/rounds/", {
        "kind": "provider_selection", "year": "2026", "title": "页面开启的申报通知", "body": BODY,
        "opens_on": "", "closes_on": closes.isoformat(), "attachments": (BytesIO(DOCX), "模板.docx")},
        content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with app.app_context():
        round_ = Round.query.one()
        round_id, kept = round_.id, list(round_.attachment_ids)
        assert round_.is_open() and round_.body == BODY and len(kept) == 1
    page = browser.text(f"/rounds/{round_id}/edit")
    assert "页面开启的申报通知" in page and "模板.docx" in page and "开启批次" in page

    extended = closes + timedelta(days=10)
    response = browser.submit(f"/rounds/{round_id}/edit", {
        "title": "页面开启的申报通知（延期）", "body": BODY, "closes_on": extended.isoformat(), "remove": str(kept[0]),
        "attachments": (BytesIO(DOCX), "新模板.docx")}, content_type="multipart/form-data")
    assert response.status_code == 302
    with app.app_context():
        round_ = db.session.get(Round, round_id)
        assert round_.title.endswith("（延期）") and round_.attachment_ids != kept and len(round_.attachment_ids) == 1
        assert round_.closes_at.astimezone(TIANJIN).date() == extended
    page = browser.text(f"/rounds/{round_id}/edit")
    assert "新模板.docx" in page and "修改批次" in page and f"{extended:%Y-%m-%d} 23:59" in page

    response = browser.submit(f"/rounds/{round_id}/close", {"reason": "提前完成征集"},
                              token_from=f"/rounds/{round_id}/edit")
    assert response.status_code == 302
    page = browser.text(f"/rounds/{round_id}/edit")
    assert "提前截止" in page and "提前完成征集" in page and 'id="call-form"' not in page
    assert Session(app, "district-hexi").get(f"/rounds/{round_id}/edit").status_code == 403
    assert "已提前截止" in app.test_client().get(f"/calls/{round_id}").get_data(as_text=True)


def test_a_calls_templates_outlive_the_orphan_sweep(app, as_user):
    city = as_user("city")
    attachment = template(city)
    call(city, attachments=[attachment])
    orphan = template(city, "未使用.docx")
    with app.app_context():
        db.session.query(Attachment).update({"created_at": utcnow() - timedelta(days=3)}, synchronize_session=False)
        db.session.commit()
        assert housekeeping.sweep()["uploads"] == 1
        assert {a.id for a in Attachment.query} == {attachment}
    assert orphan != attachment


def test_an_applicant_submits_within_an_extended_call(app, as_user):
    """…and a return after the extension gives the applicant until the new closing, not the old one."""
    city, applicant, hexi = as_user("city"), as_user("applicant1"), as_user("district-hexi")
    found = call(city)
    instance_id = applicant.post("/process-instances", {"process": "provider_selection",
                                                        "round_id": found["id"]}).get_json()["id"]
    later = datetime.now(UTC).replace(microsecond=0) + timedelta(days=50)
    city.client.patch(f"/api/v1/rounds/{found['id']}", headers=city.headers, json={"closes_at": later.isoformat()})
    complete(applicant, instance_id, "submit_application", application(applicant))
    complete(hexi, instance_id, "district_review", {"decision": "return", "opinion": "请补充审计报告"})
    with app.app_context():
        again = HumanTask.query.filter_by(instance_id=instance_id, element_id="submit_application",
                                          state="open").one()
        assert again.due_at == later
