"""The fidelity report: MITI figures and thresholds, self-rating gap, coded transcript, charts."""

from __future__ import annotations

import contextlib
from typing import Any

import pandas as pd
import streamlit as st

from bot.scenario import ScenarioError, load_scenario
from bot.transcript import Transcript
from scoring import MI_ADHERENT, PRESSURE, FidelityReport, Figure, session_report
from scoring.reliability import current_meta, describe, load_card
from scoring.session import SessionReport, build_report
from trainer_ui.store import Comment, SelfRating

# The class in words, with a background colour in tables: neither relies on colour alone
# nor on a colour-emoji font.
ADHERENT_MARK, PRESSURE_MARK, NEUTRAL_MARK = "MI-adherent", "pressure", "neutral"
NOT_SCORED_MARK = "not scored"


def fmt(figure: Figure, value: float | None) -> str:
    """A figure's value as people read it: R:Q as a ratio, the others as percentages."""
    if value is None:
        return "–"
    if figure.key == "r_q":
        return f"{value:.2f}"
    return f"{value:.0%}"


def figure_rows(report: FidelityReport) -> list[dict[str, Any]]:
    """One row per summary figure, labelled with its MITI version and thresholds."""
    rows = []
    for figure in report.figures:
        interval = (
            f"{fmt(figure, figure.interval[0])} – {fmt(figure, figure.interval[1])}"
            if figure.interval
            else "–"
        )
        rows.append(
            {
                "Figure": f"{figure.name} (MITI {figure.miti_version})",
                "Value": fmt(figure, figure.value),
                "90% interval": interval,
                "Fair": fmt(figure, figure.fair),
                "Good": fmt(figure, figure.good),
                "Rating": figure.rating if figure.rated else f"{figure.rating} ({figure.reason})",
            }
        )
    return rows


def reliability_text() -> list[str]:
    """How far the codes agree with expert coders, for the coder the services load."""
    return describe(load_card(), current_meta())


def mark(code: str) -> str:
    """The colour and adherence class of a code."""
    if code in PRESSURE:
        return PRESSURE_MARK
    if code in MI_ADHERENT:
        return ADHERENT_MARK
    return NEUTRAL_MARK


def utterance_rows(transcript: Transcript) -> list[dict[str, Any]]:
    """One row per coded thought of the trainee, beside the patient's answer."""
    rows = []
    for number, exchange in enumerate(transcript.exchanges, start=1):
        for coding in exchange.codings:
            rows.append(
                {
                    "Turn": number,
                    "You said": coding.text,
                    "Code": coding.code,
                    "Class": mark(coding.code) if exchange.scored else NOT_SCORED_MARK,
                    "Confidence": f"{coding.confidence:.2f}",
                    "Why": coding.reason,
                    "Patient's talk": exchange.talk,
                }
            )
    return rows


# Light backgrounds keep the text readable; the Class column also says it in words.
_COLOURS = {
    ADHERENT_MARK: "background-color: #d9f2e1",
    PRESSURE_MARK: "background-color: #fbdcdc",
    NEUTRAL_MARK: "",
}


def styled(rows: list[dict[str, Any]]) -> Any:
    """The coded utterances with the Class cell coloured (a pandas Styler for st.table)."""
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    return frame.style.map(lambda value: _COLOURS.get(value, ""), subset=["Class"]).hide(
        axis="index"
    )


def trajectory(transcript: Transcript) -> pd.DataFrame:
    """Per turn: cumulative change and sustain talk, rapport and discord after the turn."""
    change = sustain = 0
    rows = []
    for number, exchange in enumerate(transcript.exchanges, start=1):
        change += exchange.talk == "change"
        sustain += exchange.talk == "sustain"
        rows.append(
            {
                "turn": number,
                "change talk": change,
                "sustain talk": sustain,
                "rapport": exchange.state.get("rapport"),
                "discord": exchange.state.get("discord"),
            }
        )
    return pd.DataFrame(rows).set_index("turn") if rows else pd.DataFrame()


def change_reasons(transcript: Transcript) -> list[dict[str, Any]]:
    """Why the patient's state moved, turn by turn."""
    return [
        {"Turn": number, "What changed and why": reason}
        for number, exchange in enumerate(transcript.exchanges, start=1)
        for reason in exchange.changes
    ]


