"""Progress over sessions: each summary figure per ended session, with its thresholds.

Figures come from the supervisor's codes where a code was corrected.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from scoring import FidelityReport, session_report
from trainer_ui.corrections import CodedSession, coded_session
from trainer_ui.store import PracticeSession


def session_figures(session: PracticeSession) -> tuple[CodedSession, FidelityReport] | None:
    """A session's stored transcript with its corrections, and its report.

    None before any turn was coded.
    """
    coded = coded_session(session)
    if coded is None or not coded.transcript.codings_per_turn:
        return None
    return coded, session_report(coded.transcript.codings_per_turn)


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
                    "corrected": len(reported[0].corrections),
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
