"""The app's own database: sessions, self-ratings, code overrides and comments.

Turns live in Rasa's tracker store; when a session ends its coded transcript is frozen here
(the snapshot, `session_record.Transcript.frozen`), so that the report, progress, cohort views
and exports work without Rasa and read the same turns whenever they are opened.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa

from session_record import Transcript
from trainer_ui.db import (
    comments,
    create_schema,
    overrides,
    practice_sessions,
    self_ratings,
    users,
)


def now() -> datetime:
    """The current time, timezone-aware (UTC)."""
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class Override:
    """A supervisor's correction of one coded utterance; the coder's code is kept."""

    id: int
    session_id: str
    turn: int
    unit: int
    text: str
    original_code: str
    new_code: str
    by_user: int
    at: datetime
    #: The supervisor's user name ("" if the account is gone), read with the correction.
    by_name: str = ""


@dataclass(frozen=True)
class PracticeSession:
    """One row of the sessions index."""

    id: str
    scenario_id: str
    started_at: datetime
    ended_at: datetime | None
    user_id: int | None = None
    snapshot: dict[str, Any] | None = None
    reviewed_by: int | None = None
    reviewed_at: datetime | None = None
    #: The session's code corrections, oldest first, read with the session so that every
    #: view of it can show the supervisor's codes (`trainer_ui.corrections`).
    corrections: tuple[Override, ...] = ()


@dataclass(frozen=True)
class SelfRating:
    """What the trainee thought of their own session, before seeing the report."""

    reflections: int
    open_questions: int
    mi_consistency: int


@dataclass(frozen=True)
class Comment:
    """A supervisor's comment on one turn (``turn`` 0-based) or the session (``turn`` None)."""

    id: int
    session_id: str
    turn: int | None
    author: int
    text: str
    at: datetime
    #: The author's user name ("" if the account is gone), read with the comment.
    author_name: str = ""

    def heading(self) -> str:
        """Who wrote it and when, e.g. ``sam · 04 Dec 21:30``."""
        return f"{self.author_name or 'unknown'} · {self.at:%d %b %H:%M}"


def _utc(value: datetime | None) -> datetime | None:
    # SQLite hands datetimes back naive; they were written in UTC.
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value


