"""Elements other tools draw, through the API: each runs or is refused at deploy with its element and
line named in Chinese, never "deploys, then fails at every start"."""

from io import BytesIO

import pytest

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"'
        ' xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="urn:t">\n')


def diagram(middle, key="element_probe", extra=""):
    """start → middle (an element with id "x") → end, in one executable process."""
    return (HEAD + f'<bpmn:process id="{key}" isExecutable="true">\n'
            '<bpmn:startEvent id="start"><bpmn:outgoing>a</bpmn:outgoing></bpmn:startEvent>\n'
            '<bpmn:sequenceFlow id="a" sourceRef="start" targetRef="x" />\n'
            f'{middle}\n<bpmn:sequenceFlow id="b" sourceRef="x" targetRef="end" />\n'
            '<bpmn:endEvent id="end"><bpmn:incoming>b</bpmn:incoming></bpmn:endEvent>\n'
            f'{extra}</bpmn:process>\n</bpmn:definitions>\n').encode()


def deploy(owner, bpmn):
    return owner.client.post("/api/v1/process-definitions", headers=owner.headers, content_type="multipart/form-data",
                             data={"bpmn": (BytesIO(bpmn), "probe.bpmn")})


@pytest.mark.parametrize("tag", ["task", "manualTask"])
def test_plain_and_manual_tasks_pass_through(app, as_user, tag):
    assert deploy(as_user("owner"), diagram(f'<bpmn:{tag} id="x" name="画出来的任务" />')).status_code == 201
    started = as_user("city").post("/process-instances", {"process": "element_probe"})
    assert started.status_code == 201, started.get_json()
    assert started.get_json()["status"] == "completed" and "x" in started.get_json()["completed"]


def test_tuple_assignment_runs(app, as_user):
    script = '<bpmn:scriptTask id="x"><bpmn:script>x, y = 1, 2\nz = x + y</bpmn:script></bpmn:scriptTask>'
    assert deploy(as_user("owner"), diagram(script)).status_code == 201
    started = as_user("city").post("/process-instances", {"process": "element_probe"})
    assert started.status_code == 201 and started.get_json()["data"]["z"] == 3, started.get_json()


def refused(owner, bpmn):
    response = deploy(owner, bpmn)
    assert response.status_code == 422, response.get_json()
    findings = response.get_json()["findings"]
    assert all(f["line"] or f["element_id"] for f in findings), findings
    return " ".join(response.get_json()["errors"])


@pytest.mark.parametrize(("middle", "extra", "says"), [
    ('<bpmn:scriptTask id="x"><bpmn:script>import os</bpmn:script></bpmn:scriptTask>', "", "import"),
    ('<bpmn:scriptTask id="x"><bpmn:script>  </bpmn:script></bpmn:scriptTask>', "", "脚本为空"),
    ('<bpmn:task id="x" />', '<bpmn:intermediateCatchEvent id="t"><bpmn:timerEventDefinition><bpmn:timeDate>'
     'datetime.now().isoformat()</bpmn:timeDate></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>',
     "datetime"),
    ('<bpmn:task id="x"><bpmn:multiInstanceLoopCharacteristics><bpmn:loopDataInputRef>nowhere</bpmn:loopDataInputRef>'
     '</bpmn:multiInstanceLoopCharacteristics></bpmn:task>', "", "输入集合 nowhere"),
    ('<bpmn:callActivity id="x" name="再调一次" calledElement="element_probe" />', "", "递归调用"),
    ('<bpmn:callActivity id="x" calledElement="elsewhere" />', "", "不在本规则包中"),
    ('<bpmn:serviceTask id="x" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" camunda:class="org.Foo" />', "",
     "这是 Camunda 的服务任务（camunda:class=org.Foo）"),
    ('<bpmn:userTask id="x" />', "", "不在任何泳道中"),
], ids=["import", "empty-script", "datetime-timer", "mi-missing-input", "self-call", "missing-call", "camunda",
        "no-lane"])
def test_refused_at_deploy_in_chinese_with_the_place(app, as_user, middle, extra, says):
    assert says in refused(as_user("owner"), diagram(middle, extra=extra))


def test_a_descriptive_diagram_names_its_process_and_line(app, as_user):
    message = refused(as_user("owner"), diagram('<bpmn:task id="x" />').replace(b'isExecutable="true"',
                                                                                  b'isExecutable="false"'))
    assert "element_probe（第 3 行）" in message and "可执行" in message
