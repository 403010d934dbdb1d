"""Lists come a page at a time: the task API, the inbox pages and the public pool (issue 6, growth)."""

import re

import pytest
from selection import admit, apply
from web import Session

SMALL_PAGES = {"PAGE_SIZE": 2, "LIST_COUNT_CAP": 3}


def open_reviews(as_user, n):
    """n cases waiting for the Hexi district's review (one round a year, so one applicant can apply n times)."""
    return {apply(as_user, "applicant1", year=2026 + i)[0] for i in range(n)}


@pytest.mark.parametrize("app", [SMALL_PAGES], indirect=True)
def test_task_api_pages_cover_every_task_once(app, as_user):
    cases = open_reviews(as_user, 5)
    hexi = as_user("district-hexi")
    first = hexi.get("/tasks")
    assert len(first.get_json()) == 2
    assert first.headers["X-Total-Count"] == "3+"  # the count stops at the cap
    seen, response, pages = [], first, 1
    while pages < 10:  # bounded: a Link past the last page must fail the test, not hang it
        seen += [t["instance_id"] for t in response.get_json()]
        link = response.headers.get("Link")
        if link is None:
            break
        response, pages = hexi.client.get(re.match(r"<([^>]+)>", link).group(1), headers=hexi.headers), pages + 1
    assert sorted(seen) == sorted(cases)
    assert pages == 3  # the last page (one task) says there is no next one, although the count was capped
    everything = hexi.get("/tasks?per_page=500").get_json()
    assert {t["instance_id"] for t in everything} == cases
    assert hexi.get("/tasks?page=abc&per_page=-1").status_code == 200  # malformed values mean the defaults


@pytest.mark.parametrize("app", [SMALL_PAGES], indirect=True)
def test_inbox_page_shows_a_page_and_links_the_next(app, as_user):
    cases = open_reviews(as_user, 3)
    official = Session(app, "district-hexi")
    first, second = official.text("/inbox/"), official.text("/inbox/?page=2")
    rows = lambda html: set(re.findall(r'data-task-id="(\d+)"', html))  # noqa: E731
    assert len(rows(first)) == 2 and len(rows(second)) == 1 and not rows(first) & rows(second)
    assert 'id="todo-count">3<' in first and "page=2" in first
    assert "?page=3" not in second  # no link past the last page
    assert len(cases) == 3


@pytest.mark.parametrize("app", [SMALL_PAGES], indirect=True)
def test_pool_api_pages_on_request_and_counts_exactly(app, as_user):
    admit(app, as_user, "applicant1", "hexi")
    admit(app, as_user, "applicant2", "nankai")
    admit(app, as_user, "applicant3", "binhai")
    public = app.test_client()
    assert len(public.get("/api/v1/public/resource-pool").get_json()) == 3  # the contract: the whole pool
    page = public.get("/api/v1/public/resource-pool?per_page=2")
    assert len(page.get_json()) == 2 and page.headers["X-Total-Count"] == "3"
    assert "page=2" in page.headers["Link"]
    last = public.get("/api/v1/public/resource-pool?per_page=2&page=2").get_json()
    assert len(last) == 1 and last[0]["name"] not in {e["name"] for e in page.get_json()}
