"""Deletes transcripts kept longer than TRANSCRIPT_RETENTION_DAYS, in Rasa and in the app.

    python -m trainer_ui.retention      # one purge now (e.g. from cron), then exit

The app runs the same purge in a background thread when its server starts (on the first
page view) and then every hour (`RetentionJob`). A session counts from when it ended, or,
never ended, from when it started. Its turns are deleted from the tracker store first
(`RasaClient.delete_session`) and only then its rows from the app database, so a session
is never left half-deleted without a trace: if Rasa is down, the app rows stay and the
session is tried again at the next purge.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from bot.client import RasaUnavailable
from trainer_ui.store import Store, now

logger = logging.getLogger(__name__)

RETENTION_ENV = "TRANSCRIPT_RETENTION_DAYS"
#: How often the app purges after the first purge at start.
PURGE_EVERY = timedelta(hours=1)


class RetentionError(ValueError):
    """TRANSCRIPT_RETENTION_DAYS is set to something that is not a number of days."""


class SessionDeleter(Protocol):
    """What the purge needs of the Rasa client."""

    def delete_session(self, session_id: str) -> None: ...


def retention_days(env: Mapping[str, str] = os.environ) -> int | None:
    """The configured retention in days; None when transcripts are kept for ever.

    Unset, empty or 0 keeps every transcript until its trainee deletes it.

    Raises:
        RetentionError: the value is not a whole number of days >= 0. Nothing is purged
            then: deleting on a misread setting could not be undone.
    """
    raw = env.get(RETENTION_ENV, "").strip()
    if not raw:
        return None
    try:
        days = int(raw)
    except ValueError:
        days = -1
    if days < 0:
        raise RetentionError(
            f"{RETENTION_ENV}={raw!r} is not a whole number of days (0 or unset keeps "
            "transcripts for ever); no transcript is deleted until it is fixed"
        )
    return days or None


def describe(days: int | None) -> str:
    """The setting in words, for administrators and trainees."""
    if days is None:
        return "Transcripts are kept until their trainee deletes them (no retention limit)."
    unit = "day" if days == 1 else "days"
    return (
        f"Transcripts are deleted {days} {unit} after the session ended (or, if it was never "
        "ended, after it started), from the app and from the patient server."
    )


@dataclass
class PurgeResult:
    """The outcome of one purge."""

    at: datetime
    cutoff: datetime
    expired: int = 0
    deleted: list[str] = field(default_factory=list)
    #: The Rasa (or database) error that stopped the purge; the rest are kept for next time.
    error: str | None = None

    @property
    def kept(self) -> int:
        """Expired sessions left for the next purge."""
        return self.expired - len(self.deleted)

    def summary(self) -> str:
        """One line for the log and the admin page."""
        text = (
            f"{len(self.deleted)} of {self.expired} expired sessions deleted "
            f"(ended before {self.cutoff:%Y-%m-%d %H:%M} UTC)"
        )
        if self.error:
            text += f"; {self.kept} kept for the next purge because: {self.error}"
        return text


def purge_expired(
    store: Store, rasa: SessionDeleter, days: int, at: datetime | None = None
) -> PurgeResult:
    """Deletes every session older than ``days``: its turns in Rasa, then its app rows.

    Stops at the first failure (Rasa down, or the database): the sessions not yet deleted
    keep their app rows and are found again by the next purge. Never raises for those.
    """
    at = at or now()
    result = PurgeResult(at=at, cutoff=at - timedelta(days=days))
    expired = store.expired_session_ids(result.cutoff)
    result.expired = len(expired)
    if expired:
        logger.info("retention: %d sessions older than %d days to delete", len(expired), days)
    for session_id in expired:
        try:
            # Rasa first: if it fails, the app row still lists the session, so it is retried.
            rasa.delete_session(session_id)
            store.delete_session(session_id)
        except RasaUnavailable as error:
            result.error = str(error)
        except Exception as error:  # the database: log it, keep going next time
            logger.exception("retention: deleting session %s failed", session_id)
            result.error = f"{error.__class__.__name__}: {error}"
        if result.error:
            break
        result.deleted.append(session_id)
        logger.info("retention: deleted session %s", session_id)
    log = logger.warning if result.error else logger.info
    log("retention: %s", result.summary())
    return result


class RetentionJob:
    """Purges once at once, then every ``every``, in a daemon thread (one per app server).

    Args:
        store: the app database.
        rasa: the client whose ``delete_session`` removes a session's turns.
        days: the retention; None means nothing is ever purged (no thread is started).
        every: the time between purges.
    """

    def __init__(
        self,
        store: Store,
        rasa: SessionDeleter,
        days: int | None,
        every: timedelta = PURGE_EVERY,
    ) -> None:
        self.store = store
        self.rasa = rasa
        self.days = days
        self.every = every
        self.last: PurgeResult | None = None
        self.first_done = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> RetentionJob:
        """Starts the thread (no-op without a retention); returns self."""
        if self.days is None or self._thread is not None:
            self.first_done.set()
            return self
        logger.info("retention: %s Purging now and every %s.", describe(self.days), self.every)
        self._thread = threading.Thread(target=self._run, name="retention-purge", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Ends the thread after the purge under way, if any."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        assert self.days is not None
        while not self._stop.is_set():
            try:
                self.last = purge_expired(self.store, self.rasa, self.days)
            except Exception:  # a page must never depend on this thread: log and go on
                logger.exception("retention: the purge failed; trying again in %s", self.every)
            self.first_done.set()
            self._stop.wait(self.every.total_seconds())


def log_to_stderr(target: logging.Logger | None = None) -> None:
    """Shows a logger's records (this module's by default) in the app's log.

    Streamlit configures only its own loggers.
    """
    target = target or logger
    if not target.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        target.addHandler(handler)
    target.setLevel(logging.INFO)


def main() -> int:
    """One purge with the app's settings (APP_DATABASE_URL, RASA_URL, RASA_TOKEN)."""
    from bot.client import RasaClient

    log_to_stderr()
    try:
        days = retention_days()
    except RetentionError as error:
        logger.error("retention: %s", error)
        return 2
    if days is None:
        logger.info("retention: %s Nothing to purge.", describe(days))
        return 0
    result = purge_expired(Store.from_env(), RasaClient.from_env(), days)
    return 1 if result.error else 0


if __name__ == "__main__":
    sys.exit(main())
