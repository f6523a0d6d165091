"""The report in real headless chromium, as a trainee and a supervisor read it.

Covers: the first screen (safety note, the four figures with floors, strengths, turns to
rework, with a screenshot of it); a supervisor's correction reaching the trainee's report;
the PDF's contents, read back with pdftotext. Ended sessions are seeded with their coded
snapshot, so no Rasa server is needed; the app's own coder checks the suggestions.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.scenario import load_scenario
from bot.tools import services
from scoring import Coding
from session_record import Exchange, Transcript
from tests.e2e.chromium import ARTIFACTS
from tests.e2e.test_browser import PASSWORD, log_in
from trainer_ui.accounts import Accounts
from trainer_ui.store import SelfRating, Store

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

SCENARIO = "reluctant_psychiatric"
VIEWPORT = {"width": 1280, "height": 900}
RISK_LINE = (
    "Sometimes, yeah. Three in the morning, mostly. I think Kayla would be better off "
    "without me around. I've never planned anything, I wouldn't do that to her."
)
PERSUADE = "You need to cut down on the beer, it's making your sleep worse."
COMMENT = "He dug in after this one: asking permission first might have kept him with you."
CLOSED = "Do you want to sleep better?"


def coded(text: str, code: str, confidence: float = 0.9) -> list[Coding]:
    return [Coding(text, code, confidence, f"{code.replace('_', ' ')}", {code: confidence})]


def turn(said: str, code: str, reply: str, talk: str, rapport: float, **extra) -> Exchange:
    return Exchange(
        said, coded(said, code), reply, talk, {"rapport": rapport, "discord": 8 - rapport}, **extra
    )


def marcus_session() -> Transcript:
    """Seven turns: a risk disclosure not followed up, too few reflections to rate."""
    opening = load_scenario(SCENARIO).persona.opening_line.strip()
    return Transcript(
        scenario_id=SCENARIO,
        opening=opening,
        exchanges=[
            turn(
                "What brings you in today?",
                "question_open",
                "The GP sent me. I'm not sleeping, four hours a night if I'm lucky.",
                "neutral",
                3,
            ),
            turn(
                "It sounds like the nights are wearing you down.",
                "reflection_complex",
                RISK_LINE,
                "neutral",
                4,
                risk="suicidal_thoughts",
            ),
            turn(
                "Do you drink to get to sleep?",
                "question_closed",
                "A couple of beers. Nothing mad.",
                "sustain",
                4,
            ),
            turn(PERSUADE, "persuade", "I've heard that before.", "sustain", 3),
            turn(
                "What would a better night's sleep mean for you?",
                "question_open",
                "I'd be less of a bear at work. And with Kayla, I'd actually be there.",
                "change",
                4,
            ),
            turn(
                "You want to be there for Kayla.",
                "reflection_simple",
                "Yeah. She deserves that.",
                "change",
                5,
            ),
            turn(
                "You've kept going through all of this, and that takes real effort.",
                "affirm",
                "Suppose so.",
                "neutral",
                5,
            ),
        ],
        ended=True,
    )


def short_session() -> Transcript:
    """Two open questions and a closed one, which the supervisor corrects in the test."""
    return Transcript(
        scenario_id=SCENARIO,
        opening="Hello.",
        exchanges=[
            turn("What brings you in?", "question_open", "The GP.", "neutral", 3),
            turn("What would help most?", "question_open", "Sleep.", "change", 3),
            turn(CLOSED, "question_closed", "Obviously.", "neutral", 3),
        ],
        ended=True,
    )


@dataclass
class App:
    url: str
    store: Store
    marcus: str
    short: str


def seed(store: Store) -> App:
    accounts = Accounts(store)
    sam = accounts.create("sam", PASSWORD, "supervisor")
    tina = accounts.create("tina", PASSWORD, "trainee", sam.id)
    ids = []
    for transcript in (marcus_session(), short_session()):
        session = store.create_session(SCENARIO, tina.id)
        store.end_session(session.id, transcript)
        store.save_self_rating(session.id, SelfRating(3, 3, 4))
        ids.append(session.id)
    store.add_comment(ids[0], 3, sam.id, COMMENT)
    store.add_comment(ids[0], None, sam.id, "A warm start. Keep the reflections coming.")
    return App("", store, *ids)


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    workdir = tmp_path_factory.mktemp("report-app")
    seeded = seed(Store(f"sqlite:///{workdir / 'app.db'}"))
    # No patient server: every session here has ended and its coded copy is in the database.
    running = services.start_app(
        services.free_port(), "http://127.0.0.1:9", "unused", workdir / "app.db", workdir
    )
    try:
        services.wait_until_ready(running, "/_stcore/health", timeout=120)
        seeded.url = running.url
        yield seeded
    finally:
        services.stop([running])


def open_page(browser, app: App, username: str):
    """A fresh browser context (its own login) on the app, logged in as ``username``."""
    page = browser.new_context(viewport=VIEWPORT, accept_downloads=True).new_page()
    page.set_default_timeout(60_000)
    page.goto(app.url)
    log_in(page, username)
    return page


def open_report(page, session_id: str) -> None:
    page.get_by_role("link", name="My sessions").click()
    page.locator(f".st-key-open-{session_id} button").click()
    page.get_by_text("Your fidelity report").wait_for()
    page.get_by_text("Turns to work on").wait_for()


def in_first_screen(locator) -> bool:
    box = locator.bounding_box()
    return box is not None and box["y"] + box["height"] <= VIEWPORT["height"]


def test_the_first_screen_says_the_safety_note_figures_strengths_and_turns(browser, app) -> None:
    page = open_page(browser, app, "tina")
    open_report(page, app.marcus)
    # Suggestions are checked by the coder: wait for the last part of the first screen.
    page.locator('[data-testid="stExpander"]').first.wait_for()
    page.wait_for_timeout(500)
    page.screenshot(path=str(ARTIFACTS / "browser_report_first_screen.png"))

    safety = page.get_by_text("Safety: The patient spoke of thoughts of suicide after turn 2")
    assert in_first_screen(safety)
    metrics = page.locator('[data-testid="stMetric"]')
    assert metrics.count() == 4
    assert all(in_first_screen(metrics.nth(i)) for i in range(4))
    # The floors: two reflections are too few to rate % complex reflections.
    assert in_first_screen(page.get_by_text("not enough to rate").first)
    assert in_first_screen(page.get_by_text("2 reflections; 3 needed", exact=True))
    assert in_first_screen(page.get_by_text("What went well"))
    assert in_first_screen(page.get_by_text("Turns to work on"))
    body = page.locator("body").inner_text()
    assert "Turn 2 · reflection complex: It sounds like the nights are wearing you down." in body
    assert f"Turn 4 · persuade: {PERSUADE}" in body
    assert "Try (" in body
    # No suggestion for the risk question the trainee never asked; the detail is folded.
    assert page.get_by_text("Every utterance, coded").count() == 1
    assert page.locator('[data-testid="stTable"]').filter(visible=True).count() == 0
    page.get_by_text("Every utterance, coded", exact=True).click()
    page.get_by_text("reflection_complex").first.wait_for()


def test_a_correction_reaches_the_trainees_report(browser, app) -> None:
    supervisor = open_page(browser, app, "sam")
    supervisor.get_by_text("Sessions of my trainees").wait_for()
    supervisor.locator(f".st-key-review-{app.short} button").click()
    supervisor.get_by_text(CLOSED).first.wait_for()
    # The third turn's utterance: widgets with a key carry the CSS class st-key-<key>.
    supervisor.get_by_text("Override code").nth(2).click()
    supervisor.locator(".st-key-code-2-0").get_by_label("Correct code").click()
    supervisor.get_by_role("option", name="question_open", exact=True).click()
    supervisor.locator(".st-key-save-2-0 button").click()
    supervisor.get_by_text("coder said question_closed; corrected by sam").first.wait_for()

    trainee = open_page(browser, app, "tina")
    open_report(trainee, app.short)
    trainee.get_by_text("sam corrected 1 code").wait_for()
    # Three open questions of three: 100% and good (the coder's codes made it 67%, fair).
    open_share = trainee.locator('[data-testid="stMetric"]').nth(2)
    assert "% open questions" in open_share.inner_text() and "100%" in open_share.inner_text()
    assert trainee.get_by_text("good", exact=True).count() >= 1
    trainee.get_by_text("Every utterance, coded", exact=True).click()
    trainee.get_by_text("coder said question_closed; corrected by sam on").wait_for()
    trainee.screenshot(path=str(ARTIFACTS / "browser_report_corrected.png"))
    # The closed question now counts as open, so it is no longer a turn to rework.
    assert f"question closed: {CLOSED}" not in trainee.locator("body").inner_text()
    # The trainee's progress uses the corrected code too.
    trainee.get_by_role("link", name="Progress").click()
    trainee.get_by_text("Where a supervisor corrected a code").wait_for()


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
def test_the_pdf_holds_both_sides_the_self_rating_suggestions_and_comments(
    browser, app, tmp_path: Path
) -> None:
    page = open_page(browser, app, "tina")
    open_report(page, app.marcus)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download my report (PDF)").click()
    path = tmp_path / "report.pdf"
    download.value.save_as(path)
    text = " ".join(
        subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    opening = " ".join(load_scenario(SCENARIO).persona.opening_line.split())
    for expected in [
        "Trainee: tina",
        f"Patient: {opening}",
        "Trainee, turn 2: It sounds like the nights are wearing you down.",
        "[reflection_complex 0.90]",
        "Patient: Sometimes, yeah. Three in the morning, mostly.",
        "SAFETY: The patient spoke of thoughts of suicide after turn 2",
        "not enough to rate (2 reflections; 3 needed)",
        "Your view and the coder's",
        "Reflections used: 3 / 2 / 1",
        f"Turn 4 · persuade: {PERSUADE}",
        "Try (",
        COMMENT,
        "A warm start. Keep the reflections coming.",
    ]:
        assert expected in text, expected
