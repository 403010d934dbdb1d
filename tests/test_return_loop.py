"""退回补正 with every field filled in: a stored submission goes back into its form, the page renders it,
and submitting that page unchanged stores the very same values — for every form in forms/ (a property
test over generated submissions), and end to end through the pages for both application forms."""

from datetime import date
from pathlib import Path

import pytest
from flask import render_template_string
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from selection import apply, case, complete, recommend, task_for
from shipped_forms import load_form
from web import Session, form_values
from werkzeug.datastructures import MultiDict

from webapp.formkit.credit_code import CHARSET, check_digit
from webapp.formkit.validate import bind

FORMS = sorted(p.stem for p in (Path(__file__).resolve().parent.parent / "forms").glob("*.yaml"))
PAGE = '{% from "macros/taskform.html" import render %}<form id="task-form">{{ render(d, form, {}, {}) }}</form>'
WORDS = st.text(st.sampled_from("天津智造数字化转型服务商abcXYZ0123456789（）、-"), min_size=1, max_size=30)


def _text(f):
    limit = min(f.max_length or 30, 30)
    return WORDS.map(lambda s: s[:limit])


def _textarea(f):
    return st.lists(WORDS, min_size=1, max_size=3).map(lambda lines: "\n".join(lines)[:f.max_length or 2000])


def _number(f, integer):
    low = f.min if f.min is not None else 0
    high = f.max if f.max is not None else 10**6
    if integer:
        return st.integers(int(low), int(high))
    return st.decimals(low, high, places=2, allow_nan=False, allow_infinity=False).map(float)


def _credit_code():
    return st.text(st.sampled_from(CHARSET), min_size=9, max_size=9).map(
        lambda tail: "91120103" + tail + check_digit("91120103" + tail))


def _choices(f, chosen):
    values = [c.value for c in f.choices]
    if f.exclude_value_of:
        values = [v for v in values if v != chosen.get(f.exclude_value_of)]
    needed = f.min_items_if["min"] if f.min_items_if and all(
        chosen.get(k) in (v if isinstance(v, list) else [v]) for k, v in f.min_items_if["when"].items()) else 1
    low = max(int(f.min or 1), needed)
    high = min(int(f.max) if f.max is not None else len(values), len(values))
    return st.lists(st.sampled_from(values), min_size=low, max_size=max(low, high), unique=True)


def field_value(draw, f, chosen):
    """A valid value for one field, every optional one filled in too."""
    kind = f.type
    if kind == "text":
        return draw(_text(f))
    if kind == "textarea":
        return draw(_textarea(f))
    if kind == "email":
        return draw(st.text(st.sampled_from("abcdefgh"), min_size=1, max_size=8)) + "@example.cn"
    if kind == "phone":
        return draw(st.sampled_from("3456789").map(lambda d: "1" + d)) + draw(
            st.text(st.sampled_from("0123456789"), min_size=9, max_size=9))
    if kind == "credit_code":
        return draw(_credit_code())
    if kind in ("integer", "decimal"):
        return draw(_number(f, kind == "integer"))
    if kind == "date":
        return draw(st.dates(date(2000, 1, 1), date(2030, 12, 31))).isoformat()
    if kind in ("select", "radio"):
        return draw(st.sampled_from([c.value for c in f.choices]))
    if kind == "multiselect":
        return draw(_choices(f, chosen))
    if kind == "checkbox":
        return True  # "filled in": checked (a required_if checkbox needs it too)
    if kind == "file":
        return draw(st.integers(1, 10_000))
    if kind == "files":
        return draw(st.lists(st.integers(1, 10_000), min_size=max(int(f.min or 1), 1), max_size=3, unique=True))
    if kind == "table":
        rows = max(int(f.min or 1), 1)
        return [submission(draw, f.columns) for _ in range(draw(st.integers(rows, max(rows, min(int(f.max or 3), 3)))))]
    raise AssertionError(f"no generator for field type {kind}")


