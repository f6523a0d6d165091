"""The record of logins, failures, resets and account changes: a table and the app's log."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timezone

import sqlalchemy as sa

from trainer_ui.db import audit_log

logger = logging.getLogger("trainer_ui.audit")

LOGIN = "login"
LOGIN_FAILED = "login_failed"
LOGIN_THROTTLED = "login_throttled"
LOGIN_REFUSED_DISABLED = "login_refused_disabled"
LOGOUT = "logout"
ACCOUNT_CREATED = "account_created"
PASSWORD_RESET = "password_reset"
PASSWORD_CHANGED = "password_changed"
ROLE_CHANGED = "role_changed"
ACCOUNT_DISABLED = "account_disabled"
ACCOUNT_ENABLED = "account_enabled"


@dataclass(frozen=True)
class AuditEntry:
    """One recorded event."""

    at: datetime
    event: str
    username: str
    actor: str | None
    client: str | None
    detail: str


def record(
    connection: sa.engine.Connection,
    event: str,
    username: str,
    *,
    actor: str | None = None,
    client: str | None = None,
    detail: str = "",
) -> None:
    """Writes an entry in the caller's transaction (so it stands or falls with the change).

    Args:
        username: the account concerned, as typed for a failed login (cut to 64 characters).
        actor: who made the change when it is not the account itself.
        client: the address the request came from, when there was one.
    """
    username, detail = username[:64], detail[:200]
    connection.execute(
        audit_log.insert().values(
            at=datetime.now(timezone.utc),
            event=event,
            username=username,
            actor=actor,
            client=client,
            detail=detail,
        )
    )
    # %r: a typed name cannot forge a second log line.
    logger.info("audit: %s user=%r actor=%r client=%r %s", event, username, actor, client, detail)


def log(
    engine: sa.engine.Engine,
    event: str,
    username: str,
    *,
    actor: str | None = None,
    client: str | None = None,
    detail: str = "",
) -> None:
    """Writes an entry in a transaction of its own (the arguments as for :func:`record`)."""
    with engine.begin() as connection:
        record(connection, event, username, actor=actor, client=client, detail=detail)


def recent(engine: sa.engine.Engine, limit: int = 200) -> list[AuditEntry]:
    """The newest entries first."""
    query = sa.select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    return [
        AuditEntry(
            at=row.at if row.at.tzinfo else row.at.replace(tzinfo=timezone.utc),
            event=row.event,
            username=row.username,
            actor=row.actor,
            client=row.client,
            detail=row.detail,
        )
        for row in rows
    ]
