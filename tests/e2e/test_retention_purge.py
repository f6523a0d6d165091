"""Transcript retention against the real Rasa server and the real app process.

The purge deletes an expired session's events from the tracker database and its rows from
the app database; a session still inside the retention is untouched in both; with Rasa not
answering, nothing is deleted. The app started with TRANSCRIPT_RETENTION_DAYS purges at its
first page view and says so in its log.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from bot.client import RasaClient
from bot.tools import services
from tests.e2e.chromium import CHROMIUM, CHROMIUM_ARGS
from tests.e2e.test_browser import PASSWORD
from tests.e2e.tracker_rows import tracker_rows
from trainer_ui.accounts import Accounts
from trainer_ui.db import practice_sessions
from trainer_ui.retention import RETENTION_ENV, purge_expired
from trainer_ui.store import Store, now

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SCENARIO = "reluctant_psychiatric"


def practised(store: Store, bot: services.Bot, user_id: int, days_ago: float) -> str:
    """A session held as the app holds it: its row here, its turns in Rasa; ended days ago."""
    session = store.create_session(SCENARIO, user_id)
    bot.client.start_session(session.id, SCENARIO)
    bot.client.say(session.id, "What brings you in today?")
    bot.client.end_session(session.id)
    store.end_session(session.id)
    when = now() - timedelta(days=days_ago)
    with store.engine.begin() as connection:
        connection.execute(
            practice_sessions.update()
            .where(practice_sessions.c.id == session.id)
            .values(started_at=when, ended_at=when)
        )
    assert tracker_rows(bot, session.id) > 0
    return session.id


@pytest.fixture()
def store(tmp_path) -> Store:
    return Store(f"sqlite:///{tmp_path / 'app.db'}")


@pytest.fixture()
def trainee(store: Store) -> int:
    Accounts(store).create("admin", PASSWORD, "admin")
    return Accounts(store).create("tina", PASSWORD, "trainee").id


def test_purge_deletes_expired_sessions_from_rasa_and_the_app(
    bot: services.Bot, store: Store, trainee: int
) -> None:
    expired = practised(store, bot, trainee, days_ago=40)
    recent = practised(store, bot, trainee, days_ago=2)
    recent_rows = tracker_rows(bot, recent)

    result = purge_expired(store, bot.client, 30)

    assert result.deleted == [expired] and result.error is None
    assert store.get(expired) is None and tracker_rows(bot, expired) == 0
    assert bot.client.transcript(expired).exchanges == []
    assert store.get(recent) is not None and tracker_rows(bot, recent) == recent_rows


def test_purge_with_rasa_not_answering_deletes_nothing(
    bot: services.Bot, store: Store, trainee: int
) -> None:
    expired = practised(store, bot, trainee, days_ago=40)
    rows = tracker_rows(bot, expired)
    # A real client and a real refused connection: nothing listens on this port.
    stopped = RasaClient(f"http://{services.HOST}:{services.free_port()}", bot.client.token)

    result = purge_expired(store, stopped, 30)

    assert result.deleted == [] and result.kept == 1 and "not answering" in (result.error or "")
    assert store.get(expired) is not None and tracker_rows(bot, expired) == rows
    assert purge_expired(store, bot.client, 30).deleted == [expired]
    assert store.get(expired) is None and tracker_rows(bot, expired) == 0


@pytest.mark.browser
def test_the_app_purges_when_it_starts_and_logs_it(
    bot: services.Bot, trainee: int, tmp_path, monkeypatch
) -> None:
    app_db = tmp_path / "app.db"
    store = Store(f"sqlite:///{app_db}")
    expired = practised(store, bot, trainee, days_ago=40)
    kept = practised(store, bot, trainee, days_ago=2)
    monkeypatch.setenv(RETENTION_ENV, "30")  # the app's environment is copied from ours
    app = services.start_app(services.free_port(), bot.rasa.url, bot.client.token, app_db, tmp_path)
    try:
        services.wait_until_ready(app, "/_stcore/health", timeout=60)
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            page = browser.new_page()
            page.goto(app.url)  # the first page view starts the purge
            page.get_by_text("Motivational interviewing practice").wait_for(timeout=60_000)
            deadline = time.monotonic() + 60
            while store.get(expired) is not None and time.monotonic() < deadline:
                time.sleep(0.2)
            browser.close()
    finally:
        services.stop([app])
    assert store.get(expired) is None and tracker_rows(bot, expired) == 0
    assert store.get(kept) is not None and tracker_rows(bot, kept) > 0
    log = app.log_path.read_text()
    assert "retention: Transcripts are deleted 30 days after" in log
    assert "retention: 1 of 1 expired sessions deleted" in log