def submission(draw, fields):
    chosen = {}
    for f in fields:
        if not f.computed:  # a total is the form's to compute
            chosen[f.name] = field_value(draw, f, chosen)
    return chosen


@pytest.mark.parametrize("key", FORMS)
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_stored_submission_renders_and_comes_back_unchanged(app, key, data):
    definition = load_form(key)
    clean, errors = definition.validate(submission(data.draw, definition.fields))
    assert errors == {}, errors  # every field filled in with a valid value
    with app.test_request_context():
        form = definition.wtform_class()(data=definition.form_data(clean), meta={"csrf": False})
        html = render_template_string(PAGE, d=definition, form=form)  # the 500: a date put back as text
        _, again, errors = bind(definition, MultiDict(form_values(html)), csrf=False)
    assert errors == {} and again == clean


def _every_field(api, username):
    """provider_application with every optional field filled in as well (a date among them)."""
    from selection import application

    upload = lambda: api.upload().get_json()["id"]  # noqa: E731 - a fresh upload per file field
    return application(
        api, username, founded_on="2015-06-18", registered_capital=5000.5, legal_representative="李明",
        digital_revenue_last_year=3200, rnd_investment_last_year=860.25, industries="汽车、装备制造",
        qualifications=["high_tech", "specialized"], audit_reports=[upload(), upload()],
        qualification_files=[upload()],
        products="智能工厂诊断：设备联网与数据采集")


def test_returned_application_with_every_field_reopens_and_resubmits_unchanged(app, as_user):
    instance_id, applicant = apply(as_user)
    first = as_user("applicant1")
    complete(as_user("district-hexi"), instance_id, "district_review", {"decision": "return", "opinion": "请补充"})
    task_id = task_for(first, instance_id, "submit_application")
    complete(first, instance_id, "submit_application", _every_field(first, "applicant1"), expect=200)
    review = task_for(as_user("district-hexi"), instance_id, "district_review")
    shown = Session(app, "district-hexi").text(f"/tasks/{review}")
    assert "2015年6月18日" in shown and "5,000.50" in shown  # as a Chinese record writes a date and an amount
    complete(as_user("district-hexi"), instance_id, "district_review", {"decision": "return", "opinion": "再补充"})
    task_id = task_for(first, instance_id, "submit_application")
    page = Session(app, "applicant1")
    html = page.text(f"/tasks/{task_id}")
    assert 'value="2015-06-18"' in html and "智能工厂诊断" in html and "再补充" in html
    response = page.client.post(f"/tasks/{task_id}", data=MultiDict(form_values(html)))
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    with app.app_context():
        from webapp.models import HumanTask

        done = (HumanTask.query.filter_by(instance_id=instance_id, element_id="submit_application",
                                          state="completed").order_by(HumanTask.id).all())
        assert len(done) == 3 and done[2].data == done[1].data  # the page sent back exactly what was stored
    assert case(applicant, instance_id)["active"] == ["district_review"]


def test_the_city_returns_a_case_to_the_district_which_reviews_it_again(app, as_user):
    """退回 to an earlier step than the applicant's: the diagram's way back from the formal check."""
    instance_id, applicant = apply(as_user)
    hexi, city = as_user("district-hexi"), as_user("city")
    recommend(hexi, instance_id)
    refused = complete(city, instance_id, "city_formal_check", {"decision": "return"}, expect=422)
    assert "opinion" in refused["errors"]  # a return says why
    complete(city, instance_id, "city_formal_check", {"decision": "return", "opinion": "请补充现场核查情况"})
    assert case(city, instance_id)["active"] == ["district_review"]
    task_id = task_for(hexi, instance_id, "district_review")
    assert "请补充现场核查情况" in Session(app, "district-hexi").text(f"/tasks/{task_id}")
    recommend(hexi, instance_id)
    assert case(city, instance_id)["active"] == ["city_formal_check"]
