"""DMN files from other tools through the API (POST /api/v1/process-definitions): DMN 1.1 to 1.5,
`semantic:` prefixes, tables without ids, FEEL cells as the DMN editors write them; what cannot run
is refused with a Chinese message naming the table, the rule and the column — never a 500."""

from io import BytesIO
from pathlib import Path

import pytest
from dmn_tck import WRAPPER

ROOT = Path(__file__).resolve().parent.parent
GRADING_BPMN = (ROOT / "processes" / "provider_grading.bpmn").read_bytes()
GRADING_DMN = (ROOT / "processes" / "provider_grading.dmn").read_text(encoding="utf-8")
DMN13 = "https://www.omg.org/spec/DMN/20191111/MODEL/"

# The grade bands as the product's DMN editor writes them (its range popup, FEEL).
BANDS = [(">= 90", '"excellent"'), ("[80..90[", '"good"'), ("[70..80[", '"qualified"'), ("< 70", '"unqualified"')]


def table(rules=BANDS, ns=DMN13, prefix="", ids=True, hit_policy="UNIQUE", type_ref="number", extra=""):
    p = f"{prefix}:" if prefix else ""
    xmlns = f'xmlns:{prefix}="{ns}"' if prefix else f'xmlns="{ns}"'
    rid = (lambda name: f' id="{name}"') if ids else (lambda name: "")
    body = "".join(
        f"<{p}rule{rid(f'r{i}')}><{p}inputEntry{rid(f'r{i}_in')}><{p}text>{cell.replace('<', '&lt;')}</{p}text>"
        f"</{p}inputEntry><{p}outputEntry{rid(f'r{i}_out')}><{p}text>{out}</{p}text></{p}outputEntry></{p}rule>"
        for i, (cell, out) in enumerate(rules, 1))
    return (f'<?xml version="1.0" encoding="UTF-8"?><{p}definitions {xmlns} id="defs" name="d" namespace="urn:t">'
            f'<{p}decision id="grade_decision" name="等级">'
            f'<{p}decisionTable{rid("grade_table")} hitPolicy="{hit_policy}">'
            f'<{p}input{rid("in1")} label="平均分"><{p}inputExpression{rid("in1_expr")} typeRef="{type_ref}">'
            f'<{p}text>score</{p}text></{p}inputExpression></{p}input>'
            f'<{p}output{rid("out1")} name="grade" typeRef="string" />{body}</{p}decisionTable></{p}decision>'
            f'{extra}</{p}definitions>').encode()


def deploy(owner, dmn, key="dmn_probe", decision="grade_decision"):
    bpmn = WRAPPER.replace("{key}", key).replace("{decision}", decision).encode()
    return owner.client.post("/api/v1/process-definitions", headers=owner.headers, content_type="multipart/form-data",
                             data={"bpmn": (BytesIO(bpmn), f"{key}.bpmn"), "dmn": (BytesIO(dmn), "t.dmn")})


def grades(as_user, dmn, scores=(95, 90, 89.9, 80, 79, 12)):
    response = deploy(as_user("owner"), dmn)
    assert response.status_code == 201, response.get_json()
    city = as_user("city")
    found = []
    for score in scores:
        started = city.post("/process-instances", {"process": "dmn_probe", "data": {"score": score}})
        assert started.status_code == 201, started.get_json()
        found.append(city.get(f"/process-instances/{started.get_json()['id']}").get_json()["data"]["grade"])
    return found


EXPECTED = ["excellent", "excellent", "good", "good", "qualified", "unqualified"]


@pytest.mark.parametrize("variant", [
    {}, {"ns": "http://www.omg.org/spec/DMN/20180521/MODEL/"}, {"ns": "https://www.omg.org/spec/DMN/20211108/MODEL/"},
    {"ns": "https://www.omg.org/spec/DMN/20230324/MODEL/", "ids": False},
    {"ns": "http://www.omg.org/spec/DMN/20151101/dmn.xsd", "prefix": "semantic"},
    {"prefix": "dmn"},
], ids=["1.3", "1.2", "1.4", "1.5-without-ids", "1.1-semantic-prefix", "1.3-dmn-prefix"])
def test_every_dmn_version_and_prefix_deploys_and_grades(app, as_user, variant):
    assert grades(as_user, table(**variant)) == EXPECTED


def test_the_editors_popups_write_what_runs(app, as_user):
    """dmn-js's popups: a range, a list, not(…), booleans; a date comparison; FIRST."""
    listed = table(rules=[("]90..100]", '"top"'), ("80, 85", '"round"'), ("not(>= 0)", '"negative"'),
                          ("-", "null")], hit_policy="FIRST")
    assert grades(as_user, listed, scores=(95, 85, -1, 50)) == ["top", "round", "negative", None]


@pytest.mark.parametrize(("rules", "type_ref", "scores", "expected"), [
    ([('"河西区","南开区"', '"near"'), ('not("河西区","南开区")', '"far"')], "string", ("南开区", "滨海新区"),
     ["near", "far"]),
    ([('< date("2026-07-01")', '"first half"'), ('>= date("2026-07-01")', '"second half"')], "date",
     ("2026-03-01", "2026-07-01"), ["first half", "second half"]),
    ([("true", '"yes"'), ("false", '"no"'), ("null", '"unknown"')], "boolean", (True, False, None),
     ["yes", "no", "unknown"]),
], ids=["strings", "dates", "booleans"])
def test_strings_dates_and_booleans(app, as_user, rules, type_ref, scores, expected):
    assert grades(as_user, table(rules=rules, type_ref=type_ref), scores=scores) == expected


