"""Form definitions: loading, the API `form` object, JSON validation and its agreement with the HTML form."""

import shutil

import pytest
from flask import Flask
from shipped_forms import REPO_FORMS, load_form
from werkzeug.datastructures import MultiDict

from webapp.formkit import FormDefinitionError, FormNotFound

REQUIRED = "此项为必填项"
SHEET = {"no_conflict": True, "score_basic": 17.6, "score_capability": 26.4, "score_performance": 35.2,
         "score_discount": 8.8, "opinion": "服务能力较强"}  # a filled expert scoring sheet: 88 in all

SINK = """
key: sink
title: 全部类型
title_en: Every type
fields:
  - {name: t, type: text, label: 文本, label_en: Text, max_length: 5}
  - {name: ta, type: textarea, label: 多行, max_length: 10}
  - {name: i, type: integer, label: 整数, min: 1, max: 10}
  - {name: d, type: decimal, label: 小数, min: 0, max: 100}
  - {name: dt, type: date, label: 日期}
  - {name: e, type: email, label: 邮箱}
  - {name: p, type: phone, label: 电话}
  - {name: cc, type: credit_code, label: 信用代码}
  - {name: s, type: select, label: 下拉, choices: colours}
  - {name: r, type: radio, label: 单选, choices: [{value: a, label: 甲}, {value: b, label: 乙}]}
  - {name: m, type: multiselect, label: 多选, choices: colours, max: 2, exclude_value_of: s}
  - {name: c, type: checkbox, label: 勾选}
  - {name: f, type: file, label: 附件}
  - {name: fs, type: files, label: 多个附件, max: 2}
  - name: rows
    type: table
    label: 表格
    max: 2
    columns:
      - {name: a, type: text, label: 甲, required: true}
      - {name: n, type: integer, label: 数}
      - {name: att, type: file, label: 附件}
"""
COLOURS = """
- {value: red, label: 红, label_en: Red}
- {value: green, label: 绿}
- {value: blue, label: 蓝}
"""


@pytest.fixture
def forms_dir(tmp_path):
    """A forms directory holding the repository's forms and the "sink" form with one field per type."""
    shutil.copytree(REPO_FORMS, tmp_path, dirs_exist_ok=True)
    (tmp_path / "sink.yaml").write_text(SINK, encoding="utf-8")
    (tmp_path / "lists" / "colours.yaml").write_text(COLOURS, encoding="utf-8")
    return tmp_path


# field, a good value, what clean holds for it, a bad value, the message for the bad value
TYPE_CASES = [
    ("t", " ab ", "ab", "abcdef", "不能超过5个字符"),
    ("t", "ab", "ab", {"x": 1}, "格式不正确"),
    ("ta", "多行\n文本", "多行\n文本", "x" * 11, "不能超过10个字符"),
    ("i", "7", 7, "7.5", "应为整数"),
    ("i", 10, 10, 11, "应在1到10之间"),
    ("i", 1, 1, True, "格式不正确"),
    ("d", 12.5, 12.5, "abc", "应为数字"),
    ("d", "0.1", 0.1, "NaN", "应为数字"),
    ("d", 0, 0.0, "1e999", "应为数字"),
    ("d", 100, 100.0, 100.01, "应在0到100之间"),
    ("dt", "2024-02-29", "2024-02-29", "2023-02-29", "日期格式应为 YYYY-MM-DD"),
    ("dt", "2024-2-9", "2024-02-09", "29/02/2024", "日期格式应为 YYYY-MM-DD"),
    ("e", "zhang@example.cn", "zhang@example.cn", "zhang@example", "邮箱格式不正确"),
    ("p", "13812345678", "13812345678", "12345", "电话号码格式不正确"),
    ("p", "022-23456789", "022-23456789", "1381234567", "电话号码格式不正确"),
    ("cc", " 91440300708461136t ", "91440300708461136T", "91440300708461136A",
     "统一社会信用代码校验位不正确"),
    ("s", "red", "red", "pink", "不是有效的选项"),
    ("r", "a", "a", "c", "不是有效的选项"),
    ("m", ["red", "green", "red"], ["red", "green"], ["red", "pink"], "无效的选项：pink"),
    ("m", [], [], ["red", "green", "blue"], "最多2项"),
    ("m", ["blue"], ["blue"], "blue", "格式不正确"),
    ("c", True, True, "yes", "应为 true 或 false"),
    ("c", False, False, 1, "应为 true 或 false"),
    ("f", 3, 3, "x", "附件编号无效"),
    ("fs", [1, 2], [1, 2], [1, "x"], "附件编号无效"),
    ("fs", [], [], [1, 2, 3], "最多2项"),
    ("rows", [{"a": "x", "n": "2"}], [{"a": "x", "n": 2, "att": None}], [{"a": "x"}] * 3, "最多2项"),
    ("rows", [], [], {"a": "x"}, "格式不正确"),
]


