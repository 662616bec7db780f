"""Browser journeys: Playwright driving Debian's Chromium against a live server.

Playwright's own browser download cannot work here; we launch /usr/bin/chromium (package
`chromium`). Without it the journeys are skipped, unless TREMPLIN_REQUIRE_BROWSER=1 (CI) turns its
absence into an error.
"""

import os
import shutil
from pathlib import Path

import pytest
from django.core.servers.basehttp import WSGIServer

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def _chromium_path() -> str | None:
    for candidate in (os.environ.get("CHROMIUM_PATH"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and os.path.exists(candidate):
            return candidate
    return None


@pytest.fixture(scope="session")
def chromium():
    path = _chromium_path()
    if path is None:
        if os.environ.get("TREMPLIN_REQUIRE_BROWSER") == "1":
            pytest.fail("Chromium is required (TREMPLIN_REQUIRE_BROWSER=1) but /usr/bin/chromium is missing")
        pytest.skip("Debian's chromium package is not installed")
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the test
    # itself (creating data) are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class _OneRequestAtATime(WSGIServer):
    """The live server's HTTP server, answering one request after the other in its own thread.

    On SQLite in memory the live server's threads all share the test's one database connection (there
    is no other way to reach an in-memory database), and a connection's transaction state is not
    thread-safe: two requests overlapping in atomic blocks (a page and the data its script fetches,
    each saving the session) can leave it marked as inside a transaction for good, after which no
    on-commit hook runs: no e-mail leaves and no background task is queued, for every later test of the
    session. Answered in turn, requests never overlap; not being threaded, the server also closes each
    connection after its answer, so a browser's keep-alive connection never holds it."""

    def __init__(self, *args, connections_override=None, **kwargs):
        # The server's thread already uses the overridden connections (LiveServerThread.run).
        super().__init__(*args, **kwargs)


@pytest.fixture(scope="session", autouse=True)
def _serial_live_server_on_sqlite():
    from django.db import connection
    from django.test.testcases import LiveServerThread

    if connection.vendor != "sqlite":
        yield  # PostgreSQL: each request thread has its own connection
        return
    threaded = LiveServerThread.server_class
    LiveServerThread.server_class = _OneRequestAtATime
    yield
    LiveServerThread.server_class = threaded


def pytest_collection_modifyitems(config, items):
    """The live server reads from another thread, so a browser test cannot run inside a rolled-back
    transaction: it runs on a transactional database whose tables are flushed when it ends
    (tests/conftest.py then puts the session's geography back)."""
    browser_dir = Path(__file__).parent
    for item in items:
        if browser_dir in Path(item.fspath).parents:
            item.add_marker(pytest.mark.django_db(transaction=True))


# Every Content-Security-Policy violation of a page (refused inline script, handler or style, or a
# source the policy does not list) is reported to the test, which fails at its end if there was one.
_REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (event) {
  window.reportCspViolation(event.violatedDirective + " blocked " + (event.blockedURI || "inline") +
    " at " + event.sourceFile + ":" + event.lineNumber + " " + (event.sample || ""));
});
"""


@pytest.fixture
def page(chromium, live_server):
    """A browser tab on the live server, in French, with map tiles answered offline; the journey fails
    if the page breaks its Content-Security-Policy (``page.csp_violations`` lists what it did)."""
    context = chromium.new_context(locale="fr-FR", base_url=live_server.url)
    context.set_default_timeout(15_000)
    # Map tiles come from the network, which tests do not reach: answer them empty at once.
    context.route("https://tile.openstreetmap.org/**", lambda route: route.fulfill(status=204, body=""))
    violations = []
    context.expose_binding("reportCspViolation", lambda source, text: violations.append(text))
    context.add_init_script(_REPORT_CSP_VIOLATIONS)
    page = context.new_page()
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.csp_violations = violations
    yield page
    context.close()
    assert not violations, f"Content-Security-Policy violations: {violations}"


def log_in(page, email: str, password: str) -> None:
    page.goto("/comptes/connexion/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/")