def refused(owner, dmn, **kw):
    response = deploy(owner, dmn, **kw)
    assert response.status_code == 422, response.get_json()
    return " ".join(response.get_json()["errors"])


def test_unrunnable_tables_are_refused_naming_table_rule_and_column(app, as_user):
    owner = as_user("owner")
    message = refused(owner, table(rules=[(">= 90", '"excellent"'), ("score > 'a'", '"good"')]))
    assert "决策表“等级”（grade_decision）第 2 条规则（r2）的输入列“平均分”" in message and "FEEL" in message
    assert "第 1 行" in message
    assert "第 1 条规则" in refused(owner, table(rules=[("> 1", "__import__('os')")]))
    assert "不支持的函数 system" in refused(owner, table(rules=[("> 1", 'system("id")')]))
    assert "命中策略 SOMETIMES" in refused(owner, table(hit_policy="SOMETIMES"))
    assert "outputValues" in refused(owner, table(hit_policy="PRIORITY"))


@pytest.mark.parametrize(("dmn", "says"), [
    (f'<definitions xmlns="{DMN13}" id="d" name="d" namespace="urn:t"/>'.encode(), "没有任何决策"),
    (f'<definitions xmlns="{DMN13}" id="d" name="d" namespace="urn:t"><decision id="grade_decision" name="x">'
     '<literalExpression><text>1</text></literalExpression></decision></definitions>'.encode(), "不是决策表"),
    (f'<definitions xmlns="{DMN13}" id="d" name="d" namespace="urn:t"><decision name="无编号">'
     '<decisionTable/></decision></definitions>'.encode(), "没有 id"),
    (b'<definitions xmlns="urn:not-dmn" id="d"/>', "不是 DMN 文件"),
    (b'<definitions', "XML"),
])
def test_files_that_cannot_run_are_refused_in_chinese(app, as_user, dmn, says):
    assert says in refused(as_user("owner"), dmn)


def test_a_missing_decision_is_named(app, as_user):
    message = refused(as_user("owner"), table(), decision="no_such_decision")
    assert "no_such_decision" in message and "grade_decision" in message and "不存在" in message


def test_two_rules_at_once_under_unique_fail_the_start_with_the_rules_named(app, as_user):
    overlapping = table(rules=[('"a","b"', '"x"'), ('"b"', '"y"')], type_ref="string")
    assert deploy(as_user("owner"), overlapping).status_code == 201
    city = as_user("city")
    assert city.post("/process-instances", {"process": "dmn_probe", "data": {"score": "a"}}).status_code == 201
    started = city.post("/process-instances", {"process": "dmn_probe", "data": {"score": "b"}})
    assert started.status_code == 422, started.get_json()
    assert "UNIQUE" in started.get_json()["error"] and "r1、r2" in started.get_json()["error"]


def test_the_band_check_reads_feel_ranges(app, as_user):
    """The grade table's gap/overlap check (guardrails) on the bands as FEEL ranges."""
    owner = as_user("owner")
    feel_bands = (GRADING_DMN.replace("80 &lt;= ? &lt; 90", "[80..90[").replace("70 &lt;= ? &lt; 80", "[70..80["))
    assert feel_bands != GRADING_DMN
    gap = feel_bands.replace("[80..90[", "[80..89[")
    response = owner.client.post("/api/v1/process-definitions", headers=owner.headers,
                                 content_type="multipart/form-data",
                                 data={"bpmn": (BytesIO(GRADING_BPMN), "provider_grading.bpmn"),
                                       "dmn": (BytesIO(gap.encode()), "provider_grading.dmn"),
                                       "confirm_policy_change": "true", "reason": "test"})
    assert response.status_code == 422
    assert any("缺口" in e and "89" in e for e in response.get_json()["errors"]), response.get_json()
    same = owner.client.post("/api/v1/process-definitions", headers=owner.headers, content_type="multipart/form-data",
                             data={"bpmn": (BytesIO(GRADING_BPMN), "provider_grading.bpmn"),
                                   "dmn": (BytesIO(feel_bands.encode()), "provider_grading.dmn")})
    # the same bands written as FEEL answer the same everywhere: no policy change to confirm
    assert same.status_code == 201, same.get_json()


def test_versions_deployed_before_feel_keep_the_engine_they_were_stored_with():
    """A spec stored before FEEL holds SpiffWorkflow's decision_table (Python cells) and restores onto
    SpiffWorkflow's DMN engine; a new one holds the FEEL decision."""
    from lxml import etree
    from SpiffWorkflow.dmn.engine.DMNEngine import DMNEngine
    from SpiffWorkflow.spiff.parser import SpiffBpmnParser

    from webapp.engine import serializer
    from webapp.engine.decisions import FeelDecision
    from webapp.engine.parser import Parser

    bpmn = etree.fromstring(WRAPPER.replace("{key}", "p").replace("{decision}", "provider_grade").encode())
    stored = {}
    for kind, parser in (("old", SpiffBpmnParser()), ("new", Parser())):
        parser.add_bpmn_xml(bpmn, "p.bpmn")
        parser.add_dmn_xml(etree.fromstring(GRADING_DMN.encode()), "provider_grading.dmn")
        stored[kind] = serializer.spec_to_dict(parser.get_spec("p"), {})
    assert "decision_table" in stored["old"]["spec"]["task_specs"]["decide"]
    assert "feel_decision" in stored["new"]["spec"]["task_specs"]["decide"]
    old, _ = serializer.spec_from_dict(stored["old"])
    new, _ = serializer.spec_from_dict(stored["new"])
    assert type(old.task_specs["decide"].dmnEngine) is DMNEngine
    assert isinstance(new.task_specs["decide"].dmnEngine, FeelDecision)