@pytest.mark.parametrize(("name", "good", "clean", "bad", "message"), TYPE_CASES)
def test_each_type_accepts_good_and_refuses_bad(forms_dir, name, good, clean, bad, message):
    form = load_form("sink", forms_dir)
    cleaned, errors = form.validate({name: good})
    assert errors == {}
    assert cleaned[name] == clean and type(cleaned[name]) is type(clean)
    assert form.validate({name: bad}) == ({}, {name: [message]})


def test_absent_optional_fields_get_empty_json_values(forms_dir):
    clean, errors = load_form("sink", forms_dir).validate({})
    assert errors == {}
    assert clean == {"t": "", "ta": "", "i": None, "d": None, "dt": None, "e": "", "p": "", "cc": "",
                     "s": None, "r": None, "m": [], "c": False, "f": None, "fs": [], "rows": []}


def test_unknown_fields_are_refused_at_top_level_and_in_rows(forms_dir):
    _, errors = load_form("sink", forms_dir).validate({"colour": "red", "rows": [{"a": "x"}, {"a": "y", "zz": 1}]})
    assert errors == {"colour": ["未知字段"], "rows.1.zz": ["未知字段"]}
    assert load_form("sink", forms_dir).validate([1, 2]) == ({}, {"data": ["应为 JSON 对象"]})


def test_table_errors_are_keyed_per_row_and_column(forms_dir):
    _, errors = load_form("sink", forms_dir).validate({"rows": [{"a": "ok", "n": 1}, {"a": " ", "n": "many"}, "row"]})
    assert errors == {"rows.1.a": [REQUIRED], "rows.1.n": ["应为整数"], "rows.2": ["格式不正确"]}


def test_attachment_ok_is_asked_about_every_attachment(forms_dir):
    form = load_form("sink", forms_dir)
    data = {"f": 3, "fs": [1, 2], "rows": [{"a": "x", "att": 7}, {"a": "y", "att": 1}]}
    asked = []

    def attachment_ok(attachment_id):
        asked.append(attachment_id)
        return attachment_id in {1, 3}

    _, errors = form.validate(data, attachment_ok=attachment_ok)
    assert errors == {"fs": ["附件不存在或无权使用：2"], "rows.0.att": ["附件不存在或无权使用：7"]}
    assert sorted(asked) == [1, 1, 2, 3, 7]
    assert form.validate(data)[1] == {}


def test_exclude_value_of(forms_dir):
    form = load_form("sink", forms_dir)
    assert form.validate({"s": "red", "m": ["red"]})[1] == {"m": ["不能包含“下拉”中已选的值"]}
    assert form.validate({"s": "red", "m": ["green"]})[1] == {}


# --- the provider-selection forms -----------------------------------------------------------------

