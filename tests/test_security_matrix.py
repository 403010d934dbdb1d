"""Issue 16: the route × role × scope matrix, generated from the URL map, so a new page cannot escape it.

Every page (GET) is asked by no one and by one account of each role, with its parameters filled from a
real case of 河西区's applicant1: none answers 500; without an account only the public pages answer;
the three administrators reach their own page and no case page; an applicant and a district official of
another district reach none of the case's pages."""

from flask import url_for
from web import Session
from werkzeug.routing import IntegerConverter

from webapp.models import Attachment, HumanTask

PUBLIC = {"account.login", "account.register", "centers.index", "public.home", "public.notice", "public.notices",
          "public.objection_lookup", "public.objection", "public.complaint_lookup", "public.complaint", "public.call",
          "public.pool", "vendor.asset", "static"}
ADMIN_PAGES = {"sysadmin": {"security.users"}, "secadmin": {"security.policy"}, "auditor": {"security.audit"}}
ANY_ACCOUNT = {"security.change_password", "account.notification_settings"}  # one's own account
CASE_PAGES = {"cases.case", "cases.diagram", "cases.download", "cases.handle"}
ROLES = ("applicant1", "applicant2", "district-hexi", "district-nankai", "city", "owner", "expert1", "sysadmin",
         "secadmin", "auditor")


def _pages(app, ids):
    pages = {}
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.rule.startswith("/api/") or rule.endpoint == "static":
            continue
        args = {name: ids.get(name, 1 if isinstance(rule._converters[name], IntegerConverter) else "x")
                for name in rule.arguments}
        with app.test_request_context():
            pages[rule.endpoint] = url_for(rule.endpoint, **args)
    return pages


def test_the_matrix(app, as_user):
    """One matrix (eleven callers × every page), then each check on it."""
    matrix = _matrix(app, as_user)
    for check in (no_page_answers_500_to_anyone, without_an_account_only_the_public_pages_answer,
                  the_administrators_reach_their_own_page_and_no_business_page,
                  another_districts_applicant_and_official_reach_none_of_the_cases_pages):
        check(matrix)


def _matrix(app, as_user):
    from selection import apply
    instance_id, _ = apply(as_user)
    with app.app_context():
        ids = {"instance_id": instance_id, "key": "provider_selection", "version": 1,
               "task_id": HumanTask.query.filter_by(instance_id=instance_id, state="open").first().id,
               "attachment_id": Attachment.query.filter_by(instance_id=instance_id).first().id}
    pages = _pages(app, ids)
    answers = {None: {e: app.test_client().get(url).status_code for e, url in pages.items()}}
    for username in ROLES:
        browser = Session(app, username)
        answers[username] = {e: browser.get(url).status_code for e, url in pages.items()}
    return pages, answers


def no_page_answers_500_to_anyone(matrix):
    pages, answers = matrix
    assert len(pages) > 40
    failures = [(who, e) for who, row in answers.items() for e, status in row.items() if status >= 500]
    assert not failures


def without_an_account_only_the_public_pages_answer(matrix):
    _pages_, answers = matrix
    leaked = [e for e, status in answers[None].items() if status == 200 and e not in PUBLIC]
    assert not leaked, f"a page answers without an account (add it to PUBLIC only if it is public): {leaked}"


def the_administrators_reach_their_own_page_and_no_business_page(matrix):
    _pages_, answers = matrix
    for role, own in ADMIN_PAGES.items():
        reached = {e for e, status in answers[role].items() if status == 200}
        assert own <= reached
        assert reached <= own | PUBLIC | ANY_ACCOUNT, (role, reached - own - PUBLIC - ANY_ACCOUNT)
    for username in ROLES:
        if username not in ADMIN_PAGES:
            assert all(answers[username][e] != 200 for pages in ADMIN_PAGES.values() for e in pages), username


def another_districts_applicant_and_official_reach_none_of_the_cases_pages(matrix):
    _pages_, answers = matrix
    for username in ("applicant2", "district-nankai"):
        assert all(answers[username][e] in (403, 404) for e in CASE_PAGES), (username, answers[username])
    assert answers["applicant1"]["cases.case"] == 200 and answers["district-hexi"]["cases.handle"] == 200
