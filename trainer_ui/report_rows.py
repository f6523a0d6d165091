"""The report's parts as rows and words: shared by the report page, the PDF and the exports.

Everything here reads a :class:`~trainer_ui.corrections.CodedSession`, so the supervisor's
codes are the ones shown wherever a code was corrected.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

from bot.scenario import ScenarioError, load_scenario
from scoring import MI_ADHERENT, PRESSURE, Coding, FidelityReport, Figure, Turn
from scoring.reliability import current_meta, describe, load_card
from scoring.session import SessionReport, build_report
from session_record import Transcript
from trainer_ui.corrections import CodedSession
from trainer_ui.store import SelfRating

# The class in words (tables colour it too): it never rests on colour or an emoji font.
ADHERENT_MARK, PRESSURE_MARK, NEUTRAL_MARK = "MI-adherent", "pressure", "neutral"
NOT_SCORED_MARK = "not scored"


def fmt(figure: Figure, value: float | None) -> str:
    """A figure's value as people read it: R:Q as a ratio, the others as percentages."""
    if value is None:
        return "–"
    if figure.key == "r_q":
        return f"{value:.2f}"
    return f"{value:.0%}"


def rating_text(figure: Figure) -> str:
    """The rating, with the count behind it when the figure is below its floor."""
    return figure.rating if figure.rated else f"{figure.rating} ({figure.reason})"


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
                "Rating": rating_text(figure),
            }
        )
    return rows


def _one(value: Any) -> str:
    return f"{value:.1f}" if isinstance(value, (int, float)) else "–"


def globals_rows(report: FidelityReport) -> list[dict[str, Any]]:
    """The provisional global ratings (1-5) and the two composites, as a small table."""
    ratings = report.globals.get("ratings") or {}
    composites = report.globals.get("composites") or {}
    rows = [
        {"Global": name.replace("_", " ").capitalize(), "Estimate (1-5)": _one(value), "Rating": ""}
        for name, value in ratings.items()
    ]
    rows += [
        {
            "Global": f"{name.capitalize()} (composite, MITI {item.get('miti_version', '')})",
            "Estimate (1-5)": _one(item.get("value")),
            "Rating": item.get("rating", ""),
        }
        for name, item in composites.items()
        if isinstance(item, dict)
    ]
    return rows


def reliability_text() -> list[str]:
    """How far the codes agree with expert coders, for the coder the services load."""
    return describe(load_card(), current_meta())


def mark(code: str) -> str:
    """The adherence class of a code."""
    if code in PRESSURE:
        return PRESSURE_MARK
    if code in MI_ADHERENT:
        return ADHERENT_MARK
    return NEUTRAL_MARK


def label(code: str) -> str:
    """A code as words ("question_open" -> "question open")."""
    return code.replace("_", " ")


def utterance_rows(coded: CodedSession) -> list[dict[str, Any]]:
    """One row per coded thought of the trainee, beside the patient's answer.

    A corrected code says in "Why" what the coder said, who corrected it and when.
    """
    rows = []
    for number, exchange in enumerate(coded.transcript.exchanges, start=1):
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


def corrections_text(coded: CodedSession) -> str:
    """One line on the corrections, for the top of the report ("" when none)."""
    if not coded.corrections:
        return ""
    names = sorted({c.by for c in coded.corrections.values()})
    latest = max(c.at for c in coded.corrections.values())
    count = len(coded.corrections)
    return (
        f"{' and '.join(names)} corrected {count} code{'s' if count > 1 else ''} "
        f"(last on {latest:%d %b %Y}); every figure here uses the corrected codes. "
        "The coder's own codes are listed under 'Every utterance, coded'."
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
    """The trainee's own estimate beside what the coder (or the supervisor) found."""
    codes = [c.code for codings in transcript.codings_per_turn for c in codings]
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


CodeTurn = Callable[[str, Sequence[Turn]], list[Coding]]


def full_report(transcript: Transcript, code_turn: CodeTurn | None = None) -> SessionReport:
    """The shared report (`scoring.session`) of a transcript, with the scenario's stance.

    Args:
        transcript: with the supervisor's codes where corrected (`CodedSession.transcript`).
        code_turn: the coder, to check suggestions; without it there are none.
    """
    harm_reduction = False
    if transcript.scenario_id:
        # A scenario removed since: its sessions still have a report.
        with contextlib.suppress(ScenarioError):
            harm_reduction = load_scenario(transcript.scenario_id).rules.harm_reduction
    return build_report(
        transcript.session_turns(), transcript.opening, code_turn, harm_reduction=harm_reduction
    )
