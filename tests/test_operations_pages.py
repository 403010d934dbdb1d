"""The task operations from the pages: 转办 and 抄送 from the handling page, 催办 and 撤回 from the case page,
暂存 from the form, the bell and the 站内信 page; each refusal said on the page, nothing half done."""

import re

from selection import apply, assign_experts, open_round, recommend, task_for
from web import Session, csrf_token, form_values
from werkzeug.datastructures import MultiDict


def test_transfer_from_the_handling_page_and_the_colleague_sees_it_in_the_bell(app, as_user):
    instance_id, _ = apply(as_user)
    task_id = task_for(as_user("district-hexi"), instance_id, "district_review")
    hexi = Session(app, "district-hexi")
    page = hexi.text(f"/tasks/{task_id}")
    assert 'id="task-operations"' in page and "district-hexi2" in page and "district-nankai" not in page.split(
        'id="handover-form"')[1].split("</form>")[0]
    done = hexi.client.post(f"/tasks/{task_id}/transfer", data={"to": "district-hexi2", "comment": "请你办理",
                                                                "csrf_token": csrf_token(page)}, follow_redirects=True)
    assert "已转办" in done.get_data(as_text=True)
    assert hexi.get(f"/tasks/{task_id}").status_code in (302, 404) or "不能办理" in hexi.text(f"/tasks/{task_id}")

    hexi2 = Session(app, "district-hexi2")
    inbox = hexi2.text("/inbox/")
    assert 'id="unread-count"' in inbox
    notes = hexi2.text("/notifications")
    assert "转办给您" in notes and "请你办理" in notes
    history = hexi2.text(f"/cases/{instance_id}")
    assert 'data-action="transfer"' in history and "请你办理" in history


def test_a_refused_transfer_is_said_on_the_page_and_changes_nothing(app, as_user):
    instance_id, _ = apply(as_user)
    task_id = task_for(as_user("district-hexi"), instance_id, "district_review")
    hexi = Session(app, "district-hexi")
    page = hexi.text(f"/tasks/{task_id}")
    refused = hexi.client.post(f"/tasks/{task_id}/transfer", follow_redirects=True,
                               data={"to": "district-nankai", "csrf_token": csrf_token(page)})
    assert refused.status_code == 200 and "接收人不能办理此任务" in refused.get_data(as_text=True)
    assert as_user("district-hexi").get(f"/tasks/{task_id}").get_json()["assignee"] is None
    assert hexi.client.post(f"/tasks/{task_id}/transfer", data={"to": "district-hexi2"}).status_code == 400  # no token


def test_cc_from_the_page_lists_it_under_copied_to_me_read_once_opened(app, as_user):
    instance_id, _ = apply(as_user)
    task_id = task_for(as_user("district-hexi"), instance_id, "district_review")
    hexi = Session(app, "district-hexi")
    page = hexi.text(f"/tasks/{task_id}")
    hexi.client.post(f"/tasks/{task_id}/cc", data={"to": ["city2"], "comment": "请关注",
                                                   "csrf_token": csrf_token(page)})
    city2 = Session(app, "city2")
    copies = city2.text("/inbox/cc")
    assert f'data-instance-id="{instance_id}"' in copies and "未读" in copies and "请关注" in copies
    assert "河西区工业和信息化局" in copies and "<td>district-hexi</td>" not in copies  # the sender as an office
    city2.text(f"/cases/{instance_id}")
    assert "已读" in city2.text("/inbox/cc")


def test_urge_from_the_case_page_once_an_hour(app, as_user):
    instance_id, _ = apply(as_user)
    city = Session(app, "city")
    page = city.text(f"/cases/{instance_id}")
    assert 'id="urge"' in page
    task_id = task_for(as_user("district-hexi"), instance_id, "district_review")
    first = city.client.post(f"/tasks/{task_id}/urge", data={"message": "请尽快", "csrf_token": csrf_token(page),
                                                            "next": f"/cases/{instance_id}"}, follow_redirects=True)
    assert "已催办" in first.get_data(as_text=True)
    again = city.client.post(f"/tasks/{task_id}/urge", data={"csrf_token": csrf_token(page)}, follow_redirects=True)
    assert "刚催办过" in again.get_data(as_text=True)
    assert 'id="urge"' not in Session(app, "district-nankai").get(f"/cases/{instance_id}").get_data(as_text=True)
    assert "催办" in Session(app, "district-hexi2").text("/notifications")


def test_the_applicant_withdraws_from_the_case_page(app, as_user):
    instance_id, _ = apply(as_user)
    applicant = Session(app, "applicant1")
    page = applicant.text(f"/cases/{instance_id}")
    assert 'id="withdraw-form"' in page
    done = applicant.client.post(f"/cases/{instance_id}/withdraw", data={"reason": "重新准备材料",
                                                                        "csrf_token": csrf_token(page)},
                                 follow_redirects=True)
    assert "申请已撤回" in done.get_data(as_text=True)
    page = applicant.text(f"/cases/{instance_id}")
    assert "申请人已撤回" in page and "重新准备材料" in page and 'id="withdraw-form"' not in page


