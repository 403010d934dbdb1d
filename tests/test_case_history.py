"""The 流转记录 reads like an official record (issue 15): the office and the person's name instead of login
names, what the diagram did by itself credited to 系统, every time in China time in one format, numbers as
a person writes them by their form field's type."""

import html
import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from selection import PAST_NOTICE, application, assign_experts, complete, publish_list, run_timers, score, task_for
from web import Session

from webapp.extensions import db
from webapp.models import AuditEvent, User

TIANJIN = ZoneInfo("Asia/Shanghai")
ENTRY = re.compile(r'<li data-action="(\w+)"[^>]*>(.*?)</li>', re.S)


def history(page):
    """[(action, text)] of the page's 流转记录, tags stripped."""
    box = page[page.index('id="history"'):]
    box = box[:box.index("</ul>")]
    return [(action, " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split()))
            for action, body in ENTRY.findall(box)]


def name_the_official(app, username, person):
    with app.app_context():
        User.query.filter_by(username=username).one().display_name = person
        db.session.commit()


def admitted_case(app, as_user):
    """A case through the whole selection, its district official a named person, an amount of 2000."""
    name_the_official(app, "district-hexi", "张三")
    city, applicant = as_user("city"), as_user("applicant1")
    round_id = city.post("/rounds", {"kind": "provider_selection", "year": 2026, "title": "2026年度遴选",
                                     "closes_at": "2030-06-30T23:59:59+08:00"}).get_json()["id"]
    instance_id = applicant.post("/process-instances", {"process": "provider_selection",
                                                        "round_id": round_id}).get_json()["id"]
    complete(applicant, instance_id, "submit_application", application(applicant, revenue_last_year=2000.0,
                                                                       staff_total=2000))
    hexi = as_user("district-hexi")
    complete(hexi, instance_id, "district_review", {"decision": "approve", "opinion": "同意推荐",
                                                    "recommendation_letter": hexi.upload().get_json()["id"]})
    assign_experts(city, instance_id)
    score(as_user, instance_id, (("expert1", 88), ("expert2", 92.5)))
    complete(city, instance_id, "city_decision", {"decision": "approve", "opinion": "列入初选名单"})
    publish_list(city, instance_id)
    run_timers(app, datetime.now(UTC) + PAST_NOTICE)
    return instance_id


def test_history_names_offices_and_people_and_credits_the_diagram_to_the_system(app, as_user):
    instance_id = admitted_case(app, as_user)
    for username in ("applicant1", "city"):
        page = Session(app, username).text(f"/cases/{instance_id}")
        entries = history(page)
        text = " ".join(body for _action, body in entries)
        assert "district-hexi" not in page and "applicant1" not in text and " city " not in f" {text} "
        review = next(body for action, body in entries if action == "complete" and "区级初审推荐" in body)
        assert "河西区工业和信息化局 · 张三" in review
        assert any("天津智造数字科技有限公司" in body for action, body in entries if action == "start")
        # The city published the list; the diagram did the rest by itself.
        published = next(body for action, body in entries if action == "message")
        assert "天津市工业和信息化局" in published and "市工信局审核并发布拟入库名单公示" in published
        assert "list_published" not in text
        by_itself = [body for action, body in entries if action in ("decision", "timer", "end")]
        assert len(by_itself) >= 5 and all(" · 系统 " in f" {body} " for body in by_itself)
    assert "河西区工业和信息化局 · 张三" in Session(app, "city").text(f"/cases/{instance_id}")


def test_history_times_are_china_time_in_one_format(app, as_user):
    instance_id = admitted_case(app, as_user)
    page = Session(app, "city").text(f"/cases/{instance_id}")
    shown = [body.split(" · ")[0] for _action, body in history(page)]
    with app.app_context():
        written = [e.at for e in AuditEvent.query.filter_by(instance_id=instance_id).order_by(AuditEvent.id)
                   if e.action not in ("service", "message_thrown")]
    assert shown == [at.astimezone(TIANJIN).strftime("%Y-%m-%d %H:%M") for at in written]
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:", page)  # no ISO text anywhere on the page


def test_numbers_are_written_by_their_field_type(app, as_user):
    instance_id = admitted_case(app, as_user)
    page = Session(app, "city").text(f"/cases/{instance_id}")
    assert "2,000.00" in page  # 上年度营业收入（万元）, a decimal field
    assert re.search(r"员工总数（人）</th><td>\s*2000\s*</td>", page)  # an integer field
    assert "2000.0" not in page and "320.0<" not in page and "320.00" in page  # a table's decimal column
    scores = [body for action, body in history(page) if "评分" in body]
    assert ["88.00" in scores[0], "92.50" in scores[1]] == [True, True]


def test_the_verifier_reads_when_an_objection_came_in_china_time(app, as_user):
    from selection import to_notice

    instance_id, _applicant, notice = to_notice(as_user)
    filed = app.test_client().post(f"/api/v1/public/notices/{notice['id']}/objections",
                                   json={"name": "李四", "contact": "13900000000", "content": "材料存疑"})
    received = datetime.fromisoformat(filed.get_json()["received_at"]).astimezone(TIANJIN)
    city = as_user("city")
    page = Session(app, "city").text(f"/tasks/{task_for(city, instance_id, 'verify_objection')}")
    assert f"收到时间 {received:%Y-%m-%d %H:%M}" in page
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:", page)
