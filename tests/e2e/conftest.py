"""The real app on a free port of 127.0.0.1, and Chromium (Debian's) driven by Playwright's sync API.

Run with `make e2e`; `make test` leaves this folder out. Screenshots go to tests/artifacts/screenshots/.
"""

import importlib.util
import logging
import threading
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

TESTS = Path(__file__).resolve().parent.parent
SCREENSHOTS = TESTS / "artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def _make_app():
    # tests/conftest.py cannot be imported by name from here (pytest swaps conftest modules), so load it by path.
    spec = importlib.util.spec_from_file_location("unit_conftest", TESTS / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.make_app


@pytest.fixture(scope="session")
def fresh_app(tmp_path_factory):
    """fresh_app(name) -> an app on a new SQLite file, demo accounts and processes/ deployed."""
    make_app = _make_app()
    return lambda name: make_app(f"sqlite:///{tmp_path_factory.mktemp(name) / f'{name}.db'}")


@pytest.fixture
def own_app(tmp_path):
    """An app of the test's own on a fresh SQLite file, for tests that deploy processes whose keys other
    browser tests may use (the corpora's "main", "Process_1"…)."""
    return _make_app()(f"sqlite:///{tmp_path / 'own.db'}")


@pytest.fixture(scope="session")
def app(fresh_app):
    """The app the browser tests share."""
    return fresh_app("e2e")


@pytest.fixture(scope="session")
def serve():
    """serve(app) -> the base URL of `app` served on a free port of 127.0.0.1 (until the session ends), for
    the shared app and for a test module that keeps a database of its own."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    servers = []

    def start(app):
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        servers.append((server, thread))
        return f"http://127.0.0.1:{server.server_port}"

    yield start
    for server, thread in servers:
        server.shutdown()
        thread.join(5)


@pytest.fixture(scope="session")
def base_url(app, serve):
    return serve(app)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium fonts-wqy-zenhei (see .ci/run)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    if outcome.get_result().failed:
        item.failed_in_browser = True


@pytest.fixture
def new_page(browser, base_url, request):
    """new_page() -> a page in a browser context of its own (own cookies), closed after the test.

    When the test fails, each page's last state is saved as failed-<n>.png beside the screenshots. Any
    Content-Security-Policy violation a page reports on its console fails the test: the pages, bpmn-js
    and dmn-js must work under the policy the app sends (webapp/security/headers.py)."""
    contexts, violations = [], []

    def make():
        context = browser.new_context(base_url=base_url, locale="zh-CN", viewport={"width": 1400, "height": 900})
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda message: violations.append(f"{page.url}: {message.text}")
                if "Content Security Policy" in message.text else None)
        return page

    yield make
    for n, context in enumerate(contexts):
        if getattr(request.node, "failed_in_browser", False):
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            context.pages[0].screenshot(path=SCREENSHOTS / f"failed-{n}.png", full_page=True)
        context.close()
    assert not violations, "CSP violations:\n" + "\n".join(violations)


@pytest.fixture
def login_as(new_page):
    """login_as("city") -> a page signed in through /login as that demo user (password demo12345)."""

    def login(username):
        page = new_page()
        page.goto("/login")
        page.fill("#username", username)
        page.fill("#password", "demo12345")
        page.click("form button[type=submit]")
        page.wait_for_selector("#who")
        return page

    return login


@pytest.fixture
def screenshot():
    """screenshot(page, "name") saves a full-page PNG in tests/artifacts/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return lambda page, name: page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
