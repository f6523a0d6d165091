"""The fidelity report page: summary figures against MITI thresholds, then every coded utterance."""

from __future__ import annotations

from typing import Any

import streamlit as st

from bot.transcript import Transcript
from scoring import PRESSURE, FidelityReport, Figure, session_report


def _format(figure: Figure, value: float | None) -> str:
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
            f"{_format(figure, figure.interval[0])} – {_format(figure, figure.interval[1])}"
            if figure.interval
            else "–"
        )
        rows.append(
            {
                "Figure": f"{figure.name} (MITI {figure.miti_version})",
                "Value": _format(figure, figure.value),
                "90% interval": interval,
                "Fair": _format(figure, figure.fair),
                "Good": _format(figure, figure.good),
                "Rating": figure.rating,
            }
        )
    return rows


def utterance_rows(transcript: Transcript) -> list[dict[str, Any]]:
    """One row per coded thought of the trainee, beside the patient's answer."""
    rows = []
    for number, exchange in enumerate(transcript.exchanges, start=1):
        for coding in exchange.codings:
            rows.append(
                {
                    "Turn": number,
                    "You said": coding.text,
                    "Code": coding.code + (" (pressure)" if coding.code in PRESSURE else ""),
                    "Confidence": round(coding.confidence, 2),
                    "Why": coding.reason,
                    "Patient's talk": exchange.talk,
                }
            )
    return rows


def show_report(transcript: Transcript) -> None:
    """Renders the report of an ended session."""
    st.title("Your fidelity report")
    if not transcript.codings_per_turn:
        st.info("This session has no coded turns: there is nothing to report.")
        return
    report = session_report(transcript.codings_per_turn)
    st.subheader("Summary figures")
    # st.table renders real HTML: readable by screen readers, copyable, printable.
    st.table(figure_rows(report))
    st.caption(
        f"{report.volleys} turns, {report.utterances} coded utterances. {report.counting_rule}. "
        "Intervals come from the coder's uncertainty about each code."
    )
    st.subheader("Every utterance, coded")
    st.table(utterance_rows(transcript))
