"""Slows down password guessing: a wait after repeated failed logins, per account and client.

Failures are kept in the app database, so the wait holds across reloads, app restarts and
every app instance on the same database. While a wait runs, logins are refused without
checking the password and the refusals do not count, so a guesser cannot lengthen a real
user's wait by hammering. A successful login clears its account's failures but not its
client's: one valid account must not reset the counter of a guesser's address.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from trainer_ui.db import login_failures
from trainer_ui.store import now

#: Failures within WINDOW before the first wait. A client's limit is higher: a classroom
#: behind one address shares it.
ACCOUNT_LIMIT = 5
CLIENT_LIMIT = 30
WINDOW = timedelta(hours=1)
#: The first wait; each further failure doubles it, up to MAX_WAIT.
FIRST_WAIT = timedelta(seconds=30)
MAX_WAIT = timedelta(minutes=15)


@dataclass(frozen=True)
class Wait:
    """A login refused for now, and for how long."""

    seconds: int
    #: "account" or "client": what reached its limit.
    reason: str

    def message(self) -> str:
        """What the login form says."""
        if self.seconds < 60:
            wait = f"{self.seconds} seconds"
        else:
            minutes = math.ceil(self.seconds / 60)
            wait = f"{minutes} minute{'s' if minutes != 1 else ''}"
        whose = "this account" if self.reason == "account" else "this computer or network"
        return (
            f"Too many failed logins for {whose}. Try again in {wait}; an administrator "
            "can also reset the password."
        )


def account_key(username: str) -> str:
    """The throttle key of a typed user name (any case: guessing 'Tina' counts for 'tina')."""
    return f"account:{username.strip().lower()[:64]}"


def client_key(client: str) -> str:
    """The throttle key of a client address."""
    return f"client:{client[:64]}"


class LoginThrottle:
    """Failed logins in the app database and the wait they impose.

    Args:
        engine: the app database.
        clock: the current time (tests move it).
    """

    def __init__(self, engine: sa.engine.Engine, clock: Callable[[], datetime] = now) -> None:
        self.engine = engine
        self.clock = clock

    def wait(self, username: str, client: str) -> Wait | None:
        """The wait before ``username`` may try again from ``client``, if there is one."""
        waits = [
            Wait(seconds, reason)
            for key, limit, reason in (
                (account_key(username), ACCOUNT_LIMIT, "account"),
                (client_key(client), CLIENT_LIMIT, "client"),
            )
            if (seconds := self._seconds_left(key, limit)) > 0
        ]
        return max(waits, key=lambda w: w.seconds) if waits else None

    def failed(self, username: str, client: str) -> None:
        """Counts a failed login against the account and the client; forgets old failures."""
        at = self.clock()
        with self.engine.begin() as connection:
            connection.execute(login_failures.delete().where(login_failures.c.at < at - WINDOW))
            for key in (account_key(username), client_key(client)):
                connection.execute(login_failures.insert().values(key=key, at=at))

    def forget_account(self, username: str) -> None:
        """Clears an account's failures: after its login succeeds or its password is reset."""
        with self.engine.begin() as connection:
            connection.execute(
                login_failures.delete().where(login_failures.c.key == account_key(username))
            )

    def _seconds_left(self, key: str, limit: int) -> int:
        at = self.clock()
        with self.engine.connect() as connection:
            count, last = connection.execute(
                sa.select(sa.func.count(), sa.func.max(login_failures.c.at)).where(
                    login_failures.c.key == key, login_failures.c.at >= at - WINDOW
                )
            ).one()
        if count < limit:
            return 0
        if last.tzinfo is None:  # SQLite hands datetimes back naive; they are UTC
            last = last.replace(tzinfo=timezone.utc)
        wait = min(FIRST_WAIT * 2 ** (count - limit), MAX_WAIT)
        return max(0, math.ceil((last + wait - at).total_seconds()))