def test_save_draft_from_the_form_and_find_it_again(app, as_user):
    round_id = open_round(as_user("city"))
    applicant_api = as_user("applicant1")
    instance_id = applicant_api.post("/process-instances", {"process": "provider_selection", "round_id": round_id}
                                     ).get_json()["id"]
    task_id = task_for(applicant_api, instance_id, "submit_application")
    applicant = Session(app, "applicant1")
    page = applicant.text(f"/tasks/{task_id}")
    values = [(k, v) for k, v in form_values(page) if k not in ("contact_name", "staff_total")]
    values += [("contact_name", "王工"), ("staff_total", "77"), ("_save_draft", "1")]
    saved = applicant.client.post(f"/tasks/{task_id}", data=MultiDict(values), follow_redirects=True)
    text = saved.get_data(as_text=True)
    assert "已暂存" in text and 'value="王工"' in text and 'value="77"' in text
    assert as_user("applicant1").get(f"/tasks/{task_id}").get_json()["state"] == "open"
    assert 'value="王工"' not in Session(app, "district-hexi").get(f"/tasks/{task_id}").get_data(as_text=True)

    autosaved = applicant.client.post(f"/tasks/{task_id}/draft", data={"contact_name": "赵工",
                                                                       "csrf_token": csrf_token(text)})
    assert autosaved.status_code == 200 and autosaved.get_json()["saved_at"]
    assert 'value="赵工"' in applicant.text(f"/tasks/{task_id}")
    assert Session(app).client.post(f"/tasks/{task_id}/draft", data={"contact_name": "x"}).status_code in (302, 400)


def test_notification_settings_choose_the_channels(app):
    person = Session(app, "district-hexi")
    page = person.text("/account/notifications")
    response = person.client.post("/account/notifications", data={
        "email": "hexi@example.cn", "mobile": "13912345678", "by_sms": "y", "language": "en",
        "csrf_token": csrf_token(page)}, follow_redirects=True)
    assert "通知方式已保存" in response.get_data(as_text=True)
    with app.app_context():
        from webapp.models import User
        user = User.query.filter_by(username="district-hexi").one()
        assert user.channels == ["sms"] and user.mobile == "13912345678" and user.language == "en"
    bad = person.client.post("/account/notifications", data={"mobile": "12345", "csrf_token": csrf_token(page)})
    assert "手机号码格式不正确" in bad.get_data(as_text=True)


def test_the_city_replaces_an_expert_from_the_case_page(app, as_user):
    instance_id, _ = apply(as_user)
    recommend(as_user("district-hexi"), instance_id)
    assign_experts(as_user("city"), instance_id)
    city = Session(app, "city")
    page = city.text(f"/cases/{instance_id}")
    assert 'id="replace-experts"' in page and 'value="expert3"' in page
    task_id = task_for(as_user("expert2"), instance_id, "expert_review")
    done = city.client.post(f"/tasks/{task_id}/replace-expert", follow_redirects=True, data={
        "to": "expert3", "comment": "回避", "csrf_token": csrf_token(page), "next": f"/cases/{instance_id}"})
    assert "已更换评审专家" in done.get_data(as_text=True)
    assert 'id="replace-experts"' not in Session(app, "district-hexi").text(f"/cases/{instance_id}")


def test_take_back_from_the_case_page(app, as_user):
    instance_id, _ = apply(as_user)
    recommend(as_user("district-hexi"), instance_id)
    hexi = Session(app, "district-hexi")
    page = hexi.text(f"/cases/{instance_id}")
    assert 'id="take-back-form"' in page
    task_id = int(re.search(r'/tasks/(\d+)/take-back', page).group(1))
    done = hexi.client.post(f"/tasks/{task_id}/take-back", data={"reason": "改正", "csrf_token": csrf_token(page)},
                            follow_redirects=True)
    assert "已拿回" in done.get_data(as_text=True) and 'id="task-form"' in done.get_data(as_text=True)
    assert 'id="take-back-form"' not in Session(app, "district-hexi2").text(f"/cases/{instance_id}")


def test_the_city_adds_an_expert_from_the_case_page(app, as_user):
    instance_id, _ = apply(as_user)
    recommend(as_user("district-hexi"), instance_id)
    assign_experts(as_user("city"), instance_id)
    city = Session(app, "city")
    page = city.text(f"/cases/{instance_id}")
    anchor = int(re.search(r'/tasks/(\d+)/add-expert', page).group(1))
    done = city.client.post(f"/tasks/{anchor}/add-expert", follow_redirects=True, data={
        "to": "expert4", "csrf_token": csrf_token(page), "next": f"/cases/{instance_id}"})
    assert "已增加评审专家" in done.get_data(as_text=True)
    assert task_for(as_user("expert4"), instance_id, "expert_review")
