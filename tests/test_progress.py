"""The applicant's step bar (issue 15): the milestones the diagram names in its package's list, where the
case is, what the applicant must do and by when; after 退回补正 the case is at 申报 again; the owner
renames and regroups the milestones as a rule change, and each case keeps its version's."""

import re
from zoneinfo import ZoneInfo

from conftest import ROOT
from selection import admit, apply, complete
from test_rule_packages import SELECTION, upload
from web import Session

from webapp.models import HumanTask

TIANJIN = ZoneInfo("Asia/Shanghai")
MILESTONES = (ROOT / "forms" / "lists" / "selection_milestones.yaml").read_text(encoding="utf-8")
STEP = re.compile(r'<li class="step-\w+" data-step="(\w+)" data-state="(\w+)"[^>]*>\s*<span class="step-no">\d+'
                  r'</span><span class="step-label">([^<]+)</span>')


def bar(page):
    """[(milestone, state, label)] of the page's full step bar (#progress)."""
    box = page[page.index('id="progress"'):]
    return STEP.findall(box[:box.index("</ol>")])


def states(page):
    return {value: state for value, state, _label in bar(page)}


def test_the_bar_follows_the_case_through_a_return(app, as_user):
    instance_id, applicant = apply(as_user)
    browser = Session(app, "applicant1")
    page = browser.text(f"/cases/{instance_id}")
    assert [label for _v, _s, label in bar(page)] == ["申报", "区级初审", "市级审核", "专家评审", "公示", "入库"]
    assert list(states(page).values()) == ["done", "current", "todo", "todo", "todo", "todo"]
    with app.app_context():
        review_due = HumanTask.query.filter_by(instance_id=instance_id, element_id="district_review").one().due_at
    assert "正在初审，您无需操作" in page
    assert f"本环节办理时限 {review_due.astimezone(TIANJIN):%Y-%m-%d %H:%M}" in page
    assert 'id="diagram"' not in page and 'id="show-diagram"' in page  # the diagram is a click away
    assert 'id="diagram"' in browser.text(f"/cases/{instance_id}?diagram=1")

    complete(as_user("district-hexi"), instance_id, "district_review", {"decision": "return", "opinion": "请补充案例"})
    page = browser.text(f"/cases/{instance_id}")
    assert list(states(page).values()) == ["current", "todo", "todo", "todo", "todo", "todo"]
    with app.app_context():
        task = HumanTask.query.filter_by(instance_id=instance_id, element_id="submit_application", state="open").one()
        due = task.due_at.astimezone(TIANJIN)
    assert f'href="/tasks/{task.id}" id="progress-task">填写并提交申报书' in page
    assert f"截止 {due:%Y-%m-%d %H:%M}" in page
    mine = browser.text("/my")
    assert '<li class="step-current" data-step="apply"' in mine

    # Officials see the bar beside the whole diagram, and no "what you must do".
    official = Session(app, "district-hexi").text(f"/cases/{instance_id}")
    assert states(official)["apply"] == "current" and 'id="diagram"' in official and "progress-next" not in official


def test_an_admitted_case_has_every_step_done_and_a_refused_one_stops_where_it_ended(app, as_user):
    admitted = admit(app, as_user)
    page = Session(app, "applicant1").text(f"/cases/{admitted}")
    assert set(states(page).values()) == {"done"} and "已纳入服务商资源池。" in page

    refused, _applicant = apply(as_user, "applicant2", year=2027)
    complete(as_user("district-nankai"), refused, "district_review", {"decision": "reject", "opinion": "不符合条件"})
    page = Session(app, "applicant2").text(f"/cases/{refused}")
    assert list(states(page).values()) == ["done", "stopped", "todo", "todo", "todo", "todo"]
    assert "正在初审" not in page and "progress-task" not in page


def test_the_owner_renames_and_regroups_the_milestones_and_each_case_keeps_its_versions(app, as_user):
    old_case, _applicant = apply(as_user)
    city_entry = MILESTONES[MILESTONES.index("- value: city\n"):MILESTONES.index("- value: experts\n")]
    regrouped = (MILESTONES.replace("label: 区级初审", "label: 区级初审推荐").replace(city_entry, "")
                 .replace("steps: [expert_review,", "steps: [city_formal_check, gw_formal, end_formal_rejected, "
                                                    "expert_review,"))
    assert regrouped.count("- value:") == 5
    response = upload(as_user("owner"), {"bpmn": ("provider_selection.bpmn", SELECTION),
                                         "list": ("selection_milestones.yaml", regrouped)})
    assert response.status_code == 201, response.get_json()
    new_case, _applicant = apply(as_user, "applicant2", year=2027)
    new_page = Session(app, "applicant2").text(f"/cases/{new_case}")
    assert [label for _v, _s, label in bar(new_page)] == ["申报", "区级初审推荐", "专家评审", "公示", "入库"]
    old_page = Session(app, "applicant1").text(f"/cases/{old_case}")
    assert [label for _v, _s, label in bar(old_page)][1:3] == ["区级初审", "市级审核"]


def test_milestones_naming_what_the_diagram_lacks_are_refused_at_deploy(app, as_user):
    owner = as_user("owner")
    unknown = MILESTONES.replace("steps: [admit_to_pool,", "steps: [no_such_step, admit_to_pool,")
    response = upload(owner, {"bpmn": ("provider_selection.bpmn", SELECTION),
                              "list": ("selection_milestones.yaml", unknown)})
    assert response.status_code == 422 and "no_such_step 不是本流程图中的元素" in str(response.get_json())
    twice = MILESTONES.replace("steps: [admit_to_pool,", "steps: [district_review, admit_to_pool,")
    response = upload(owner, {"bpmn": ("provider_selection.bpmn", SELECTION),
                              "list": ("selection_milestones.yaml", twice)})
    assert response.status_code == 422
    assert "district_review 同时属于进度节点 district 和 pool" in str(response.get_json())
    unnamed = SELECTION.replace('value="selection_milestones"', 'value="no_such_list"')
    response = upload(owner, {"bpmn": ("provider_selection.bpmn", unnamed)})
    assert response.status_code == 422 and "no_such_list 不在规则包中" in str(response.get_json())


def test_my_applications_says_the_round_is_open_after_applying(app, as_user):
    page = Session(app, "applicant1").text("/my")
    assert 'id="no-rounds"' in page
    instance_id, _applicant = apply(as_user)
    page = Session(app, "applicant1").text("/my")
    assert "当前没有开放的申报批次" not in page and 'id="applied-rounds"' in page
    assert "2026年度制造业数字化转型服务商遴选" in page
    assert f'data-instance-id="{instance_id}"' in page