# Field names the diagram (processes/provider_selection.bpmn) and the API rely on.
FIELDS = {
    "provider_application": {
        "org_name", "credit_code", "district", "founded_on", "registered_capital", "legal_representative",
        "contact_name", "contact_phone", "contact_email", "staff_total", "tech_staff", "revenue_last_year",
        "digital_revenue_last_year", "rnd_investment_last_year", "category", "other_categories", "industries",
        "qualifications", "attest_legal_person", "attest_no_violation", "attest_not_dishonest",
        "attest_local_office", "business_license", "audit_reports", "qualification_files",
        "truthfulness_pledge", "tianjin_cases", "products"},
    "district_review": {"decision", "opinion", "recommendation_letter"},
    "city_formal_check": {"decision", "experts", "opinion"},
    "expert_review": {"no_conflict", "score_basic", "score_capability", "score_performance", "score_discount",
                      "score", "opinion"},
    "city_decision": {"decision", "opinion"},
    "verify_objection": {"decision", "opinion"},
    "objection": {"name", "contact", "content"},
}


def test_every_form_file_loads_and_has_the_fields_the_diagram_uses():
    keys = {p.stem for p in REPO_FORMS.glob("*.yaml")}
    assert FIELDS.keys() <= keys
    for key in keys:
        form = load_form(key)
        assert form.to_json()["key"] == key and form.to_json("en")["title"]
        if key in FIELDS:
            assert {f.name for f in form.fields} == FIELDS[key]


def application(**changes):
    data = {
        "org_name": "天津智造数字科技有限公司", "credit_code": "91120116MA05JX0A2B",
        "district": "binhai", "contact_name": "王工", "contact_phone": "13800000000",
        "contact_email": "wang@example.cn", "staff_total": 120, "revenue_last_year": "3500.5",
        "category": "solution", "attest_legal_person": True, "attest_no_violation": True,
        "attest_not_dishonest": True, "attest_local_office": True, "business_license": 11,
        "truthfulness_pledge": 12, "founded_on": "2015-06-01",
        "tianjin_cases": [{"client": "天津某汽车零部件公司", "contract_amount": 80, "status": "completed"}],
    }
    return {**data, **changes}


def test_valid_application_is_converted_to_json_types():
    clean, errors = load_form("provider_application").validate(application())
    assert errors == {}
    assert clean["staff_total"] == 120 and clean["revenue_last_year"] == 3500.5
    assert clean["founded_on"] == "2015-06-01" and clean["attest_local_office"] is True
    assert clean["other_categories"] == [] and clean["audit_reports"] == []
    assert clean["tianjin_cases"] == [{"client": "天津某汽车零部件公司", "contract_amount": 80.0, "scope": "",
                                       "status": "completed", "results": ""}]


def test_every_required_field_is_required():
    form = load_form("provider_application")
    _, errors = form.validate({})
    assert errors == {f.name: [REQUIRED] for f in form.fields if f.required}
    assert "attest_local_office" in errors and "tianjin_cases" in errors


def test_a_required_checkbox_must_be_checked():
    _, errors = load_form("provider_application").validate(application(attest_not_dishonest=False))
    assert errors == {"attest_not_dishonest": [REQUIRED]}
    _, errors = load_form("expert_review").validate(dict(SHEET, no_conflict=False))
    assert errors == {"no_conflict": [REQUIRED]}


def test_a_required_table_needs_a_row():
    _, errors = load_form("provider_application").validate(application(tianjin_cases=[]))
    assert errors == {"tianjin_cases": [REQUIRED]}
    bad_case = {"client": "", "status": "done"}
    _, errors = load_form("provider_application").validate(
        application(tianjin_cases=[*application()["tianjin_cases"], bad_case]))
    assert errors == {"tianjin_cases.1.client": [REQUIRED], "tianjin_cases.1.status": ["不是有效的选项"]}


