"""Reading the real tracker database behind a running bot, for end-to-end checks."""

from __future__ import annotations

import sqlite3

from bot.tools import services


def tracker_rows(bot: services.Bot, session_id: str) -> int:
    """How many events the tracker database holds for a session."""
    with sqlite3.connect(bot.tracker_db) as db:
        query = "SELECT count(*) FROM events WHERE sender_id = ?"
        return int(db.execute(query, (session_id,)).fetchone()[0])
