"""The app's own database: which practice sessions exist (turns live in the tracker store)."""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone

import sqlalchemy as sa

metadata = sa.MetaData()

practice_sessions = sa.Table(
    "practice_sessions",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("scenario_id", sa.String(128), nullable=False),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
)


@dataclass(frozen=True)
class PracticeSession:
    """One row of the sessions index."""

    id: str
    scenario_id: str
    started_at: datetime
    ended_at: datetime | None


class Store:
    """Sessions index on any SQLAlchemy URL (SQLite file by default).

    Args:
        url: e.g. ``sqlite:///var/app.db`` or a PostgreSQL URL.
    """

    def __init__(self, url: str) -> None:
        self.engine = sa.create_engine(url, future=True)
        metadata.create_all(self.engine)

    @classmethod
    def from_env(cls) -> Store:
        """The store configured through APP_DATABASE_URL."""
        return cls(os.environ.get("APP_DATABASE_URL", "sqlite:///var/app.db"))

    def create_session(self, scenario_id: str) -> PracticeSession:
        """Records a new session with a fresh, unguessable id."""
        row = PracticeSession(uuid.uuid4().hex, scenario_id, datetime.now(timezone.utc), None)
        with self.engine.begin() as connection:
            connection.execute(
                practice_sessions.insert().values(
                    id=row.id, scenario_id=row.scenario_id, started_at=row.started_at
                )
            )
        return row

    def end_session(self, session_id: str) -> None:
        """Records when a session ended (idempotent)."""
        with self.engine.begin() as connection:
            connection.execute(
                practice_sessions.update()
                .where(practice_sessions.c.id == session_id)
                .where(practice_sessions.c.ended_at.is_(None))
                .values(ended_at=datetime.now(timezone.utc))
            )

    def get(self, session_id: str) -> PracticeSession | None:
        """One session, or None when the id is unknown."""
        with self.engine.connect() as connection:
            row = connection.execute(
                sa.select(practice_sessions).where(practice_sessions.c.id == session_id)
            ).first()
        return PracticeSession(*row) if row else None

    def list_sessions(self, limit: int = 50) -> list[PracticeSession]:
        """The most recent sessions first."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                sa.select(practice_sessions)
                .order_by(practice_sessions.c.started_at.desc())
                .limit(limit)
            ).all()
        return [PracticeSession(*row) for row in rows]
