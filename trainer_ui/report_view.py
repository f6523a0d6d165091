"""The fidelity report on screen: what matters on the first screen, the detail folded below.

The first screen holds any safety note, the four figures with their ratings, what went well
and the turns most worth reworking; every utterance, the patient's course, the globals, the
coder's reliability and how the figures are counted fold below.
"""

from __future__ import annotations

from typing import Any, Literal

import pandas as pd
import streamlit as st

from scoring import FidelityReport, Figure
from scoring.risk import risk_asked
from scoring.session import SessionReport
from scoring.suggest import WEAK_CODES
from trainer_ui.corrections import CodedSession
from trainer_ui.report_rows import (
    ADHERENT_MARK,
    NEUTRAL_MARK,
    PRESSURE_MARK,
    change_reasons,
    corrections_text,
    figure_rows,
    fmt,
    gap_rows,
    globals_rows,
    label,
    reliability_text,
    trajectory,
    utterance_rows,
)
from trainer_ui.store import Comment, SelfRating

# Light backgrounds keep the text readable; the Class column also says it in words.
_COLOURS = {
    ADHERENT_MARK: "background-color: #d9f2e1",
    PRESSURE_MARK: "background-color: #fbdcdc",
    NEUTRAL_MARK: "",
}
#: The patient in every chat view: a person (Streamlit's own icon font, no emoji font needed).
PATIENT_AVATAR = ":material/person:"
_RATING_COLOURS: dict[str, Literal["green", "orange", "red"]] = {
    "good": "green",
    "fair": "orange",
    "below fair": "red",
}


def styled(rows: list[dict[str, Any]]) -> Any:
    """The coded utterances with the Class cell coloured (a pandas Styler for st.table)."""
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    return frame.style.map(lambda value: _COLOURS.get(value, ""), subset=["Class"]).hide(
        axis="index"
    )


def show_safety(full: SessionReport) -> None:
    """Missed risk follow-up first, plainly; a direct risk question is recognised."""
    for note in full.safety:
        if note.kind == "not_followed":
            st.error(f"Safety: {note.text}")
    for note in full.safety:
        if note.kind == "asked":
            st.success(note.text)


def _show_figure(figure: Figure) -> None:
    st.metric(
        figure.name,
        # Below its floor a large number would still read as a verdict: the value stays in
        # "How the figures are counted".
        fmt(figure, figure.value) if figure.rated else "–",
        help=(
            f"MITI {figure.miti_version}: {figure.formula}. Fair from "
            f"{fmt(figure, figure.fair)}, good from {fmt(figure, figure.good)}."
        ),
    )
    # The rating in words, coloured as well: a figure below its floor gets no verdict.
    st.badge(figure.rating, color=_RATING_COLOURS.get(figure.rating, "gray"))
    if not figure.rated:
        st.caption(figure.reason)


def show_figures(report: FidelityReport) -> None:
    """The four summary figures side by side, each with its rating."""
    for column, figure in zip(st.columns(len(report.figures)), report.figures, strict=True):
        with column:
            _show_figure(figure)


def show_strengths(full: SessionReport) -> None:
    """Two or three turns done well, with the turn and why it helps."""
    st.subheader("What went well")
    if not full.strengths:
        st.write(
            "The coder was not confident of any reflection, open question or affirmation "
            "this time; the turns to work on are a good place to start."
        )
    for item in full.strengths:
        # st.text never interprets markup: the trainee's words stay plain text.
        st.text(f"Turn {item.turn} · {label(item.code)}: {item.text}")
        st.caption(item.why)


def show_suggestion(item: Any) -> None:
    """One weak turn and the checked better response."""
    with st.container(border=True):
        st.text(
            f"Turn {item.turn} · {label(item.weak_code)}: {item.original}\n"
            f"Try ({label(item.target_code)}): {item.suggestion}"
        )
        st.caption(item.why)


def _has_weak_turns(full: SessionReport) -> bool:
    """Whether a scored turn has a code worth reworking (a direct risk question never is)."""
    return any(
        row["scored"] and row["code"] in WEAK_CODES and risk_asked(row["text"]) is None
        for row in full.utterances
    )


def show_rework(full: SessionReport) -> None:
    """The turns most worth reworking, each with a better response the coder checked."""
    st.subheader("Turns to work on")
    first = full.worth_reworking()
    if not first and _has_weak_turns(full):
        st.write(
            "The coder could not confirm a better response for the weaker turns this time; "
            "they are listed under 'Every utterance, coded'."
        )
    elif not first:
        st.write("No closed questions, simple reflections, advice or confrontations this time.")
    for item in first:
        show_suggestion(item)


def show_first_screen(coded: CodedSession, full: SessionReport) -> None:
    """Safety, corrections, the four figures, strengths and the turns to rework."""
    show_safety(full)
    if note := corrections_text(coded):
        st.info(note)
    show_figures(full.fidelity)
    if full.not_scored:
        st.caption(
            "Not scored (left out of every figure): "
            + "; ".join(f"turn {turn}: {why}" for turn, why in sorted(full.not_scored.items()))
            + "."
        )
    left, right = st.columns(2, gap="large")
    with left:
        show_strengths(full)
    with right:
        show_rework(full)


def show_details(
    coded: CodedSession,
    full: SessionReport,
    rating: SelfRating | None = None,
    comments: list[Comment] | None = None,
) -> None:
    """Everything after the first screen, each part folded."""
    report = full.fidelity
    transcript = coded.transcript
    if comments:
        with st.expander(f"Supervisor comments ({len(comments)})", expanded=True):
            for comment in comments:
                where = "Session" if comment.turn is None else f"Turn {comment.turn + 1}"
                st.text(f"{where} · {comment.heading()}: {comment.text}")
    first = full.worth_reworking()
    more = [s for s in full.suggestions if s not in first]
    if more:
        with st.expander(f"More turns to work on ({len(more)})"):
            for item in more:
                show_suggestion(item)
    if rating is not None:
        with st.expander("Your view and the coder's"):
            st.table(gap_rows(transcript, report, rating))
    with st.expander("Every utterance, coded"):
        st.table(styled(utterance_rows(coded)))
    with st.expander("The patient over the session"):
        frame = trajectory(transcript)
        if not frame.empty:
            left, right = st.columns(2)
            left.caption("Change vs sustain talk (cumulative)")
            left.line_chart(frame[["change talk", "sustain talk"]])
            right.caption("Rapport and discord (0-10)")
            right.line_chart(frame[["rapport", "discord"]])
        reasons = change_reasons(transcript)
        if reasons:
            st.table(reasons)
    with st.expander("How the figures are counted"):
        # st.table renders real HTML: readable by screen readers, copyable, printable.
        st.table(figure_rows(report))
        st.caption(
            f"{report.volleys} turns, {report.utterances} coded utterances. "
            f"{report.counting_rule}. Intervals show the coder's own uncertainty about "
            "each code."
        )
        st.caption(report.floors + ".")
    with st.expander("Global ratings (provisional)"):
        st.table(globals_rows(report))
        st.caption(str(report.globals.get("method", "")))
    with st.expander("How far to trust these codes"):
        for paragraph in reliability_text():
            st.text(paragraph)


def show_report(
    coded: CodedSession,
    full: SessionReport,
    rating: SelfRating | None = None,
    comments: list[Comment] | None = None,
) -> None:
    """The report of an ended session: the first screen, then the folded detail."""
    if not coded.transcript.exchanges:
        st.info("This session has no turns: there is nothing to report.")
        return
    show_first_screen(coded, full)
    show_details(coded, full, rating, comments)
