"""One session's report as a PDF (matplotlib, no extra dependency), for trainee and supervisor.

It holds what the screen holds: safety notes, figures, strengths, the self-rating beside the
codes, every suggestion, both sides of the transcript with codes (the supervisor's where
corrected, with the coder's beside them) and the supervisor's comments. Callers check access
first (:func:`trainer_ui.accounts.can_view`); this module only formats what it is given.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence

import matplotlib
import pandas as pd
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from scoring.session import SessionReport
from trainer_ui.corrections import CodedSession
from trainer_ui.report_rows import (
    corrections_text,
    figure_rows,
    gap_rows,
    globals_rows,
    label,
    reliability_text,
    trajectory,
)
from trainer_ui.store import Comment, PracticeSession, SelfRating

# TrueType fonts in the file: PDF readers (and pdftotext) get the text back, accents and all.
matplotlib.rcParams["pdf.fonttype"] = 42

_LINES_PER_PAGE = 56
_WIDTH = 96
_PAGE = (8.27, 11.69)  # A4, inches


def _safe(text: str) -> str:
    # "$" would switch matplotlib to mathtext; a transcript is never maths.
    return text.replace("$", r"\$")


def _wrap(text: str, indent: int = 0, first: str = "") -> list[str]:
    """``first`` then ``text`` wrapped to the page, later lines indented under it.

    Under a long ``first`` (a figure's name) later lines start a little in, not under it.
    """
    start = " " * indent + first
    pad = " " * (indent + (len(first) if len(first) <= 24 else 4))
    lines = textwrap.wrap(
        " ".join(text.split()),
        _WIDTH,
        initial_indent=start,
        subsequent_indent=pad,
        break_on_hyphens=False,
    )
    return lines or [start.rstrip()]


def _text_pages(pdf: PdfPages, title: str, lines: list[str]) -> None:
    # Figure objects, not pyplot: the download button builds the file on its own thread.
    for start in range(0, max(len(lines), 1), _LINES_PER_PAGE):
        page = Figure(figsize=_PAGE)
        page.text(0.06, 0.96, title, fontsize=13, weight="bold")
        for row, line in enumerate(lines[start : start + _LINES_PER_PAGE]):
            page.text(0.06, 0.93 - row * 0.0158, _safe(line), fontsize=7.5, family="monospace")
        pdf.savefig(page)


def _header(session: PracticeSession, coded: CodedSession, who: str) -> list[str]:
    report_turns = len(coded.transcript.exchanges)
    lines = [
        f"Trainee: {who}",
        f"Scenario: {session.scenario_id}",
        f"Started: {session.started_at:%Y-%m-%d %H:%M} UTC · {report_turns} turns",
    ]
    if note := corrections_text(coded):
        lines += _wrap(note.replace("under 'Every utterance, coded'", "in the transcript below"))
    return lines


def _summary(full: SessionReport, rating: SelfRating | None, coded: CodedSession) -> list[str]:
    report = full.fidelity
    lines: list[str] = []
    for note in full.safety:
        lines += _wrap(note.text, first="SAFETY: " if note.kind == "not_followed" else "Safety: ")
    lines += ["", "Summary figures (value, 90% interval, fair, good, rating):"]
    for row in figure_rows(report):
        lines += _wrap(
            f"{row['Value']} [{row['90% interval']}] fair {row['Fair']} good {row['Good']}"
            f" -> {row['Rating']}",
            2,
            f"{row['Figure']}: ",
        )
    lines += _wrap(report.floors + ".", 2)
    for turn, why in sorted(full.not_scored.items()):
        lines += _wrap(f"turn {turn}: {why}", 2, "Not scored (left out of every figure): ")
    lines += ["", "What went well:"]
    for item in full.strengths:
        lines += _wrap(item.text, 2, f"Turn {item.turn} · {label(item.code)}: ")
        lines += _wrap(item.why, 4)
    if not full.strengths:
        lines.append("  No turn the coder was confident of this time.")
    if rating is not None:
        lines += ["", "Your view and the coder's (you thought / coded / gap):"]
        for row in gap_rows(coded.transcript, report, rating):
            lines.append(
                f"  {row['Question']}: {row['You thought']} / {row['Coded']} / {row['Gap']}"
            )
    lines += ["", "Turns to work on:"]
    for better in full.suggestions:
        lines += _wrap(better.original, 2, f"Turn {better.turn} · {label(better.weak_code)}: ")
        lines += _wrap(better.suggestion, 4, f"Try ({label(better.target_code)}): ")
        lines += _wrap(better.why, 4)
    if not full.suggestions:
        lines.append("  No weak turn has a checked better response to offer.")
    return lines


def _transcript(coded: CodedSession, comments: Sequence[Comment]) -> list[str]:
    """Both sides, turn by turn: each thought with its code, the comments on the turn."""
    transcript = coded.transcript
    lines = ["", "Transcript (codes after each trainee turn; the patient's talk after each reply):"]
    if transcript.opening:
        lines += _wrap(transcript.opening, 2, "Patient: ")
    for turn, exchange in enumerate(transcript.exchanges):
        lines += _wrap(exchange.trainee_text, 2, f"Trainee, turn {turn + 1}: ")
        # One thought that is the whole turn is not printed twice: its code is enough.
        whole = len(exchange.codings) == 1 and (
            exchange.codings[0].text.strip() == exchange.trainee_text.strip()
        )
        for unit, coding in enumerate(exchange.codings):
            code = coding.code if exchange.scored else f"{coding.code}, not scored"
            said = "" if whole else coding.text
            lines += _wrap(said, 6, f"[{code} {coding.confidence:.2f}] ")
            if fixed := coded.correction(turn, unit):
                lines += _wrap(f"({fixed.note()})", 8)
        if exchange.patient_text:
            talk = f" [{exchange.talk} talk]" if exchange.talk else ""
            lines += _wrap(exchange.patient_text + talk, 2, "Patient: ")
        for comment in comments:
            if comment.turn == turn:
                lines += _wrap(comment.text, 6, f"Comment ({comment.heading()}): ")
    return lines


def _closing(full: SessionReport, comments: Sequence[Comment]) -> list[str]:
    lines = ["", "Supervisor comments on the session:"]
    general = [c for c in comments if c.turn is None]
    for comment in general:
        lines += _wrap(comment.text, 2, f"{comment.heading()}: ")
    if not general:
        lines.append("  None.")
    lines += ["", "Global ratings (provisional, estimated from the counts):"]
    for row in globals_rows(full.fidelity):
        rated = f" ({row['Rating']})" if row["Rating"] else ""
        lines.append(f"  {row['Global']}: {row['Estimate (1-5)']}{rated}")
    lines += ["", "How far to trust these codes:"]
    for paragraph in reliability_text():
        lines += _wrap(paragraph, 2)
    return lines


def _charts(pdf: PdfPages, coded: CodedSession) -> None:
    frame = trajectory(coded.transcript).apply(pd.to_numeric, errors="coerce")
    if frame.empty:
        return
    page = Figure(figsize=_PAGE)
    axes = page.subplots(2, 1)
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
    pdf.savefig(page)


def session_pdf(
    session: PracticeSession,
    coded: CodedSession,
    full: SessionReport,
    who: str,
    rating: SelfRating | None = None,
    comments: Sequence[Comment] = (),
) -> bytes:
    """The report of one session as PDF bytes.

    Args:
        session: the session (scenario and start time for the header).
        coded: its transcript with the supervisor's codes (`trainer_ui.corrections`).
        full: the report of ``coded.transcript`` (`trainer_ui.report_rows.full_report`).
        who: the trainee's user name.
        rating: the trainee's self-rating, if given.
        comments: the supervisor's comments.
    """
    buffer = io.BytesIO()
    with PdfPages(buffer) as pdf:
        lines = _header(session, coded, who) + _summary(full, rating, coded)
        lines += _transcript(coded, comments) + _closing(full, comments)
        _text_pages(pdf, "MI practice: fidelity report", lines)
        _charts(pdf, coded)
    return buffer.getvalue()
