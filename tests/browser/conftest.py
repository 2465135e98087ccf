"""Real browser tests: Playwright drives Debian's Chromium (/usr/bin/chromium) against the
live test server. Playwright never downloads a browser here."""

import os
import threading
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("BOOKE_CHROMIUM", "/usr/bin/chromium"))
# Playwright's sync API runs an event loop in the test's thread; the ORM calls the tests make
# between browser steps are safe (nothing else runs on that loop).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium; .ci/run does)")
    from playwright.sync_api import expect, sync_playwright

    # `make test` runs these tests on every core, a browser and a live server per worker: on a
    # busy machine a page takes longer to settle. Assertions wait as long as actions do
    # (15 s, set on each context below) instead of Playwright's 5 s; what they check is the same.
    expect.set_options(timeout=15_000)

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def serial_live_server(live_server, settings):
    """In-memory shared-cache SQLite: every live-server thread has its own connection and
    shared-cache table locks never wait, so parallel writing requests fail ("database table is
    locked"). Handle one request at a time there; nothing changes on other databases.

    Every database: the test's end waits for the requests still running (a phone's lazy
    thumbnails go on loading after the last step). The database is emptied after each test, and
    on PostgreSQL that TRUNCATE met a request still reading: a deadlock, the test failed.

    The live server is the site's public address here (SITE_URL): the links the site writes
    (Stripe's return, emails) lead back to it."""
    from django.db import connection

    settings.SITE_URL = settings.WAGTAILADMIN_BASE_URL = live_server.url
    one_at_a_time = connection.vendor == "sqlite" and connection.is_in_memory_db()
    httpd = live_server.thread.httpd
    app, lock = httpd.get_app(), threading.Lock()
    running, idle = [0], threading.Condition()

    def counted(environ, start_response):
        with idle:
            running[0] += 1
        try:
            if one_at_a_time:
                with lock:
                    return app(environ, start_response)
            return app(environ, start_response)
        finally:
            with idle:
                running[0] -= 1
                idle.notify_all()

    httpd.set_app(counted)
    try:
        yield live_server
    finally:
        with idle:
            idle.wait_for(lambda: running[0] == 0, timeout=15)
        httpd.set_app(app)


# Every page the browser tests open runs under the enforced Content-Security-Policy of the
# test settings (booke/settings/base.py, as in production): anything it blocks fails the test.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (e) => {
  window.__bookeCspViolation(
    `${e.effectiveDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`
  );
});
"""


def watch_csp(context) -> list[str]:
    """The policy's violations on this context's pages: securitypolicyviolation events and
    the console's "Content Security Policy" errors (also those of a worker's page)."""
    violations: list[str] = []

    def report(violation: str) -> None:  # Playwright wraps a function, not a bound builtin
        violations.append(violation)

    context.expose_function("__bookeCspViolation", report)
    context.add_init_script(CSP_LISTENER)

    def on_console(message) -> None:
        if "Content Security Policy" in message.text:
            violations.append(f"console: {message.text}")

    context.on("console", on_console)
    return violations


def assert_no_csp_violation(violations: list[str]) -> None:
    assert violations == [], "the Content-Security-Policy blocked something"


@pytest.fixture
def page(browser, serial_live_server):
    live_server = serial_live_server
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}, locale="fr-FR"
    )
    context.set_default_timeout(15_000)
    violations = watch_csp(context)
    page = context.new_page()
    yield page
    context.close()
    assert_no_csp_violation(violations)


@pytest.fixture
def phone(browser, serial_live_server):
    """A phone-sized browser, for the client paths."""
    live_server = serial_live_server
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        locale="fr-FR",
    )
    context.set_default_timeout(15_000)
    violations = watch_csp(context)
    page = context.new_page()
    yield page
    context.close()
    assert_no_csp_violation(violations)


@pytest.fixture
def demo(search_index):
    """Demo content in the live database; tests mark themselves
    django_db(transaction=True, serialized_rollback=True) so later tests find the roles again."""
    from django.core.management import call_command

    call_command("seed_demo", quiet=True)
    # Without the demo's postal rate: the checkout walks expect pickup alone (Oscar then chooses
    # it and goes on); tests/browser/test_shipping_choice.py adds the rates it offers.
    from oscar.core.loading import get_model

    get_model("shipping", "WeightBased").objects.all().delete()
