"""Progress over sessions: each summary figure per ended session, with its thresholds."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bot.transcript import Transcript
from scoring import FidelityReport, session_report
from trainer_ui.store import PracticeSession, transcript_from_dict


def session_figures(session: PracticeSession) -> tuple[Transcript, FidelityReport] | None:
    """A session's stored transcript and its report; None before any turn was coded."""
    if not session.snapshot:
        return None
    transcript = transcript_from_dict(session.snapshot)
    if not transcript.codings_per_turn:
        return None
    return transcript, session_report(transcript.codings_per_turn)


def figure_history(sessions: Iterable[PracticeSession]) -> list[dict[str, Any]]:
    """One row per (session, figure), oldest session first; sessions without codes are skipped."""
    rows = []
    for session in sorted(sessions, key=lambda s: s.started_at):
        reported = session_figures(session)
        if reported is None:
            continue
        for figure in reported[1].figures:
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
                    "rated": figure.rated,
                }
            )
    return rows


def reached(session: PracticeSession, level: str = "fair") -> bool | None:
    """Whether every defined figure of a session is at least ``level`` (None: no report)."""
    reported = session_figures(session)
    if reported is None:
        return None
    report = reported[1]
    ok = {"good"} if level == "good" else {"fair", "good"}
    # A figure below its floor has no verdict: it neither passes nor fails the filter.
    rated = [f.rating for f in report.figures if f.rated and f.value is not None]
    return bool(rated) and all(rating in ok for rating in rated)
