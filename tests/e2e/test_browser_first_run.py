"""The first-run page in headless chromium: the set-up code from the terminal is required.

Needs no Rasa: nothing on the set-up page talks to it.
"""

from __future__ import annotations

import stat
from collections.abc import Iterator

import pytest

from bot.tools import services
from tests.e2e.chromium import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS
from tests.e2e.test_browser import PASSWORD
from trainer_ui import setup_code
from trainer_ui.accounts import Accounts
from trainer_ui.store import Store

pytestmark = [pytest.mark.browser, pytest.mark.e2e]


@pytest.fixture()
def fresh_app(tmp_path) -> Iterator[tuple[str, str]]:
    """The app on an empty database, with a code written as `scripts/run.py` writes it."""
    code = setup_code.write_code(tmp_path / "setup-code")
    app = services.start_app(
        services.free_port(),
        "http://127.0.0.1:9",
        "unused",
        tmp_path / "app.db",
        tmp_path / "logs",
        tmp_path / "setup-code",
    )
    try:
        services.wait_until_ready(app, "/_stcore/health", timeout=120)
        yield app.url, code
    finally:
        services.stop([app])
    # The database the app created holds password hashes: owner only (the child's umask).
    assert stat.S_IMODE((tmp_path / "app.db").stat().st_mode) == 0o600
    assert not (tmp_path / "setup-code").exists()
    admin = Accounts(Store(f"sqlite:///{tmp_path / 'app.db'}")).by_name("first-admin")
    assert admin is not None and admin.role == "admin"


def test_the_first_administrator_needs_the_code_from_the_terminal(fresh_app) -> None:
    from playwright.sync_api import sync_playwright

    url, code = fresh_app
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(60_000)
        page.goto(url)
        page.get_by_text("Welcome: set up the administrator").wait_for()

        def submit(typed_code: str) -> None:
            page.get_by_label("Set-up code").fill(typed_code)
            page.get_by_label("Administrator user name").fill("first-admin")
            page.get_by_label("Password (at least 10 characters)").fill(PASSWORD)
            page.get_by_label("Password again").fill(PASSWORD)
            page.get_by_role("button", name="Create administrator").click()

        submit("AAAA-BBBB-CCCC")
        page.get_by_text("That is not the set-up code").wait_for()
        page.screenshot(path=str(ARTIFACTS / "browser_first_run_wrong_code.png"), full_page=True)

        submit(code)
        page.get_by_text("Logged in as first-admin").wait_for()
        page.get_by_role("heading", name="Accounts").wait_for()
        browser.close()