def gap_rows(
    transcript: Transcript, report: FidelityReport, rating: SelfRating
) -> list[dict[str, Any]]:
    """The trainee's own estimate beside what the coder found."""
    codes = [c.code for exchange in transcript.exchanges for c in exchange.codings]
    reflections = sum(code.startswith("reflection") for code in codes)
    open_questions = codes.count("question_open")
    composites = report.globals.get("composites") or {}
    relational = composites.get("relational", {}) if isinstance(composites, dict) else {}
    relational_value = relational.get("value") if isinstance(relational, dict) else None
    return [
        {
            "Question": "Reflections used",
            "You thought": str(rating.reflections),
            "Coded": str(reflections),
            "Gap": str(rating.reflections - reflections),
        },
        {
            "Question": "Open questions asked",
            "You thought": str(rating.open_questions),
            "Coded": str(open_questions),
            "Gap": str(rating.open_questions - open_questions),
        },
        {
            "Question": "MI-consistency (1-5)",
            "You thought": str(rating.mi_consistency),
            "Coded": f"{relational_value} (provisional relational global)"
            if relational_value is not None
            else "–",
            "Gap": f"{rating.mi_consistency - relational_value:+.1f}"
            if relational_value is not None
            else "–",
        },
    ]


def full_report(transcript: Transcript, code_turn: Any = None) -> SessionReport:
    """The shared report (`scoring.session`) of a transcript, with the scenario's stance."""
    harm_reduction = False
    if transcript.scenario_id:
        # A scenario removed since: its sessions still have a report.
        with contextlib.suppress(ScenarioError):
            harm_reduction = load_scenario(transcript.scenario_id).rules.harm_reduction
    return build_report(
        transcript.session_turns(), transcript.opening, code_turn, harm_reduction=harm_reduction
    )


def _coder_call() -> Any:
    from trainer_ui.app_state import coder

    return coder().code_turn


def show_transcript_report(transcript: Transcript, comments: list[Comment] | None = None) -> None:
    """The report body: safety, figures, coded utterances, charts, suggestions (no title)."""
    full = full_report(transcript, _coder_call())
    report = full.fidelity
    # Safety first, plainly: a missed risk follow-up matters more than any figure.
    for note in full.safety:
        if note.kind == "not_followed":
            st.error(f"Safety: {note.text}")
    for note in full.safety:
        if note.kind == "asked":
            st.success(note.text)
    st.subheader("Summary figures")
    # st.table renders real HTML: readable by screen readers, copyable, printable.
    st.table(figure_rows(report))
    st.caption(
        f"{report.volleys} turns, {report.utterances} coded utterances. {report.counting_rule}. "
        "Intervals show the coder's own uncertainty about each code; how often it agrees "
        "with expert coders is below."
    )
    st.caption(report.floors + ".")
    if full.not_scored:
        st.caption(
            "Not scored (left out of every figure): "
            + "; ".join(f"turn {turn}: {why}" for turn, why in sorted(full.not_scored.items()))
            + "."
        )
    with st.expander("How far to trust these codes"):
        for paragraph in reliability_text():
            st.text(paragraph)
    with st.expander("Global ratings (provisional)"):
        st.text(str(report.globals.get("method", "")))
        st.json(report.globals)
    st.subheader("Every utterance, coded")
    st.table(styled(utterance_rows(transcript)))
    st.subheader("The patient over the session")
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
    st.subheader("Turns to work on")
    if full.suggestions:
        for item in full.suggestions:
            with st.container(border=True):
                # st.text never interprets markup: the trainee's words stay plain text.
                st.text(f"Turn {item.turn} · {item.weak_code}: {item.original}")
                st.text(f"Try ({item.target_code.replace('_', ' ')}): {item.suggestion}")
                st.caption(item.why)
    else:
        st.write(
            "No closed question, simple reflection, advice or confrontation has a checked "
            "better response to offer here."
        )
    if comments:
        st.subheader("Supervisor comments")
        for comment in comments:
            where = "Session" if comment.turn is None else f"Turn {comment.turn + 1}"
            st.text(f"{where} · {comment.heading()}: {comment.text}")


def show_report(
    transcript: Transcript,
    rating: SelfRating | None = None,
    comments: list[Comment] | None = None,
) -> None:
    """Renders the report of an ended session."""
    st.title("Your fidelity report")
    if not transcript.exchanges:
        st.info("This session has no turns: there is nothing to report.")
        return
    if rating is not None:
        st.subheader("Your view and the coder's")
        st.table(gap_rows(transcript, session_report(transcript.codings_per_turn), rating))
    show_transcript_report(transcript, comments)