@pytest.mark.parametrize(("data", "errors"), [
    ({"decision": "return"}, {"opinion": [REQUIRED]}),
    ({"decision": "reject", "opinion": "   "}, {"opinion": [REQUIRED]}),
    ({"decision": "approve"}, {}),  # the 推荐函 is generated; a stamped one may be uploaded
    ({"decision": "approve", "recommendation_letter": 5}, {}),
    ({"decision": "return", "opinion": "请补充审计报告"}, {}),
    ({"decision": "maybe"}, {"decision": ["不是有效的选项"]}),
    ({}, {"decision": [REQUIRED]}),
])
def test_district_review_required_if(data, errors):
    assert load_form("district_review").validate(data)[1] == errors


@pytest.mark.parametrize(("data", "errors"), [
    ({"decision": "approve"}, {"experts": [REQUIRED]}),
    ({"decision": "approve", "experts": []}, {"experts": [REQUIRED]}),
    ({"decision": "approve", "experts": ["expert1", "expert3"]}, {}),
    ({"decision": "approve", "experts": ["nobody"]}, {"experts": ["无效的选项：nobody"]}),
    ({"decision": "reject"}, {"opinion": [REQUIRED]}),
    ({"decision": "reject", "opinion": "材料不全"}, {}),
])
def test_city_formal_check_required_if(data, errors):
    assert load_form("city_formal_check").validate(data)[1] == errors


@pytest.mark.parametrize(("category", "others", "errors"), [
    ("comprehensive", None, {"other_categories": ["至少选择4项"]}),
    ("comprehensive", ["consulting", "testing", "rnd"], {"other_categories": ["至少选择4项"]}),
    ("comprehensive", ["consulting", "testing", "rnd", "rnd"], {"other_categories": ["至少选择4项"]}),
    ("comprehensive", ["consulting", "testing", "rnd", "equipment"], {}),
    ("consulting", None, {}),
    ("consulting", ["consulting", "testing"], {"other_categories": ["不能包含“申报类别”中已选的值"]}),
])
def test_comprehensive_needs_four_other_categories(category, others, errors):
    data = application(category=category, other_categories=others)
    assert load_form("provider_application").validate(data)[1] == errors


def test_each_dimension_of_the_scoring_sheet_keeps_its_maximum():
    form = load_form("expert_review")
    for value, ok in [(0, True), (40, True), ("37.5", True), (-1, False), (40.5, False)]:
        assert (form.validate(dict(SHEET, score_performance=value))[1] == {}) is ok


def test_the_total_is_computed_from_the_sheet_and_a_typed_total_must_agree():
    form = load_form("expert_review")
    clean, errors = form.validate(SHEET)
    assert errors == {} and clean["score"] == 88.0  # 17.6 + 26.4 + 35.2 + 8.8, exactly
    assert form.validate(dict(SHEET, score=88))[1] == {}
    assert form.validate(dict(SHEET, score=95))[1] == {"score": ["应为各项得分之和 88.0"]}
    _, errors = form.validate({k: v for k, v in SHEET.items() if k != "score_discount"})
    assert errors == {"score_discount": [REQUIRED]}  # a missing part, not a wrong total
    assert form.to_json()["fields"][5] == {
        "name": "score", "type": "decimal", "label": "总分（各项之和，满分100分）", "required": False,
        "readonly": True, "sum_of": ["score_basic", "score_capability", "score_performance", "score_discount"],
        "min": 0, "max": 100}


@pytest.mark.parametrize(("fields", "complaint"), [
    ("[{name: a, type: decimal, label: A, max: 60}, {name: b, type: decimal, label: B, max: 50},"
     " {name: t, type: decimal, label: T, max: 100, sum_of: [a, b]}]", "add up to 110"),
    ("[{name: t, type: decimal, label: T, sum_of: [a]}, {name: a, type: decimal, label: A}]",
     "not a number field before"),
    ("[{name: a, type: text, label: A}, {name: t, type: integer, label: T, sum_of: [a]}]",
     "not a number field before"),
    ("[{name: a, type: text, label: A, readonly: true}]", "true only with from_account"),
    ("[{name: a, type: text, label: A, from_account: password}]", "from_account must be one of"),
    ("[{name: a, type: text, label: A, readable_by: [nobody]}]", "roles from forms/lists/roles.yaml"),
])
def test_sheet_account_and_reader_mistakes_are_named(forms_dir, fields, complaint):
    (forms_dir / "broken.yaml").write_text(f"key: broken\ntitle: B\nfields: {fields}\n", encoding="utf-8")
    with pytest.raises(FormDefinitionError, match=complaint):
        load_form("broken", forms_dir)


