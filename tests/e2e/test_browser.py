"""The trainer app in real headless Chromium against the real app, Rasa and action servers.

Covers: a trainee logs in, chats with the real bot, ends, rates the session and reads the
report; a supervisor overrides a code; an educator tries to publish an invalid scenario.
Screenshots go to test-artifacts/ (gitignored).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.scenario import load_scenario
from bot.tools import services
from scoring import Coding
from session_record import Exchange, Transcript
from tests.e2e.chromium import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS
from trainer_ui.accounts import Accounts
from trainer_ui.store import SelfRating, Store

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "browser-test-password"


@dataclass
class App:
    """The running app and the data it was seeded with."""

    url: str
    store: Store
    review_session: str


def seed(store: Store) -> str:
    """Accounts for every role, and one ended session of the trainee for the supervisor."""
    accounts = Accounts(store)
    accounts.create("admin", PASSWORD, "admin")
    sam = accounts.create("sam", PASSWORD, "supervisor")
    tina = accounts.create("tina", PASSWORD, "trainee", sam.id)
    accounts.create("eddie", PASSWORD, "educator")
    session = store.create_session("reluctant_psychiatric", tina.id)
    text = "Do you want to sleep better?"
    store.end_session(
        session.id,
        Transcript(
            scenario_id="reluctant_psychiatric",
            opening="Hello.",
            exchanges=[
                Exchange(
                    text,
                    [Coding(text, "question_closed", 0.7, "yes/no question", {})],
                    "Obviously.",
                    "neutral",
                    {"rapport": 3, "discord": 2},
                )
            ],
            ended=True,
        ),
    )
    return session.id


@pytest.fixture(scope="module")
def app(bot: services.Bot, tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    workdir = tmp_path_factory.mktemp("app")
    store = Store(f"sqlite:///{workdir / 'app.db'}")
    review_session = seed(store)
    running = services.start_app(
        services.free_port(), bot.rasa.url, bot.client.token, workdir / "app.db", workdir
    )
    try:
        services.wait_until_ready(running, "/_stcore/health", timeout=60)
        yield App(running.url, store, review_session)
    finally:
        services.stop([running])


@pytest.fixture()
def page(app: App):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(30_000)
        page.goto(app.url)
        yield page
        browser.close()


def log_in(page, username: str) -> None:
    page.get_by_label("User name").fill(username)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_text(f"Logged in as {username}").wait_for()


def test_trainee_chats_with_the_patient_rates_and_sees_the_report(page) -> None:
    scenario = load_scenario("reluctant_psychiatric")
    log_in(page, "tina")
    page.screenshot(path=str(ARTIFACTS / "browser_practice_choose.png"), full_page=True)

    page.locator('[data-testid="stSelectbox"]').first.click()
    page.get_by_role("option", name=scenario.title).click()
    page.get_by_role("button", name="Start session").click()
    page.get_by_text(scenario.persona.opening_line.strip()).wait_for()
    # Who the patient is stays in view: name, brief and change goal above the chat.
    page.get_by_text(f"{scenario.persona.name}, {scenario.persona.age}").wait_for()
    page.get_by_text("Change goal: ").wait_for()

    turns = [
        "What would make today's visit worthwhile for you?",
        "You're here because the GP insisted, and part of you wonders if it's worth it.",
        "Do you sleep badly most nights?",
    ]
    authored = {" ".join(line.text.split()) for line in scenario.lines_by_id().values()}
    messages = page.locator('[data-testid="stChatMessageContent"]')
    for number, said in enumerate(turns, start=1):
        chat_input = page.get_by_placeholder("Your response to the patient")
        chat_input.fill(said)
        chat_input.press("Enter")
        page.get_by_text(said).wait_for()
        # The opening line, then a trainee message and a patient answer per turn.
        page.wait_for_function(
            "n => document.querySelectorAll('[data-testid=\"stChatMessage\"]').length >= n",
            arg=1 + 2 * number,
        )
        answer = " ".join(messages.nth(2 * number).inner_text().split())
        # One authored line, or a fact's answer followed by one (an open question answered
        # with the fact, then the patient's own talk).
        assert answer in authored or any(
            answer.startswith(f"{line} ") and answer[len(line) + 1 :] in authored
            for line in authored
        ), answer
    said = turns[0]
    page.screenshot(path=str(ARTIFACTS / "browser_chat.png"), full_page=True)

    page.get_by_role("button", name="End session and see my report").click()
    page.get_by_text("Before you see your report").wait_for()
    page.get_by_label("How many open questions did you ask?").fill("1")
    page.screenshot(path=str(ARTIFACTS / "browser_self_rating.png"), full_page=True)
    page.get_by_role("button", name="Save and see my report").click()

    page.get_by_text("Your fidelity report").wait_for()
    page.get_by_text("Turns to work on").wait_for()
    page.locator('[data-testid="stMetric"]').nth(3).wait_for()
    page.screenshot(path=str(ARTIFACTS / "browser_report.png"))
    # The detail is folded below the first screen: open each part, one shot each (the app
    # scrolls inside its main block, so a full-page shot would not hold them).
    page.get_by_text("Your view and the coder's", exact=True).click()
    page.get_by_text("MITI 4.2.1").first.wait_for(state="attached")
    page.get_by_text("How far to trust these codes", exact=True).click()
    page.get_by_text("Measured on").first.wait_for()
    page.get_by_text("Least reliable").first.scroll_into_view_if_needed()
    page.wait_for_timeout(1000)  # the expander opens with an animation
    page.screenshot(path=str(ARTIFACTS / "browser_report_trust.png"))
    for heading, name in [
        ("Every utterance, coded", "browser_report_utterances.png"),
        ("The patient over the session", "browser_report_charts.png"),
    ]:
        page.get_by_text(heading, exact=True).click()
        page.get_by_text(heading, exact=True).scroll_into_view_if_needed()
        if "charts" in name:
            page.locator('[data-testid="stVegaLiteChart"]').first.wait_for()
            page.wait_for_timeout(1000)  # Vega draws after the element appears
        page.screenshot(path=str(ARTIFACTS / name))
    page.get_by_text(said).first.wait_for()


def test_supervisor_overrides_a_code(page, app: App) -> None:
    log_in(page, "sam")
    page.get_by_text("Sessions of my trainees").wait_for()
    page.screenshot(path=str(ARTIFACTS / "browser_sessions.png"), full_page=True)
    # Buttons with a key carry the CSS class st-key-<key>: pick the seeded session's.
    page.locator(f".st-key-review-{app.review_session} button").click()
    page.get_by_text("Do you want to sleep better?").first.wait_for()

    page.get_by_text("Override code").first.click()
    page.get_by_label("Correct code").first.click()
    page.get_by_role("option", name="question_open", exact=True).click()
    page.get_by_role("button", name="Save correction").first.click()
    page.get_by_text("coder said question_closed").first.wait_for()
    page.screenshot(path=str(ARTIFACTS / "browser_review_override.png"), full_page=True)

    [override] = app.store.overrides([app.review_session])
    assert (override.original_code, override.new_code) == ("question_closed", "question_open")


def test_educator_publishing_an_invalid_scenario_sees_the_error(page) -> None:
    log_in(page, "eddie")
    page.get_by_text("Scenario authoring").first.wait_for()
    page.get_by_label("Scenario id (file name, lower snake case)").fill("broken_patient")
    page.get_by_label("Scenario id (file name, lower snake case)").press("Tab")
    page.get_by_role("tab", name="YAML (advanced)").click()
    # The id is written into the YAML; edit the YAML once the editor shows it.
    page.wait_for_function(
        "() => [...document.querySelectorAll('textarea')]"
        ".some(t => t.value.startsWith('id: broken_patient'))"
    )
    editor = page.get_by_label("Scenario (YAML)")
    editor.fill("id: broken_patient\ntitle: 42\n")
    editor.press("Tab")  # text areas commit on blur
    page.get_by_role("button", name="Publish", exact=True).click()
    page.get_by_text("nothing was published").wait_for()
    page.get_by_text("scenarios/broken_patient.yml").first.wait_for()
    page.screenshot(path=str(ARTIFACTS / "browser_authoring_invalid.png"), full_page=True)
    assert not (ROOT / "scenarios" / "broken_patient.yml").exists()


def test_user_text_is_shown_literally_never_as_markup(page, app: App) -> None:
    evil = '<img src=x onerror="window.pwned=1"><b>bold</b> **md**'
    tina = Accounts(app.store).by_name("tina")
    assert tina is not None
    session = app.store.create_session("reluctant_psychiatric", tina.id)
    app.store.end_session(
        session.id,
        Transcript(
            scenario_id="reluctant_psychiatric",
            opening="Hi.",
            exchanges=[Exchange(evil, [Coding(evil, "persuade", 0.6, "advice", {})], "No.")],
            ended=True,
        ),
    )
    app.store.save_self_rating(session.id, SelfRating(1, 1, 3))
    app.store.add_comment(session.id, 0, tina.supervisor_id or 0, evil)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: dialogs.append(dialog.message))

    log_in(page, "tina")
    page.get_by_role("link", name="My sessions").click()
    page.locator(f".st-key-open-{session.id} button").click()
    page.get_by_text("Your fidelity report").wait_for()
    page.get_by_text("Every utterance, coded", exact=True).click()
    page.get_by_text("Every utterance, coded", exact=True).scroll_into_view_if_needed()
    page.wait_for_timeout(1000)  # the expander opens with an animation
    page.screenshot(path=str(ARTIFACTS / "browser_literal_text.png"))

    page.get_by_text("Supervisor comments (1)").wait_for()
    # Shown as characters in the table and the comment (pasted markup is not scored, so it
    # gets no suggestion).
    assert page.locator("body").inner_text().count('<img src=x onerror="window.pwned=1">') >= 2
    assert page.locator("img[src=x]").count() == 0
    assert page.evaluate("() => window.pwned") is None and not dialogs
