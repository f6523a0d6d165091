"""Exports: one session's report as PDF (matplotlib, no extra dependency), cohort CSV/JSON.

Callers check access first (:func:`trainer_ui.accounts.can_view`); these functions only
format what they are given.
"""

from __future__ import annotations

import csv
import io
import json
import textwrap
from collections.abc import Iterable
from typing import Any

import matplotlib
import pandas as pd

matplotlib.use("Agg")  # no display on a server

from matplotlib import pyplot as plt  # noqa: E402
from matplotlib.backends.backend_pdf import PdfPages  # noqa: E402

from bot.transcript import Transcript  # noqa: E402
from scoring import session_report  # noqa: E402
from trainer_ui.progress import session_figures  # noqa: E402
from trainer_ui.report_view import (  # noqa: E402
    figure_rows,
    reliability_text,
    trajectory,
    utterance_rows,
)
from trainer_ui.store import PracticeSession  # noqa: E402

_LINES_PER_PAGE = 48


def _text_pages(pdf: PdfPages, title: str, lines: list[str]) -> None:
    # Text set as plain strings (usetex off): nothing in a transcript is interpreted.
    for start in range(0, max(len(lines), 1), _LINES_PER_PAGE):
        figure = plt.figure(figsize=(8.27, 11.69))
        figure.text(0.06, 0.96, title, fontsize=13, weight="bold")
        for row, line in enumerate(lines[start : start + _LINES_PER_PAGE]):
            figure.text(
                0.06, 0.93 - row * 0.0185, line, fontsize=8, family="monospace", usetex=False
            )
        pdf.savefig(figure)
        plt.close(figure)


def _safe(text: str) -> str:
    # "$" would switch matplotlib to mathtext; a transcript is never maths.
    return text.replace("$", r"\$")


def session_pdf(session: PracticeSession, transcript: Transcript, who: str) -> bytes:
    """The fidelity report of one session as a PDF: figures, coded transcript, charts."""
    buffer = io.BytesIO()
    report = session_report(transcript.codings_per_turn)
    with PdfPages(buffer) as pdf:
        lines = [
            f"Trainee: {who}",
            f"Scenario: {session.scenario_id}",
            f"Started: {session.started_at:%Y-%m-%d %H:%M} UTC",
            f"{report.volleys} turns, {report.utterances} coded utterances",
            "",
            "Summary figures (value, 90% interval, fair, good, rating):",
        ]
        for row in figure_rows(report):
            lines.append(
                f"  {row['Figure']}: {row['Value']} [{row['90% interval']}] "
                f"fair {row['Fair']} good {row['Good']} -> {row['Rating']}"
            )
        lines += ["", "Global ratings are provisional (estimated from counts)."]
        lines += ["", "How far to trust these codes:"]
        for paragraph in reliability_text():
            lines += ["  " + line for line in textwrap.wrap(paragraph, 86)]
        lines += ["", "Coded utterances:"]
        for row in utterance_rows(transcript):
            head = f"  {row['Turn']:>2}. [{row['Code']} {row['Confidence']}] "
            for i, part in enumerate(textwrap.wrap(_safe(row["You said"]), 70) or [""]):
                lines.append((head if i == 0 else " " * len(head)) + part)
            talk = row["Patient's talk"] or "-"
            lines.append(" " * len(head) + f"patient talk: {talk}")
        _text_pages(pdf, "MI practice: fidelity report", [_safe(line) for line in lines])
        frame = trajectory(transcript).apply(pd.to_numeric, errors="coerce")
        if not frame.empty:
            figure, axes = plt.subplots(2, 1, figsize=(8.27, 11.69))
            panels = [
                (["change talk", "sustain talk"], "Change vs sustain talk (cumulative)"),
                (["rapport", "discord"], "Rapport and discord"),
            ]
            for axis, (columns, title) in zip(axes, panels, strict=True):
                # Sessions from before the state was recorded have no numbers to draw.
                data = frame[columns].dropna(axis=1, how="all")
                if not data.empty:
                    data.plot(ax=axis, marker="o")
                axis.set_title(title)
            pdf.savefig(figure)
            plt.close(figure)
    return buffer.getvalue()


def cohort_rows(sessions: Iterable[PracticeSession], names: dict[int, str]) -> list[dict[str, Any]]:
    """One row per coded utterance of every session, with the session's figures."""
    rows = []
    for session in sessions:
        reported = session_figures(session)
        if reported is None:
            continue
        transcript, report = reported
        figures = {f"figure_{f.key}": f.value for f in report.figures}
        for row in utterance_rows(transcript):
            rows.append(
                {
                    "session": session.id,
                    "trainee": names.get(session.user_id or -1, ""),
                    "scenario": session.scenario_id,
                    "started_at": session.started_at.isoformat(),
                    "turn": row["Turn"],
                    "text": row["You said"],
                    "code": row["Code"],
                    "confidence": row["Confidence"],
                    "patient_talk": row["Patient's talk"],
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
