"""Progress over sessions: each summary figure per ended session, with its thresholds."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from scoring import session_report
from trainer_ui.store import PracticeSession, transcript_from_dict


def figure_history(sessions: Iterable[PracticeSession]) -> list[dict[str, Any]]:
    """One row per (session, figure), oldest session first; sessions without codes are skipped."""
    rows = []
    for session in sorted(sessions, key=lambda s: s.started_at):
        if not session.snapshot:
            continue
        transcript = transcript_from_dict(session.snapshot)
        if not transcript.codings_per_turn:
            continue
        report = session_report(transcript.codings_per_turn)
        for figure in report.figures:
            rows.append(
                {
                    "session": session.id,
                    "date": session.started_at,
                    "scenario": session.scenario_id,
                    "figure": f"{figure.name} (MITI {figure.miti_version})",
                    "key": figure.key,
                    "value": figure.value,
                    "fair": figure.fair,
                    "good": figure.good,
                    "rating": figure.rating,
                }
            )
    return rows


def reached(session: PracticeSession, level: str = "fair") -> bool | None:
    """Whether every defined figure of a session is at least ``level`` (None: no report)."""
    if not session.snapshot:
        return None
    transcript = transcript_from_dict(session.snapshot)
    if not transcript.codings_per_turn:
        return None
    report = session_report(transcript.codings_per_turn)
    ok = {"good"} if level == "good" else {"fair", "good"}
    rated = [f.rating for f in report.figures if f.value is not None]
    return bool(rated) and all(rating in ok for rating in rated)
