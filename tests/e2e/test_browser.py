"""A trainee's session in real headless Chromium against the real app, Rasa and actions."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import services
from bot.scenario import load_scenario

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def app_url(bot: services.Bot, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    workdir = tmp_path_factory.mktemp("app")
    app = services.start_app(
        services.free_port(), bot.rasa.url, bot.client.token, workdir / "app.db", workdir
    )
    try:
        services.wait_until_ready(app, "/_stcore/health", timeout=60)
        yield app.url
    finally:
        services.stop([app])


@pytest.fixture()
def page(app_url: str):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(30_000)
        page.goto(app_url)
        yield page
        browser.close()


def test_trainee_chats_with_the_patient_and_sees_the_report(page) -> None:
    scenario = load_scenario("reluctant_psychiatric")
    ARTIFACTS.mkdir(exist_ok=True)

    page.locator('[data-testid="stSelectbox"]').click()
    page.get_by_role("option", name=scenario.title).click()
    page.get_by_role("button", name="Start session").click()
    page.get_by_text(scenario.persona.opening_line).wait_for()

    chat_input = page.get_by_placeholder("Your response to the patient")
    chat_input.fill("What would make today's visit worthwhile for you?")
    chat_input.press("Enter")
    page.get_by_text("What would make today's visit worthwhile for you?").wait_for()
    messages = page.locator('[data-testid="stChatMessageContent"]')
    # Opening line, the trainee's message and the patient's answer.
    page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=\"stChatMessage\"]').length >= 3"
    )
    answer = messages.nth(2).inner_text().strip()
    authored = {line.text for line in scenario.lines_by_id().values()}
    assert answer in authored, answer
    page.screenshot(path=str(ARTIFACTS / "browser_chat.png"), full_page=True)

    page.get_by_role("button", name="End session and see my report").click()
    page.get_by_text("Your fidelity report").wait_for()
    page.get_by_text("What would make today's visit worthwhile for you?").wait_for()
    page.screenshot(path=str(ARTIFACTS / "browser_report.png"), full_page=True)