def test_to_json_is_the_api_form_object():
    form = load_form("district_review").to_json()
    assert form["key"] == "district_review"
    assert form["fields"][0] == {
        "name": "decision", "type": "radio", "label": "初审意见", "required": True,
        "choices": [{"value": "approve", "label": "推荐"}, {"value": "return", "label": "退回补正"},
                    {"value": "reject", "label": "不予推荐"}]}
    assert form["fields"][1]["required_if"] == {"decision": ["return", "reject"]}
    assert form["fields"][1]["max_length"] == 2000 and form["fields"][1]["required"] is False
    assert "choices" not in form["fields"][1] and "min" not in form["fields"][1]


def test_to_json_resolves_lists_and_tables_and_locale():
    fields = {f["name"]: f for f in load_form("provider_application").to_json()["fields"]}
    districts = fields["district"]["choices"]
    assert len(districts) == 16 and districts[0] == {"value": "heping", "label": "和平区"}
    assert districts[-1] == {"value": "binhai", "label": "滨海新区"}
    assert [c["value"] for c in fields["category"]["choices"]] == [
        "consulting", "testing", "operation", "rnd", "production", "solution", "infrastructure", "equipment",
        "comprehensive"]
    assert fields["other_categories"]["min_items_if"] == {"when": {"category": "comprehensive"}, "min": 4}
    assert [c["name"] for c in fields["tianjin_cases"]["columns"]] == [
        "client", "contract_amount", "scope", "status", "results"]
    assert fields["tianjin_cases"]["min"] == 1
    en = {f["name"]: f for f in load_form("provider_application").to_json("en")["fields"]}
    assert en["district"]["choices"][-1]["label"] == "Binhai New Area"
    assert en["tianjin_cases"]["columns"][0]["label"] == "Client"


def test_english_falls_back_to_chinese(forms_dir):
    fields = {f["name"]: f for f in load_form("sink", forms_dir).to_json("en")["fields"]}
    assert fields["t"]["label"] == "Text" and fields["ta"]["label"] == "多行"
    assert [c["label"] for c in fields["s"]["choices"]] == ["Red", "绿", "蓝"]


def test_with_choices_replaces_choices_in_a_copy():
    base = load_form("city_formal_check")
    form = base.with_choices("experts", [{"value": "li", "label": "李专家", "label_en": "Li"}])
    assert form.to_json()["fields"][1]["choices"] == [{"value": "li", "label": "李专家"}]
    assert form.validate({"decision": "approve", "experts": ["li"]})[1] == {}
    assert form.validate({"decision": "approve", "experts": ["expert1"]})[1] == {
        "experts": ["无效的选项：expert1"]}
    assert base.validate({"decision": "approve", "experts": ["expert1"]})[1] == {}
    assert [c.value for c in base.fields[1].choices] == [f"expert{i}" for i in range(1, 6)]
    with pytest.raises(FormDefinitionError):
        base.with_choices("opinion", [{"value": "x", "label": "x"}])
    with pytest.raises(FormDefinitionError):
        base.with_choices("experts", [{"value": "li"}])
    nobody = base.with_choices("experts", [])  # no expert accounts yet: nothing can be chosen
    assert nobody.validate({"decision": "approve", "experts": ["expert1"]})[1] == {
        "experts": ["无效的选项：expert1"]}


# --- the HTML form refuses exactly what the API refuses ---------------------------------------------

