"""Transcript retention: which sessions expire, the purge, its job, and what admins see.

The app database is real (SQLite); only the Rasa client is a test double, so a purge's
calls to it, and a stopped Rasa server, can be checked.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from bot.client import RasaUnavailable
from tests.app.conftest import FakeRasa, Harness
from trainer_ui import app_state
from trainer_ui.db import comments, overrides, practice_sessions, self_ratings
from trainer_ui.retention import (
    RETENTION_ENV,
    RetentionError,
    RetentionJob,
    purge_expired,
    retention_days,
)
from trainer_ui.store import SelfRating, Store

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc)


def backdate(store: Store, session_id: str, started: datetime, ended: datetime | None) -> None:
    with store.engine.begin() as connection:
        connection.execute(
            practice_sessions.update()
            .where(practice_sessions.c.id == session_id)
            .values(started_at=started, ended_at=ended)
        )


def rows(store: Store, session_id: str) -> dict[str, int]:
    """How many rows each table holds for a session."""
    counts = {}
    with store.engine.connect() as connection:
        for table, column in [
            (practice_sessions, practice_sessions.c.id),
            (self_ratings, self_ratings.c.session_id),
            (overrides, overrides.c.session_id),
            (comments, comments.c.session_id),
        ]:
            query = sa.select(sa.func.count()).select_from(table).where(column == session_id)
            counts[table.name] = connection.execute(query).scalar_one()
    return counts


def session_with_everything(harness: Harness, ended_days_ago: float | None, started: float) -> str:
    """A session with a self-rating, an override and a comment, backdated."""
    tina = harness.accounts.by_name("tina") or harness.user("tina", "trainee")
    sam = harness.accounts.by_name("sam") or harness.user("sam", "supervisor")
    session_id = harness.ended_session(tina)
    harness.store.save_self_rating(session_id, SelfRating(2, 1, 4))
    harness.store.add_override(
        session_id, 0, 0, "What brings you in?", "question_open", "x", sam.id
    )
    harness.store.add_comment(session_id, None, sam.id, "Good start.")
    ended = NOW - timedelta(days=ended_days_ago) if ended_days_ago is not None else None
    backdate(harness.store, session_id, NOW - timedelta(days=started), ended)
    return session_id


@pytest.mark.parametrize("raw", [None, "", " ", "0"])
def test_unset_or_zero_keeps_transcripts_for_ever(raw: str | None) -> None:
    assert retention_days({} if raw is None else {RETENTION_ENV: raw}) is None


def test_a_number_of_days_is_read() -> None:
    assert retention_days({RETENTION_ENV: " 30 "}) == 30


@pytest.mark.parametrize("raw", ["thirty", "-1", "1.5", "30d"])
def test_a_bad_setting_is_an_error_not_a_guess(raw: str) -> None:
    with pytest.raises(RetentionError) as error:
        retention_days({RETENTION_ENV: raw})
    assert RETENTION_ENV in str(error.value) and "no transcript is deleted" in str(error.value)


def test_sessions_expire_from_their_end_or_else_their_start(harness: Harness) -> None:
    old_ended = session_with_everything(harness, ended_days_ago=31, started=31)
    recent_end_of_old_start = session_with_everything(harness, ended_days_ago=29, started=40)
    abandoned = session_with_everything(harness, ended_days_ago=None, started=45)
    open_recent = session_with_everything(harness, ended_days_ago=None, started=1)
    cutoff = NOW - timedelta(days=30)
    # Oldest first.
    assert harness.store.expired_session_ids(cutoff) == [abandoned, old_ended]
    assert recent_end_of_old_start not in harness.store.expired_session_ids(cutoff)
    assert open_recent not in harness.store.expired_session_ids(cutoff)


def test_purge_deletes_expired_sessions_everywhere_and_keeps_the_rest(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    expired = [session_with_everything(harness, d, d) for d in (40, 35)]
    kept = session_with_everything(harness, 5, 5)
    with caplog.at_level(logging.INFO, logger="trainer_ui.retention"):
        result = purge_expired(harness.store, harness.rasa, 30, at=NOW)

    assert sorted(harness.rasa.deleted) == sorted(expired)
    for session_id in expired:
        assert set(rows(harness.store, session_id).values()) == {0}
    assert set(rows(harness.store, kept).values()) == {1}
    assert (result.expired, len(result.deleted), result.kept, result.error) == (2, 2, 0, None)
    assert "2 of 2 expired sessions deleted" in caplog.text


def test_purge_with_rasa_down_deletes_nothing_and_the_next_purge_finishes(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    expired = [session_with_everything(harness, d, d) for d in (40, 35)]
    harness.rasa.down = True
    with caplog.at_level(logging.INFO, logger="trainer_ui.retention"):
        result = purge_expired(harness.store, harness.rasa, 30, at=NOW)

    assert (result.expired, result.deleted, result.kept) == (2, [], 2)
    assert result.error and "not answering" in result.error
    # Nothing half-deleted: the app still lists both, with everything attached.
    for session_id in expired:
        assert set(rows(harness.store, session_id).values()) == {1}
    assert any(
        r.levelno == logging.WARNING and "2 kept for the next purge" in r.getMessage()
        for r in caplog.records
    )

    harness.rasa.down = False
    again = purge_expired(harness.store, harness.rasa, 30, at=NOW)
    assert (again.expired, len(again.deleted), again.error) == (2, 2, None)
    assert harness.store.expired_session_ids(NOW) == []


class FailsAfter(FakeRasa):
    """Deletes ``n`` sessions, then is down (Rasa stopped in the middle of a purge)."""

    def __init__(self, n: int) -> None:
        super().__init__()
        self.n = n

    def delete_session(self, session_id: str) -> None:
        if len(self.deleted) >= self.n:
            raise RasaUnavailable("The patient server answered 503: restarting")
        super().delete_session(session_id)


def test_a_purge_cut_short_leaves_each_session_whole_or_gone(harness: Harness) -> None:
    first, second, third = (session_with_everything(harness, d, d) for d in (50, 45, 40))
    rasa = FailsAfter(1)
    result = purge_expired(harness.store, rasa, 30, at=NOW)

    assert rasa.deleted == [first] and result.deleted == [first] and result.kept == 2
    assert set(rows(harness.store, first).values()) == {0}
    for session_id in (second, third):
        assert set(rows(harness.store, session_id).values()) == {1}


def test_the_job_purges_at_start_in_its_thread(harness: Harness) -> None:
    session_id = session_with_everything(harness, 400, 400)
    job = RetentionJob(harness.store, harness.rasa, 30).start()
    try:
        assert job.first_done.wait(30)
    finally:
        job.stop()
    assert job.last is not None and job.last.deleted == [session_id]
    assert harness.store.get(session_id) is None


def test_a_database_error_mid_purge_is_reported_and_retried(harness: Harness) -> None:
    session_id = session_with_everything(harness, 400, 400)
    with harness.store.engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE comments"))
    result = purge_expired(harness.store, harness.rasa, 30, at=NOW)
    assert result.deleted == [] and result.error and "comments" in result.error
    # Still listed, so the next purge deletes it (Rasa's delete of nothing is harmless).
    assert harness.store.expired_session_ids(NOW) == [session_id]


def test_the_job_outlives_a_failing_purge(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    with harness.store.engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE practice_sessions"))
    job = RetentionJob(harness.store, harness.rasa, 30)
    with caplog.at_level(logging.INFO, logger="trainer_ui.retention"):
        job.start()
        try:
            assert job.first_done.wait(30)
            assert job._thread is not None and job._thread.is_alive()
        finally:
            job.stop()
    assert job.last is None
    assert "the purge failed; trying again" in caplog.text


def test_without_retention_no_thread_runs(harness: Harness) -> None:
    job = RetentionJob(harness.store, harness.rasa, None).start()
    assert job.first_done.is_set() and job._thread is None and job.last is None


def stop_app_job() -> None:
    # The harness clears Streamlit's resource cache, not the thread the app started.
    app_state.retention_job().stop()


def test_admin_sees_the_setting_and_the_last_purge(harness: Harness, monkeypatch) -> None:
    monkeypatch.setenv(RETENTION_ENV, "30")
    admin = harness.user("admin1", "admin")
    expired = session_with_everything(harness, 400, 400)
    at = harness.run(admin)
    try:
        assert app_state.retention_job().first_done.wait(30)
        at.run()
    finally:
        stop_app_job()
    assert not at.exception
    shown = [t.value for t in at.text]
    assert any("deleted 30 days after the session ended" in t for t in shown)
    assert any("1 of 1 expired sessions deleted" in t for t in shown)
    assert harness.rasa.deleted == [expired]


def test_a_bad_setting_is_shown_to_admins_and_nothing_is_purged(
    harness: Harness, monkeypatch
) -> None:
    monkeypatch.setenv(RETENTION_ENV, "a month")
    admin = harness.user("admin1", "admin")
    expired = session_with_everything(harness, 400, 400)
    at = harness.run(admin)
    assert not at.exception
    assert "cannot be used" in at.error[0].value
    assert any("'a month' is not a whole number of days" in t.value for t in at.text)
    assert harness.store.get(expired) is not None and harness.rasa.deleted == []


def test_trainees_are_told_how_long_transcripts_are_kept(harness: Harness, monkeypatch) -> None:
    monkeypatch.setenv(RETENTION_ENV, "90")
    harness.user("admin1", "admin")
    tina = harness.user("tina", "trainee")
    at = harness.run(tina, page="my_sessions")
    stop_app_job()
    assert not at.exception
    assert any("deleted 90 days after" in c.value for c in at.caption)


def test_deleting_with_rasa_down_keeps_the_session_listed(harness: Harness) -> None:
    harness.user("admin1", "admin")
    tina = harness.user("tina", "trainee")
    session_id = harness.ended_session(tina)
    harness.rasa.down = True
    at = harness.run(tina, page="my_sessions")
    at.checkbox[0].check().run()
    next(b for b in at.button if b.label == "Delete").click().run()
    assert not at.exception
    assert "Nothing was deleted" in at.error[0].value
    assert harness.store.get(session_id) is not None
