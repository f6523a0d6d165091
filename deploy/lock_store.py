"""Rasa's Redis lock store, with every change to a lock made atomically.

Rasa 3.6's `RedisLockStore` changes a session's lock by reading it, changing it in Python and
writing it back. Two instances that take a ticket for the same session at the same moment can
both read the empty lock, both take ticket 0 and both run: two turns then interleave, and
Rasa's SQL store drops the events of one of them (seen in `tests/deploy/test_scaled.py`).
Here each change runs in a Redis transaction (WATCH / MULTI), retried if another instance
changed the lock in between. Used by `deploy/endpoints.scaled.yml` as
``type: deploy.lock_store.AtomicRedisLockStore``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TypeVar

import redis
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

T = TypeVar("T")
#: A change gets the stored lock (None if there is none) and returns its result and the lock
#: to store (None deletes it).
Change = Callable[[TicketLock | None], tuple[T, TicketLock | None]]


class AtomicRedisLockStore(RedisLockStore):
    """`RedisLockStore` whose ticket issuing, expiry and clean-up are atomic.

    Args:
        endpoint_config: the ``lock_store`` section of the endpoints file; the same keys
            as Rasa's ``type: redis`` (``url``, ``port``, ``db``, ``password``, ``key_prefix``).
    """

    def __init__(self, endpoint_config: EndpointConfig) -> None:
        super().__init__(host=endpoint_config.url, **endpoint_config.kwargs)

    def _change(self, conversation_id: str, change: Change[T]) -> T:
        key = self.key_prefix + conversation_id
        with self.red.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(key)
                    stored = pipe.get(key)
                    lock = TicketLock.from_dict(json.loads(stored)) if stored else None
                    result, new = change(lock)
                    pipe.multi()
                    if new is None:
                        pipe.delete(key)
                    else:
                        pipe.set(key, new.dumps())
                    pipe.execute()
                    return result
                except redis.WatchError:
                    continue  # another instance changed the lock first: read it again

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        """Takes the next ticket for a session, creating its lock if needed."""

        def take(lock: TicketLock | None) -> tuple[int, TicketLock | None]:
            lock = lock or TicketLock(conversation_id)
            return lock.issue_ticket(lock_lifetime), lock

        try:
            return self._change(conversation_id, take)
        except redis.RedisError as error:
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def update_lock(self, conversation_id: str) -> None:
        """Drops expired tickets."""

        def expire(lock: TicketLock | None) -> tuple[None, TicketLock | None]:
            if lock is not None:
                lock.remove_expired_tickets()
            return None, lock

        self._change(conversation_id, expire)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Gives a ticket back; deletes the lock when nobody else holds a ticket."""

        def give_back(lock: TicketLock | None) -> tuple[None, TicketLock | None]:
            if lock is None:
                return None, None
            lock.remove_ticket_for(ticket_number)
            return None, lock if lock.is_someone_waiting() else None

        self._change(conversation_id, give_back)
