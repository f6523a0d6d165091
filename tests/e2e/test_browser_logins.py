"""Logins in headless chromium: throttling, a reset password, reloads, new tabs, deep links.

Needs no Rasa: the pages used here (Accounts, Password, Review of a stored session, the
trainee's patient list) do not talk to it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from bot.tools import services
from tests.e2e.chromium import ARTIFACTS
from tests.e2e.test_browser import PASSWORD, seed
from trainer_ui import audit
from trainer_ui.accounts import Accounts
from trainer_ui.login_sessions import LoginSessions
from trainer_ui.store import Store

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

NEW_PASSWORD = "tina's own new password"


@dataclass
class App:
    """The running app and the data it was seeded with."""

    url: str
    store: Store
    review_session: str


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    workdir = tmp_path_factory.mktemp("app")
    store = Store(f"sqlite:///{workdir / 'app.db'}")
    review_session = seed(store)
    Accounts(store).create("lee", PASSWORD, "supervisor")
    running = services.start_app(
        services.free_port(), "http://127.0.0.1:9", "unused", workdir / "app.db", workdir
    )
    try:
        services.wait_until_ready(running, "/_stcore/health", timeout=120)
        yield App(running.url, store, review_session)
    finally:
        services.stop([running])


def new_page(browser, context=None):
    """A tab; in ``context`` (a browser profile) to share its cookies, else in a fresh one."""
    context = context or browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(60_000)
    return page


def submit_login(page, username: str, password: str) -> None:
    page.get_by_label("User name").fill(username)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def log_in(page, username: str, password: str = PASSWORD) -> None:
    submit_login(page, username, password)
    page.get_by_text(f"Logged in as {username}").wait_for()


def log_out(page) -> None:
    page.get_by_role("button", name="Log out").click()
    page.get_by_role("button", name="Log in").wait_for()


def wait_until(condition: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def failures(app: App, username: str) -> int:
    return sum(
        e.event == audit.LOGIN_FAILED and e.username == username
        for e in audit.recent(app.store.engine)
    )


def test_failed_logins_are_throttled_with_the_wait_shown(browser, app: App) -> None:
    page = new_page(browser)
    page.goto(app.url)
    for attempt in range(5):
        submit_login(page, "lee", f"wrong password {attempt}")
        # The same message each time: the audit log tells when this try was answered.
        wait_until(lambda n=attempt + 1: failures(app, "lee") == n)
        page.get_by_text("Unknown user name or wrong password.").wait_for()
    submit_login(page, "lee", PASSWORD)  # right, but too late
    page.get_by_text("Too many failed logins for this account. Try again in").wait_for()
    page.screenshot(path=str(ARTIFACTS / "browser_login_throttled.png"), full_page=True)
    assert page.get_by_text("Logged in as lee").count() == 0


def test_a_reset_password_must_be_changed_at_the_next_login(browser, app: App) -> None:
    page = new_page(browser)
    page.goto(app.url)
    log_in(page, "admin")
    page.get_by_role("heading", name="Manage an account").wait_for()
    # Widgets with a key carry the CSS class st-key-<key>.
    page.locator(".st-key-manage-account [data-testid='stSelectbox']").click()
    page.get_by_role("option", name="tina", exact=True).click()
    page.get_by_text("tina: trainee, active").wait_for()
    page.get_by_role("button", name="Reset password").click()
    page.get_by_text("Password of tina reset").wait_for()
    temporary = page.locator('[data-testid="stCode"] code').first.inner_text().strip()
    page.get_by_text("tina: trainee, must change password").wait_for()
    page.screenshot(path=str(ARTIFACTS / "browser_admin_reset.png"), full_page=True)
    log_out(page)

    log_in(page, "tina", temporary)
    page.get_by_role("heading", name="Choose a new password").wait_for()
    page.get_by_label("Temporary password").fill(temporary)
    page.get_by_label("New password (at least 10 characters)").fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill(NEW_PASSWORD)
    page.screenshot(path=str(ARTIFACTS / "browser_forced_change.png"), full_page=True)
    page.get_by_role("button", name="Change password").click()
    page.get_by_role("heading", name="Motivational interviewing practice").wait_for()
    page.get_by_text("Password changed").first.wait_for()
    log_out(page)

    submit_login(page, "tina", temporary)
    page.get_by_text("Unknown user name or wrong password.").wait_for()
    log_in(page, "tina", NEW_PASSWORD)


def test_a_login_survives_a_reload_and_a_new_tab_until_log_out(browser, app: App) -> None:
    page = new_page(browser)
    page.goto(app.url)
    log_in(page, "sam")
    page.get_by_text("Sessions of my trainees").wait_for()
    page.reload()
    page.get_by_text("Logged in as sam").wait_for()
    page.get_by_text("Sessions of my trainees").wait_for()
    assert page.get_by_role("button", name="Log in").count() == 0
    [cookie] = [c for c in page.context.cookies() if c["name"] == "mi_login"]
    assert cookie["sameSite"] == "Strict"

    tab = new_page(browser, page.context)
    tab.goto(app.url + "/agreement")
    tab.get_by_text("Logged in as sam").wait_for()
    tab.get_by_role("heading", name="Coder agreement").wait_for()

    log_out(page)
    # The login ended on the server: the cookie another tab still sends opens nothing.
    assert LoginSessions(app.store.engine).user_id(cookie["value"]) is None
    tab.reload()
    tab.get_by_role("button", name="Log in").wait_for()
    page.reload()
    page.get_by_role("button", name="Log in").wait_for()


def test_a_deep_link_opens_its_page_after_login_and_directly_once_logged_in(
    browser, app: App
) -> None:
    link = f"{app.url}/review?session={app.review_session}"
    page = new_page(browser)
    page.goto(link)
    page.get_by_role("button", name="Log in").wait_for()
    log_in(page, "sam")
    page.get_by_role("heading", name="Review a session").wait_for()
    page.get_by_text("Do you want to sleep better?").first.wait_for()
    assert page.url == link
    page.screenshot(path=str(ARTIFACTS / "browser_deep_link.png"), full_page=True)

    tab = new_page(browser, page.context)
    tab.goto(link)
    tab.get_by_text("Do you want to sleep better?").first.wait_for()
    assert tab.get_by_role("button", name="Log in").count() == 0