POSTED_SHEET = [("score_basic", "17.6"), ("score_capability", "26.4"), ("score_performance", "35.2"),
                ("score_discount", "8.8")]
# (form, JSON completion, the same completion as a browser posts it)
AGREEMENT = [
    ("district_review", {"decision": "approve", "recommendation_letter": 5},
     [("decision", "approve"), ("recommendation_letter", "5")]),
    ("district_review", {"decision": "return"}, [("decision", "return"), ("opinion", "")]),
    ("district_review", {"decision": "return", "opinion": "x" * 2001},
     [("decision", "return"), ("opinion", "x" * 2001)]),
    ("district_review", {"decision": "maybe"}, [("decision", "maybe")]),
    ("expert_review", SHEET, [("no_conflict", "y"), *POSTED_SHEET, ("opinion", "服务能力较强")]),
    ("expert_review", dict(SHEET, score=90), [("no_conflict", "y"), *POSTED_SHEET, ("score", "90"),
                                              ("opinion", "服务能力较强")]),
    ("expert_review", dict(SHEET, no_conflict=None), [*POSTED_SHEET, ("opinion", "服务能力较强")]),
    ("expert_review", dict(SHEET, score_basic=21), [("no_conflict", "y"), ("score_basic", "21"),
                                                    *POSTED_SHEET[1:], ("opinion", "服务能力较强")]),
    ("city_formal_check", {"decision": "approve", "experts": ["expert1", "expert2"]},
     [("decision", "approve"), ("experts", "expert1"), ("experts", "expert2")]),
    ("city_formal_check", {"decision": "approve"}, [("decision", "approve")]),
    ("sink", {"i": "11", "cc": "91440300708461136T"}, [("i", "11"), ("cc", "91440300708461136T")]),
    ("sink", {"cc": "91440300708461136A"}, [("cc", "91440300708461136A")]),
    ("sink", {"dt": "2024-13-01", "e": "a@b"}, [("dt", "2024-13-01"), ("e", "a@b")]),
    ("sink", {"m": ["red", "green"], "c": True, "fs": [4, 5]},
     [("m", "red"), ("m", "green"), ("c", "y"), ("fs", "4"), ("fs", "5")]),
    ("sink", {"s": "red", "m": ["red"]}, [("s", "red"), ("m", "red")]),
    ("sink", {"rows": [{"a": "x", "n": 1}, {"a": ""}]},
     [("rows-0-a", "x"), ("rows-0-n", "1"), ("rows-1-a", "")]),
    ("sink", {"rows": [{"a": "x", "n": 1}]}, [("rows-0-a", "x"), ("rows-0-n", "1")]),
    ("sink", {"fs": [1, "x"]}, [("fs", "1"), ("fs", "x")]),
]


@pytest.fixture
def app():
    app = Flask(__name__)
    app.config.update(SECRET_KEY="test", WTF_CSRF_ENABLED=False)
    return app


@pytest.mark.parametrize(("key", "data", "posted"), AGREEMENT)
def test_html_form_and_api_agree(forms_dir, app, key, data, posted):
    definition = load_form(key, forms_dir)
    _, api_errors = definition.validate(data)
    with app.test_request_context(method="POST", data=MultiDict(posted)):
        html = definition.wtform_class()()
        html_ok = html.validate_on_submit()
    assert html_ok == (not api_errors)
    assert set(html.errors) == {k.split(".")[0] for k in api_errors}


def test_html_forms_render_in_both_locales(app):
    with app.test_request_context():
        for key in FIELDS:
            for locale in ("zh", "en"):
                form = load_form(key).wtform_class(locale)()
                html = "".join(str(field) + str(field.label) for field in form)
                first = load_form(key).to_json(locale)["fields"][0]["label"]
                assert first in html


def test_html_form_marks_required_and_limits():
    html = load_form("expert_review").wtform_class()(formdata=None, meta={"csrf": False})
    assert 'required' in str(html.no_conflict) and 'max="100"' in str(html.score)
    assert 'maxlength="2000"' in str(html.opinion)


