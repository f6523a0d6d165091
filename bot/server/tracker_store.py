"""Rasa's SQL tracker store, quick on long sessions and able to forget a session.

Two changes to `SQLTrackerStore`, both about how this project uses it:

- **Reading.** Rasa rebuilds every event of the session from JSON on every turn; at turn 40 of
  a practice session that was a third of the server's time. The event objects of each
  conversation's latest session are kept in memory with the id of the newest row they
  include. Each turn one indexed query reads the rows from that id on: when that row is still
  there (the conversation was not replaced), the rows after it are the only ones to decode.
  So several Rasa instances sharing one database see each other's turns, and a balancer that
  sends consecutive turns to different instances costs a few rows, not the whole session.
  Saving writes the events after the cached ones without Rasa's count of the stored session.
- **Replacing.** ``PUT /conversations/<id>/tracker/events`` hands the store a tracker to put
  in place of the stored one, but Rasa's SQL store only ever appends, so replacing a session
  with an empty list (a trainee deleting their transcript) deleted nothing. Here a tracker
  with fewer events than the stored session replaces the whole conversation.

Used by `endpoints.yml` as ``type: bot.server.tracker_store.CachingSQLTrackerStore``.
"""

from __future__ import annotations

import itertools
import json
import logging
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, SessionStarted, deserialise_events
from rasa.shared.core.trackers import DialogueStateTracker

logger = logging.getLogger(__name__)


class CachingSQLTrackerStore(SQLTrackerStore):
    """`SQLTrackerStore` with an in-memory cache of recent sessions and real replacement.

    Args:
        cache_size: conversations whose events are kept in memory (least recently used go).
        **kwargs: everything `SQLTrackerStore` takes.
    """

    def __init__(self, cache_size: int | str = 256, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.cache_size = int(cache_size)
        # sender id -> (id of the newest stored row, events of the latest session)
        self._cache: OrderedDict[str, tuple[int, list[Event]]] = OrderedDict()

    def _newest_row(self, sender_id: str) -> int | None:
        with self.session_scope() as session:
            query = session.query(sa.func.max(self.SQLEvent.id))
            return query.filter(self.SQLEvent.sender_id == sender_id).scalar()

    def _remember(self, sender_id: str, newest_row: int, events: list[Event]) -> None:
        self._cache[sender_id] = (newest_row, events)
        self._cache.move_to_end(sender_id)
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)

    def _rows_from(self, sender_id: str, row: int) -> list[Any]:
        """``(id, type_name, data)`` of a conversation's rows from ``row`` on, oldest first."""
        event = self.SQLEvent
        with self.session_scope() as session:
            query = session.query(event.id, event.type_name, event.data)
            query = query.filter(event.sender_id == sender_id, event.id >= row)
            return query.order_by(event.id).all()

    def _cached_events(self, sender_id: str) -> list[Event] | None:
        """The cached session brought up to date from the database, or None to read it anew."""
        cached = self._cache.get(sender_id)
        if cached is None:
            return None
        rows = self._rows_from(sender_id, cached[0])
        # Replacing a conversation deletes all its rows, the cached newest one included; a
        # new session changes which events are the latest session's.
        if not rows or rows[0].id != cached[0]:
            return None
        if any(row.type_name == SessionStarted.type_name for row in rows[1:]):
            return None
        events = cached[1] + deserialise_events([json.loads(row.data) for row in rows[1:]])
        self._remember(sender_id, rows[-1].id, events)
        return events

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """The latest session of a conversation, from memory and the rows newer than it."""
        events = self._cached_events(sender_id) if self.domain else None
        if events is not None and self.domain:
            # Events are never changed once made, so a new tracker can share them.
            return DialogueStateTracker.from_events(sender_id, events, self.domain.slots)
        newest_row = self._newest_row(sender_id)
        tracker = await super().retrieve(sender_id)
        if tracker is None or newest_row is None:
            self._cache.pop(sender_id, None)
        else:
            # Rows written after `newest_row` was read make the next check miss: safe.
            self._remember(sender_id, newest_row, list(tracker.events))
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Stores a tracker's new events, or replaces the conversation (see the module)."""
        sender_id = tracker.sender_id
        if self._is_replacement(tracker):
            self.delete(sender_id)
        await super().save(tracker)
        events = list(tracker.events)
        # A session that started in this tracker is read back from the database once, which
        # decides which events belong to it; later turns come from memory.
        starts_session = any(isinstance(event, SessionStarted) for event in events[1:])
        newest_row = self._newest_row(sender_id)
        if newest_row is None or starts_session:
            self._cache.pop(sender_id, None)
        else:
            self._remember(sender_id, newest_row, events)

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator:
        """The events Rasa's save writes: those after the cached ones, without a count query.

        Rasa's save runs under the conversation's lock, after :meth:`retrieve` brought the
        cache up to date, so the cached events are exactly the stored session.
        """
        cached = self._cache.get(tracker.sender_id)
        if cached is not None and _extends(list(tracker.events), cached[1]):
            return itertools.islice(tracker.events, len(cached[1]), None)
        return super()._additional_events(session, tracker)

    def delete(self, sender_id: str) -> None:
        """Removes every stored event of a conversation, in every session."""
        self._cache.pop(sender_id, None)
        with self.session_scope() as session:
            query = session.query(self.SQLEvent).filter(self.SQLEvent.sender_id == sender_id)
            deleted = query.delete(synchronize_session=False)
            session.commit()
        logger.info("Deleted %d stored events of conversation %s", deleted, sender_id)

    def _is_replacement(self, tracker: DialogueStateTracker) -> bool:
        cached = self._cache.get(tracker.sender_id)
        # The usual turn, the tracker retrieve() handed out plus new events, needs no query.
        if cached is not None and _extends(list(tracker.events), cached[1]):
            return False
        with self.session_scope() as session:
            stored = self._event_query(
                session, tracker.sender_id, fetch_events_from_all_sessions=False
            ).count()
        # Rasa's own save would write nothing for a shorter tracker.
        return len(tracker.events) < stored


def _extends(events: list[Event], before: list[Event]) -> bool:
    """Whether ``events`` starts with the very event objects of ``before``."""
    return len(events) >= len(before) and all(
        a is b for a, b in zip(events[: len(before)], before, strict=True)
    )
