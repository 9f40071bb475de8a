"""Browser journeys: Playwright's sync API driving Debian's Chromium against `live_server`."""

import os
import re
import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from playwright.sync_api import expect, sync_playwright

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# Without the background-networking flags Chromium keeps dialling hosts this network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


CONFIRM_DIALOG = "dialog.portal-dialog[open]"


def _confirm(dialog) -> None:
    dialog.locator("button.primary").click()


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _request_threads() -> list:
    """The live server's request threads (socketserver's ThreadingMixIn names them after its method)."""
    import threading

    return [t for t in threading.enumerate() if "process_request_thread" in t.name and t.is_alive()]


@pytest.fixture(autouse=True)
def _browser_let_go(request):
    """After each browser test: close every context it left open, then wait for the live server's
    request threads to finish. A context left open (a journey's second person, a test that failed
    half-way) keeps HTTP keep-alive sockets, so a request thread stays alive holding its own database
    connection — and at the end of the run pytest-django cannot drop the test database ("being
    accessed by other users"). A thread closes its connection when its socket closes."""
    yield
    if "browser" not in request.fixturenames:
        return
    browser = request.getfixturevalue("browser")
    for context in list(browser.contexts):
        context.close()
    deadline = time.monotonic() + 10
    while _request_threads() and time.monotonic() < deadline:
        time.sleep(0.05)


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="en-US", timezone_id="Asia/Seoul")
    context.set_default_timeout(15_000)
    page = context.new_page()
    console_errors = []
    page.on("console", lambda msg: msg.type == "error" and console_errors.append(msg.text))
    # Journeys say yes to the portal's confirmation dialogs (static/js/portal.js), as they did to
    # the browser's confirm(); tests of the dialog itself call page.remove_locator_handler(CONFIRM_DIALOG).
    page.add_locator_handler(page.locator(CONFIRM_DIALOG), _confirm)
    yield page
    context.close()
    # A Content-Security-Policy violation shows up as a console error: fail the journey on it.
    assert not [e for e in console_errors if "Content Security Policy" in e], console_errors


def log_in(page, email: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In").click()


def totp_code(secret: str) -> str:
    """The authenticator's current code. Near the end of a 30-second window it waits for the next
    one, so that the code is still valid when the server checks it (allauth allows no drift)."""
    left = 30 - time.time() % 30
    if left < 5:
        time.sleep(left + 0.2)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def log_in_with_totp(page, email: str, password: str, secret: str) -> None:
    log_in(page, email, password)
    page.get_by_label(re.compile("code", re.IGNORECASE)).fill(totp_code(secret))
    page.get_by_role("button", name="Sign In").click()
    expect(page).not_to_have_url(re.compile("/accounts/"))