# --- loading ------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["../forms/objection", "..", "objection/../objection", "/etc/passwd",
                                 "Objection", "", "objection.yaml", None, "no_such_form"])
def test_bad_or_unknown_keys_are_not_found(key):
    with pytest.raises(FormNotFound):
        load_form(key)
    assert issubclass(FormNotFound, KeyError)


def test_path_traversal_cannot_reach_a_file_outside_the_forms_dir(tmp_path):
    (tmp_path / "forms").mkdir()
    outside = "key: outside\ntitle: x\nfields: [{name: a, type: text, label: a}]"
    (tmp_path / "outside.yaml").write_text(outside)
    with pytest.raises(FormNotFound):
        load_form("../outside", tmp_path / "forms")


@pytest.mark.parametrize(("fields", "complaint"), [
    ("[{name: x, type: colour, label: X}]", "field 'x': unknown type 'colour'"),
    ("[{name: x, type: text, label: X, colour: red}]", "field 'x': keys ['colour'] are not allowed"),
    ("[{name: x, type: text, label: X, choices: colours}]", "field 'x': keys ['choices'] are not allowed"),
    ("[{name: x, type: text}]", "field 'x': label"),
    ("[{name: data, type: text, label: X}]", "field 'data': name must"),
    ("[{name: Bad-Name, type: text, label: X}]", "field 'Bad-Name': name must"),
    ("[{name: x, type: text, label: X}, {name: x, type: integer, label: Y}]", "used twice"),
    ("[{name: x, type: text, label: X, required_if: {y: 1}}]", "field 'x': refers to 'y'"),
    ("[{name: x, type: select, label: X, choices: colours},"
     " {name: y, type: text, label: Y, required_if: {x: pink}}]",
     "field 'y': 'pink' is not a possible value of 'x'"),
    ("[{name: x, type: select, label: X, choices: nosuchlist}]", "field 'x': no list file"),
    ("[{name: x, type: select, label: X, choices: [{value: a}]}]", "field 'x': choices"),
    ("[{name: x, type: integer, label: X, min: low}]", "field 'x': min"),
    ("[{name: x, type: files, label: X, max: 1.5}]", "field 'x': max"),
    ("[{name: t, type: table, label: T, columns: [{name: u, type: table, label: U, columns: []}]}]",
     "field 't.u': unknown type 'table'"),
    ("[{name: t, type: table, label: T, columns: [{name: a, type: text, label: A, size: 3}]}]",
     "field 't.a'"),
    ("[{name: m, type: multiselect, label: M, choices: colours, min_items_if: {min: 2}}]",
     "field 'm': min_items_if"),
    ("[]", "fields"),
])
def test_schema_mistakes_name_the_file_and_field(forms_dir, fields, complaint):
    (forms_dir / "bad.yaml").write_text(f"key: bad\ntitle: 错\nfields: {fields}\n", encoding="utf-8")
    with pytest.raises(FormDefinitionError) as raised:
        load_form("bad", forms_dir)
    assert "bad.yaml" in str(raised.value) and complaint in str(raised.value)


@pytest.mark.parametrize(("text", "complaint"), [
    ("key: other\ntitle: x\nfields: [{name: a, type: text, label: a}]", "key must be 'bad'"),
    ("key: bad\ntitle: x\ncolour: red\nfields: [{name: a, type: text, label: a}]", "unknown keys ['colour']"),
    ("key: bad\nfields: [{name: a, type: text, label: a}]", "title"),
    ("key: bad\ntitle: [unclosed", "not valid YAML"),
    ("- just a list", "expected a mapping"),
])
def test_document_mistakes_name_the_file(forms_dir, text, complaint):
    (forms_dir / "bad.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(FormDefinitionError, match="bad.yaml") as raised:
        load_form("bad", forms_dir)
    assert complaint in str(raised.value)