class Store:
    """All app data on any SQLAlchemy URL (SQLite file by default).

    Args:
        url: e.g. ``sqlite:///var/app.db`` or ``postgresql://user@host/db``.
    """

    def __init__(self, url: str) -> None:
        self.engine = sa.create_engine(url, future=True)
        create_schema(self.engine)

    @classmethod
    def from_env(cls) -> Store:
        """The store configured through APP_DATABASE_URL."""
        return cls(os.environ.get("APP_DATABASE_URL", "sqlite:///var/app.db"))

    # Sessions ---------------------------------------------------------------------------

    def create_session(self, scenario_id: str, user_id: int | None = None) -> PracticeSession:
        """Records a new session with a fresh, unguessable id."""
        row = PracticeSession(uuid.uuid4().hex, scenario_id, now(), None, user_id)
        with self.engine.begin() as connection:
            connection.execute(
                practice_sessions.insert().values(
                    id=row.id,
                    scenario_id=row.scenario_id,
                    started_at=row.started_at,
                    user_id=user_id,
                )
            )
        return row

    def end_session(self, session_id: str, transcript: Transcript | None = None) -> None:
        """Records when a session ended and freezes its coded transcript (both idempotent).

        Args:
            session_id: the session.
            transcript: the session as the tracker holds it once ended; frozen unless a copy
                already is, so every later view of the session reads the same turns. Without
                it only the end is recorded (the transcript is frozen by a later call).
        """
        with self.engine.begin() as connection:
            connection.execute(
                practice_sessions.update()
                .where(practice_sessions.c.id == session_id)
                .where(practice_sessions.c.ended_at.is_(None))
                .values(ended_at=now())
            )
            if transcript is not None:
                connection.execute(
                    practice_sessions.update()
                    .where(practice_sessions.c.id == session_id)
                    .where(practice_sessions.c.snapshot.is_(None))
                    .values(snapshot=transcript.frozen())
                )

    def mark_reviewed(self, session_id: str, user_id: int) -> None:
        """Records that a supervisor checked every code of the session."""
        with self.engine.begin() as connection:
            connection.execute(
                practice_sessions.update()
                .where(practice_sessions.c.id == session_id)
                .values(reviewed_by=user_id, reviewed_at=now())
            )

    def get(self, session_id: str) -> PracticeSession | None:
        """One session, or None when the id is unknown."""
        with self.engine.connect() as connection:
            row = connection.execute(
                sa.select(practice_sessions).where(practice_sessions.c.id == session_id)
            ).first()
        return self._with_corrections([self._session(row)])[0] if row else None

    def list_sessions(
        self, limit: int = 500, user_ids: list[int] | None = None
    ) -> list[PracticeSession]:
        """The most recent sessions first, optionally only those of some users."""
        query = sa.select(practice_sessions).order_by(practice_sessions.c.started_at.desc())
        if user_ids is not None:
            query = query.where(practice_sessions.c.user_id.in_(user_ids))
        with self.engine.connect() as connection:
            rows = connection.execute(query.limit(limit)).all()
        return self._with_corrections([self._session(row) for row in rows])

    def expired_session_ids(self, before: datetime) -> list[str]:
        """Sessions that ended before ``before`` (or, never ended, started before it).

        Oldest first. The retention purge (`trainer_ui.retention`) deletes these; an
        abandoned session that was never ended counts from its start.
        """
        last_activity = sa.func.coalesce(
            practice_sessions.c.ended_at, practice_sessions.c.started_at
        )
        query = (
            sa.select(practice_sessions.c.id)
            .where(last_activity < before.astimezone(timezone.utc))
            .order_by(last_activity)
        )
        with self.engine.connect() as connection:
            return [row.id for row in connection.execute(query)]

    def delete_session(self, session_id: str) -> None:
        """Deletes a session and everything attached to it from the app database."""
        with self.engine.begin() as connection:
            for table in (self_ratings, overrides, comments):
                connection.execute(table.delete().where(table.c.session_id == session_id))
            connection.execute(
                practice_sessions.delete().where(practice_sessions.c.id == session_id)
            )

    def _with_corrections(self, sessions: list[PracticeSession]) -> list[PracticeSession]:
        # One query for the whole list: the views list many sessions at once.
        found: dict[str, list[Override]] = {}
        if sessions:
            for item in self.overrides([s.id for s in sessions]):
                found.setdefault(item.session_id, []).append(item)
        return [replace(s, corrections=tuple(found.get(s.id, ()))) for s in sessions]

    @staticmethod
    def _session(row: Any) -> PracticeSession:
        data = dict(row._mapping)
        for key in ("started_at", "ended_at", "reviewed_at"):
            data[key] = _utc(data[key])
        return PracticeSession(**data)

    # Self-ratings -----------------------------------------------------------------------

    def save_self_rating(self, session_id: str, rating: SelfRating) -> None:
        """Stores the trainee's own rating (once: the first one counts)."""
        if self.self_rating(session_id) is not None:
            return
        with self.engine.begin() as connection:
            connection.execute(
                self_ratings.insert().values(
                    session_id=session_id, created_at=now(), **asdict(rating)
                )
            )

    def self_rating(self, session_id: str) -> SelfRating | None:
        """The trainee's rating of the session, if given."""
        with self.engine.connect() as connection:
            row = connection.execute(
                sa.select(
                    self_ratings.c.reflections,
                    self_ratings.c.open_questions,
                    self_ratings.c.mi_consistency,
                ).where(self_ratings.c.session_id == session_id)
            ).first()
        return SelfRating(*row) if row else None

    # Overrides and comments -------------------------------------------------------------

    def add_override(
        self, session_id: str, turn: int, unit: int, text: str, original: str, new: str, by: int
    ) -> None:
        """Records a code correction; earlier corrections of the same utterance stay too."""
        with self.engine.begin() as connection:
            connection.execute(
                overrides.insert().values(
                    session_id=session_id,
                    turn=turn,
                    unit=unit,
                    text=text,
                    original_code=original,
                    new_code=new,
                    by_user=by,
                    at=now(),
                )
            )

    def overrides(self, session_ids: list[str] | None = None) -> list[Override]:
        """Corrections, oldest first (of some sessions, or all)."""
        query = (
            sa.select(overrides, users.c.username.label("by_name"))
            .select_from(overrides.outerjoin(users, users.c.id == overrides.c.by_user))
            .order_by(overrides.c.id)
        )
        if session_ids is not None:
            query = query.where(overrides.c.session_id.in_(session_ids))
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        return [
            Override(**{**row._mapping, "at": _utc(row.at), "by_name": row.by_name or ""})
            for row in rows
        ]

    def add_comment(self, session_id: str, turn: int | None, author: int, text: str) -> None:
        """Stores a comment on a turn or (turn None) on the whole session."""
        with self.engine.begin() as connection:
            connection.execute(
                comments.insert().values(
                    session_id=session_id, turn=turn, author=author, text=text, at=now()
                )
            )

    def comments(self, session_id: str) -> list[Comment]:
        """The comments on a session, oldest first."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                sa.select(comments, users.c.username.label("author_name"))
                .select_from(comments.outerjoin(users, users.c.id == comments.c.author))
                .where(comments.c.session_id == session_id)
                .order_by(comments.c.id)
            ).all()
        return [
            Comment(**{**row._mapping, "at": _utc(row.at), "author_name": row.author_name or ""})
            for row in rows
        ]
