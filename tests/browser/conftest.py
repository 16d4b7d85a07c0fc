"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

Every test here is marked ``browser``. Where Chromium is not installed the tests are skipped with
a message saying how to install it (``apt-get install chromium``); ``.ci/run`` installs it, so CI
always runs them.
"""

import os
import shutil
from urllib.parse import urlsplit

import pytest
from django.core.servers.basehttp import WSGIServer
from django.test.testcases import LiveServerThread

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
DESKTOP = {"width": 1400, "height": 900}
PHONE = {"width": 390, "height": 844}


# One request at a time. With SQLite in memory the live server's threads share the test's single
# connection, and a page's charts fetch several API answers at once: two threads on one SQLite
# connection deadlocked a run. Django closes each connection of a single-threaded server after its
# answer, so the browser's parallel requests simply queue.
class SerialWSGIServer(WSGIServer):
    """Django's live server without threads (it runs its requests in the server's thread, where the
    shared connection is already in place)."""

    def __init__(self, *args, connections_override=None, **kwargs):
        super().__init__(*args, **kwargs)


LiveServerThread.server_class = SerialWSGIServer

# Playwright's sync API runs an event loop in the test's thread; Django refuses ORM calls from a
# thread with a running loop unless told that this is deliberate (the test, not a request, runs them).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        pytest.skip(f"Chromium not found at {CHROMIUM}: install it with `apt-get install chromium`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium"),
            args=["--no-sandbox", "--disable-dev-shm-usage"],
        )
        yield chromium
        chromium.close()


class BrowserSession:
    """One browser context against the live server, with the page's console errors and the hosts
    it requested recorded, so a test can assert that none went elsewhere."""

    def __init__(self, browser, live_server, viewport):
        self.live_server = live_server
        self.context = browser.new_context(viewport=viewport, base_url=live_server.url)
        self.page = self.context.new_page()
        self.console_errors = []
        self.requested_hosts = set()
        self.failed_responses = []  # "404 http://…/favicon.ico": the console says only "Failed to load resource"
        self.page.on("console", lambda msg: msg.type == "error" and self.console_errors.append(msg.text))
        self.page.on("pageerror", lambda error: self.console_errors.append(str(error)))
        self.page.on("request", lambda request: self.requested_hosts.add(urlsplit(request.url).netloc))
        self.page.on(
            "response", lambda resp: resp.status >= 400 and self.failed_responses.append(f"{resp.status} {resp.url}")
        )

    def log_in(self, user):
        """Log the browser in as ``user`` with a server-side session (no login form round trip)."""
        from django.conf import settings
        from django.test import Client

        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        host = urlsplit(self.live_server.url).hostname
        self.context.add_cookies([{"name": cookie.key, "value": cookie.value, "domain": host, "path": "/"}])
        return self

    def goto(self, path):
        response = self.page.goto(self.live_server.url + path)
        assert response is not None and response.status < 400, f"GET {path} answered {response and response.status}"
        return response

    def close(self):
        self.context.close()


@pytest.fixture
def desktop(browser, live_server):
    session = BrowserSession(browser, live_server, DESKTOP)
    yield session
    session.close()


@pytest.fixture
def phone(browser, live_server):
    session = BrowserSession(browser, live_server, PHONE)
    yield session
    session.close()
