"""The trainer app killed mid-report and restarted: the session, its codes and report remain.

Real services throughout: the Rasa and action servers (the shared ``bot`` fixture), the
Streamlit app as `make run` starts it, and headless Chromium. The app process is killed with
SIGKILL (a crash, an out-of-memory kill, a pulled plug: no chance to tidy up) at two points:

- just after the trainee ends the session and the app has frozen the coded transcript,
  while the page moves on to the self-rating (the report being produced);
- as soon as the report starts to appear, while the rest of it is drawn (being shown).

Then it is started again on the same port and database, and the trainee reopens the session.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from bot.scenario import load_scenario
from bot.tools import services
from session_record import Transcript
from tests.e2e.chromium import ARTIFACTS
from tests.e2e.test_browser import PASSWORD, log_in
from trainer_ui.accounts import Accounts
from trainer_ui.store import SelfRating, Store

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.slow]

SCENARIO = "reluctant_psychiatric"
TURNS = [
    "What brings you in today?",
    "It sounds like part of you isn't sure this is worth your time.",
]


@dataclass
class RunningApp:
    """The app service (replaced on restart), its database and the bot behind it."""

    service: services.Service
    store: Store
    bot: services.Bot

    def kill(self) -> None:
        services.kill(self.service)
        assert self.service.process.poll() is not None

    def restart(self) -> None:
        self.service = services.restart(self.service)
        services.wait_until_ready(self.service, "/_stcore/health", timeout=60)


@pytest.fixture(scope="module")
def app(bot: services.Bot, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    workdir = tmp_path_factory.mktemp("app-faults")
    store = Store(f"sqlite:///{workdir / 'app.db'}")
    accounts = Accounts(store)
    accounts.create("admin", PASSWORD, "admin")
    accounts.create("tina", PASSWORD, "trainee")
    service = services.start_app(
        services.free_port(), bot.rasa.url, bot.client.token, workdir / "app.db", workdir
    )
    running = RunningApp(service, store, bot)
    try:
        services.wait_until_ready(service, "/_stcore/health", timeout=60)
        yield running
    finally:
        services.stop([running.service])


def open_page(browser, url: str):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(60_000)
    page.goto(url)
    return page


def chat_and_end(page, app: RunningApp) -> str:
    """Starts a session in the app, says TURNS, ends it; returns the session id."""
    scenario = load_scenario(SCENARIO)
    page.locator('[data-testid="stSelectbox"]').first.click()
    page.get_by_role("option", name=scenario.title).click()
    page.get_by_role("button", name="Start session").click()
    page.get_by_text(scenario.persona.opening_line.strip()).wait_for()
    for number, said in enumerate(TURNS, start=1):
        chat_input = page.get_by_placeholder("Your response to the patient")
        chat_input.fill(said)
        chat_input.press("Enter")
        page.wait_for_function(
            "n => document.querySelectorAll('[data-testid=\"stChatMessage\"]').length >= n",
            arg=1 + 2 * number,
        )
    tina = Accounts(app.store).by_name("tina")
    assert tina is not None
    [session] = [s for s in app.store.list_sessions(user_ids=[tina.id]) if s.ended_at is None]
    page.get_by_role("button", name="End session and see my report").click()
    return session.id


def wait_until_ended(store: Store, session_id: str, timeout: float = 60) -> None:
    """Waits until the app has recorded the end (it asked Rasa to end the session first)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        session = store.get(session_id)
        if session is not None and session.ended_at is not None:
            return
        time.sleep(0.02)
    raise TimeoutError("the app never recorded the end of the session")


def reopen_report(page, session_id: str, rate: bool) -> None:
    """Logs in again after the restart and opens the session's report from My sessions."""
    log_in(page, "tina")
    page.get_by_role("link", name="My sessions").click()
    page.locator(f".st-key-open-{session_id} button").click()
    if rate:
        page.get_by_text("Before you see your report").wait_for()
        page.get_by_label("How many open questions did you ask?").fill("1")
        page.get_by_role("button", name="Save and see my report").click()
    page.get_by_text("Your fidelity report").wait_for()
    page.locator('[data-testid="stMetric"]').nth(3).wait_for()
    # Every utterance is folded below the first screen.
    page.get_by_text("Every utterance, coded", exact=True).click()
    for said in TURNS:
        page.get_by_text(said).first.wait_for()
    page.get_by_text("Download my report (PDF)").wait_for()


def assert_nothing_lost(app: RunningApp, session_id: str) -> None:
    """The app's row, snapshot and rating, and the tracker's coded turns, all agree."""
    session = app.store.get(session_id)
    assert session is not None and session.ended_at is not None
    assert session.snapshot is not None
    snapshot = Transcript.from_dict(session.snapshot)
    tracker = app.bot.client.transcript(session_id)
    assert tracker.ended and snapshot.ended
    assert [e.trainee_text for e in tracker.exchanges] == TURNS
    assert [e.trainee_text for e in snapshot.exchanges] == TURNS
    assert all(e.codings for e in tracker.exchanges)
    assert [[c.code for c in e.codings] for e in snapshot.exchanges] == [
        [c.code for c in e.codings] for e in tracker.exchanges
    ]
    assert app.store.self_rating(session_id) == SelfRating(0, 1, 3)


def test_app_killed_while_the_report_is_produced(app: RunningApp, browser) -> None:
    page = open_page(browser, app.service.url)
    log_in(page, "tina")
    session_id = chat_and_end(page, app)
    # The app has ended the session in Rasa and in its database (which freezes the coded
    # transcript in the same transaction), and is now asking for the self-rating.
    wait_until_ended(app.store, session_id)
    app.kill()
    snapshot_saved = app.store.get(session_id).snapshot is not None  # type: ignore[union-attr]
    print(f"snapshot stored before the kill: {snapshot_saved}")
    page.screenshot(path=str(ARTIFACTS / "browser_fault_killed_producing.png"))
    page.close()

    app.restart()
    page = open_page(browser, app.service.url)
    reopen_report(page, session_id, rate=True)
    page.screenshot(path=str(ARTIFACTS / "browser_fault_report_after_restart.png"))
    assert_nothing_lost(app, session_id)


def test_app_killed_while_the_report_is_shown(app: RunningApp, browser) -> None:
    page = open_page(browser, app.service.url)
    log_in(page, "tina")
    session_id = chat_and_end(page, app)
    page.get_by_text("Before you see your report").wait_for()
    page.get_by_label("How many open questions did you ask?").fill("1")
    page.get_by_role("button", name="Save and see my report").click()
    page.get_by_text("Your fidelity report").wait_for()
    app.kill()
    # Whether the last parts (charts, PDF) were drawn when it died, for the log.
    drawn = page.get_by_text("Download my report (PDF)").count()
    print(f"PDF button drawn before the kill: {bool(drawn)}")
    page.close()

    app.restart()
    page = open_page(browser, app.service.url)
    # The rating was saved before the report began, so the report opens straight away.
    reopen_report(page, session_id, rate=False)
    assert_nothing_lost(app, session_id)
