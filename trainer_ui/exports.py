"""Cohort exports: every coded utterance of many sessions, with their figures, as CSV or JSON.

Codes and figures are the supervisors' where a code was corrected; each row also says what
the coder said and who corrected it when. Callers check access first
(:func:`trainer_ui.accounts.can_view`); these functions only format what they are given.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from typing import Any

from trainer_ui.progress import session_figures
from trainer_ui.store import PracticeSession


def cohort_rows(sessions: Iterable[PracticeSession], names: dict[int, str]) -> list[dict[str, Any]]:
    """One row per coded utterance of every session, with the session's figures."""
    rows = []
    for session in sessions:
        reported = session_figures(session)
        if reported is None:
            continue
        coded, report = reported
        figures = {f"figure_{f.key}": f.value for f in report.figures}
        for turn, exchange in enumerate(coded.transcript.exchanges):
            for unit, coding in enumerate(exchange.codings):
                fixed = coded.correction(turn, unit)
                rows.append(
                    {
                        "session": session.id,
                        "trainee": names.get(session.user_id or -1, ""),
                        "scenario": session.scenario_id,
                        "started_at": session.started_at.isoformat(),
                        "turn": turn + 1,
                        "text": coding.text,
                        "code": coding.code,
                        "confidence": round(float(coding.confidence), 3),
                        "scored": exchange.scored,
                        "coder_code": fixed.coder_code if fixed else coding.code,
                        "corrected_by": fixed.by if fixed else "",
                        "corrected_at": fixed.at.isoformat() if fixed else "",
                        "patient_talk": exchange.talk,
                        **figures,
                    }
                )
    return rows


def to_csv(rows: list[dict[str, Any]]) -> str:
    """Rows as CSV; cells that a spreadsheet would run as formulas are defused."""
    if not rows:
        return ""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {
                k: "'" + v if isinstance(v, str) and v[:1] in ("=", "+", "-", "@") else v
                for k, v in row.items()
            }
        )
    return out.getvalue()


def to_json(rows: list[dict[str, Any]]) -> str:
    """Rows as a JSON list."""
    return json.dumps(rows, ensure_ascii=False, indent=1, default=str)
