"""One request runs a bounded number of automatic steps (ENGINE_STEPS_PER_REQUEST): a loop of script tasks
with no exit and no user task fails with a clear error naming its element and leaves nothing behind,
where it used to spin until SpiffWorkflow stopped looking (a 1 000-deep task tree) and left a case
"running" with nothing open. Loops that end run as before."""

from datetime import UTC, datetime, timedelta
from io import BytesIO

import pytest
from test_bpmn_elements import HEAD

from webapp.models import ProcessInstance

LOOP = HEAD + """  <bpmn:process id="loop_probe" name="循环" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="WAIT" />
    TIMER
    <bpmn:scriptTask id="init"><bpmn:script>n = 0</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="init" targetRef="count" />
    <bpmn:scriptTask id="count" name="加一"><bpmn:script>n = n + 1</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f3" sourceRef="count" targetRef="enough" />
    <bpmn:exclusiveGateway id="enough" name="够了吗" default="again" />
    <bpmn:sequenceFlow id="again" sourceRef="enough" targetRef="count" />
    <bpmn:sequenceFlow id="done" sourceRef="enough" targetRef="end">
      <bpmn:conditionExpression>n &gt;= ROUNDS</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>"""
TIMER = ('<bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition><bpmn:timeDuration>"PT1M"'
         '</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>\n'
         '    <bpmn:sequenceFlow id="f0" sourceRef="wait" targetRef="init" />')


def deploy_loop(owner, rounds, timer=False):
    diagram = LOOP.replace("ROUNDS", str(rounds)).replace("WAIT", "wait" if timer else "init")
    diagram = diagram.replace("TIMER", TIMER if timer else "")
    response = owner.client.post("/api/v1/process-definitions", headers=owner.headers,
                                 content_type="multipart/form-data",
                                 data={"bpmn": (BytesIO(diagram.encode()), "loop.bpmn")})
    assert response.status_code == 201, response.get_json()


def cases(app):
    with app.app_context():
        return ProcessInstance.query.filter_by(process_key="loop_probe").count()


def test_a_loop_that_ends_runs(app, as_user):
    deploy_loop(as_user("owner"), rounds=100)  # 200 automatic steps
    started = as_user("city").post("/process-instances", {"process": "loop_probe"})
    assert started.status_code == 201, started.get_json()
    assert started.get_json()["status"] == "completed"


def test_a_loop_without_exit_is_stopped_and_leaves_no_case(app, as_user):
    deploy_loop(as_user("owner"), rounds=10**9)
    started = as_user("city").post("/process-instances", {"process": "loop_probe"})
    assert started.status_code == 422, started.get_json()
    message = started.get_json()["error"]
    assert "超过 500 步" in message and "循环" in message and ("（count）" in message or "（enough）" in message)
    assert cases(app) == 0  # rolled back whole: no case "running" with nothing open


@pytest.mark.parametrize("app", [{"ENGINE_STEPS_PER_REQUEST": 50}], indirect=True)
def test_the_bound_is_the_setting(app, as_user):
    deploy_loop(as_user("owner"), rounds=100)
    started = as_user("city").post("/process-instances", {"process": "loop_probe"})
    assert started.status_code == 422 and "超过 50 步" in started.get_json()["error"]
    assert cases(app) == 0


def test_a_timer_into_a_loop_without_exit_marks_its_case(app, as_user):
    deploy_loop(as_user("owner"), rounds=10**9, timer=True)
    city = as_user("city")
    started = city.post("/process-instances", {"process": "loop_probe"})
    assert started.status_code == 201 and started.get_json()["active"] == ["wait"], started.get_json()
    result = app.test_cli_runner().invoke(args=["timers", "run", "--as-of",
                                                (datetime.now(UTC) + timedelta(hours=1)).isoformat()])
    assert result.exit_code == 0, result.output
    case = city.get(f"/process-instances/{started.get_json()['id']}").get_json()
    assert case["status"] == "error" and "超过 500 步" in case["error"], case
    assert "wait" not in case["completed"] and "init" not in case["completed"]  # the fired steps rolled back
