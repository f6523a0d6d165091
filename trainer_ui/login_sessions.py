"""Logins that outlive a page: signed, expiring tokens backed by a server-side session table.

A token is ``<secret>.<expiry>.<signature>``: the signature (HMAC-SHA256 with a key kept in
the app database, the same for every app instance) turns away forged or altered tokens
before any lookup, and the expiry caps a login's life even if the table were lost. The table
row, named by the SHA-256 of the secret, is what makes log out, a password reset or a
disabled account end a login at once, and what carries the idle timeout.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from trainer_ui.db import app_secrets, login_sessions
from trainer_ui.store import now

logger = logging.getLogger("trainer_ui.login")

IDLE_ENV = "APP_LOGIN_IDLE_MINUTES"
LIFETIME_ENV = "APP_LOGIN_MAX_HOURS"
DEFAULT_IDLE = timedelta(minutes=60)
DEFAULT_LIFETIME = timedelta(hours=12)
_KEY_NAME = "login-token-key"
# Writing last_seen on every rerun would be a write per click; a minute (or a quarter of a
# shorter timeout) is fine-grained enough.
_TOUCH_EVERY = timedelta(minutes=1)


def _setting(name: str, default: timedelta, unit: str) -> timedelta:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = 0.0
    if value <= 0:
        logger.warning("%s=%r is not a positive number of %s; using %s", name, raw, unit, default)
        return default
    return timedelta(**{unit: value})


@dataclass(frozen=True)
class LoginSettings:
    """How long a login lasts without activity, and at most."""

    idle: timedelta = DEFAULT_IDLE
    lifetime: timedelta = DEFAULT_LIFETIME

    @classmethod
    def from_env(cls) -> LoginSettings:
        """From APP_LOGIN_IDLE_MINUTES and APP_LOGIN_MAX_HOURS (defaults: 60 minutes, 12 h)."""
        return cls(
            _setting(IDLE_ENV, DEFAULT_IDLE, "minutes"),
            _setting(LIFETIME_ENV, DEFAULT_LIFETIME, "hours"),
        )


def _row_id(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def signing_key(engine: sa.engine.Engine) -> bytes:
    """The token key, made on first use; of two instances making it at once, one wins."""
    query = sa.select(app_secrets.c.value).where(app_secrets.c.name == _KEY_NAME)
    with engine.connect() as connection:
        value = connection.execute(query).scalar()
    if value is None:
        try:
            with engine.begin() as connection:
                connection.execute(
                    app_secrets.insert().values(name=_KEY_NAME, value=secrets.token_hex(32))
                )
        except sa.exc.IntegrityError:
            pass
        with engine.connect() as connection:
            value = connection.execute(query).scalar_one()
    return bytes.fromhex(value)


def end_user_sessions(
    connection: sa.engine.Connection, user_id: int, keep: str | None = None
) -> None:
    """Ends every login of a user (but ``keep``, a token), in the caller's transaction."""
    query = login_sessions.update().where(
        login_sessions.c.user_id == user_id, login_sessions.c.ended_at.is_(None)
    )
    if keep is not None:
        query = query.where(login_sessions.c.id != _row_id(keep.split(".")[0]))
    connection.execute(query.values(ended_at=now()))


class LoginSessions:
    """Issues and checks login tokens.

    Args:
        engine: the app database.
        settings: the timeouts (from the environment by default).
        clock: the current time (tests move it).
    """

    def __init__(
        self,
        engine: sa.engine.Engine,
        settings: LoginSettings | None = None,
        clock: Callable[[], datetime] = now,
    ) -> None:
        self.engine = engine
        self.settings = settings or LoginSettings.from_env()
        self.clock = clock
        self._key = signing_key(engine)

    def start(self, user_id: int) -> str:
        """A new login of ``user_id``; returns its token."""
        at = self.clock()
        secret = secrets.token_urlsafe(24)
        expires = at + self.settings.lifetime
        with self.engine.begin() as connection:
            connection.execute(
                login_sessions.insert().values(
                    id=_row_id(secret),
                    user_id=user_id,
                    created_at=at,
                    last_seen=at,
                    expires_at=expires,
                )
            )
        body = f"{secret}.{int(expires.timestamp())}"
        return f"{body}.{self._sign(body)}"

    def user_id(self, token: str | None) -> int | None:
        """Whose login ``token`` is, if it is still valid; counts as activity."""
        secret = self._verified_secret(token)
        if secret is None:
            return None
        at = self.clock()
        with self.engine.connect() as connection:
            row = connection.execute(
                sa.select(login_sessions).where(login_sessions.c.id == _row_id(secret))
            ).first()
        if row is None or row.ended_at is not None:
            return None
        last_seen, expires = _utc(row.last_seen), _utc(row.expires_at)
        if at >= expires or at - last_seen >= self.settings.idle:
            return None
        if at - last_seen >= min(_TOUCH_EVERY, self.settings.idle / 4):
            with self.engine.begin() as connection:
                connection.execute(
                    login_sessions.update()
                    .where(login_sessions.c.id == row.id)
                    .values(last_seen=at)
                )
        return int(row.user_id)

    def end(self, token: str | None) -> None:
        """Log out: the token stops working everywhere at once."""
        secret = self._verified_secret(token, check_expiry=False)
        if secret is None:
            return
        with self.engine.begin() as connection:
            connection.execute(
                login_sessions.update()
                .where(login_sessions.c.id == _row_id(secret), login_sessions.c.ended_at.is_(None))
                .values(ended_at=self.clock())
            )

    def _sign(self, body: str) -> str:
        return hmac.new(self._key, body.encode(), hashlib.sha256).hexdigest()

    def _verified_secret(self, token: str | None, check_expiry: bool = True) -> str | None:
        parts = (token or "").split(".")
        if len(parts) != 3 or not parts[1].isdigit():
            return None
        secret, expires, signature = parts
        if not hmac.compare_digest(self._sign(f"{secret}.{expires}"), signature):
            return None
        if check_expiry and self.clock().timestamp() >= int(expires):
            return None
        return secret


def _utc(value: datetime) -> datetime:
    # SQLite hands datetimes back naive; they were written in UTC.
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
