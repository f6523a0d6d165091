"""An SQL tracker store that waits out a brief database outage instead of dropping the turn.

Rasa wraps every tracker store in a fail-safe that, on any database error, answers the turn
from an empty in-memory tracker and keeps it only in that instance's memory: the trainee sees
"session not started" and the turn never reaches the database. Retrying here, inside the
fail-safe, turns a restart of PostgreSQL into a pause. Built on the project's caching store
(`bot/server/tracker_store.py`), whose checks make it safe for several instances to share the
database. Used by `deploy/endpoints.scaled.yml` as
``type: deploy.tracker_store.RetryingSQLTrackerStore``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar

import sqlalchemy.exc
from rasa.shared.core.trackers import DialogueStateTracker

from bot.server.tracker_store import CachingSQLTrackerStore

logger = logging.getLogger(__name__)

T = TypeVar("T")
# Connection errors and server shutdowns; a constraint violation is a bug, not an outage.
TRANSIENT = (sqlalchemy.exc.OperationalError, sqlalchemy.exc.InterfaceError)


class RetryingSQLTrackerStore(CachingSQLTrackerStore):
    """`CachingSQLTrackerStore` retrying transient database errors for up to ``retry_seconds``.

    Args:
        retry_seconds: how long one retrieve or save keeps trying (endpoints key).
        **kwargs: everything `CachingSQLTrackerStore` takes.
    """

    def __init__(self, retry_seconds: float | str = 30.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.retry_seconds = float(retry_seconds)

    async def _retrying(self, what: str, call: Callable[[], Awaitable[T]]) -> T:
        deadline = time.monotonic() + self.retry_seconds
        delay = 0.25
        while True:
            try:
                return await call()
            except TRANSIENT as error:
                if time.monotonic() + delay > deadline:
                    raise
                logger.warning("tracker store %s failed, retrying: %s", what, error.orig)
                # A pooled connection to a restarted server is dead; the pool drops it and
                # the next attempt opens a fresh one.
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2.0)

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """Retrieves a tracker, waiting out a brief outage."""
        return await self._retrying("retrieve", lambda: super(
            RetryingSQLTrackerStore, self).retrieve(sender_id))  # fmt: skip

    async def retrieve_full_tracker(self, sender_id: str) -> DialogueStateTracker | None:
        """Retrieves a tracker with every session, waiting out a brief outage."""
        return await self._retrying("retrieve", lambda: super(
            RetryingSQLTrackerStore, self).retrieve_full_tracker(sender_id))  # fmt: skip

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Saves a tracker's new events, waiting out a brief outage."""
        await self._retrying("save", lambda: super(RetryingSQLTrackerStore, self).save(tracker))

    async def keys(self) -> Iterable[str]:
        """Lists the conversation ids, waiting out a brief outage."""
        return await self._retrying("keys", lambda: super(RetryingSQLTrackerStore, self).keys())
