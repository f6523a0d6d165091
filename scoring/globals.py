"""Provisional MITI 4.2.1 global ratings estimated from behaviour counts (not rated audio)."""

from __future__ import annotations

GLOBALS_METHOD = (
    "PROVISIONAL: MITI 4.2.1 globals are rated by a human over ~20 minutes of audio; these "
    "are estimated from the behaviour counts of a short text session: each global starts at 3 "
    "and moves with per-turn rates (reflections, complex reflections, open questions, "
    "MI-adherent codes raise; persuade and confront lower), clipped to 1-5."
)


def _clip(x: float) -> float:
    return round(min(5.0, max(1.0, x)), 1)


def estimate_globals(counts: dict[str, int], volleys: int) -> dict[str, object]:
    """Estimate the four MITI 4.2.1 globals and the two composite scores.

    Args:
        counts: per-volley counts per code.
        volleys: number of trainee turns.

    Returns:
        Ratings (1-5) with fair/good thresholds for the composites, or ``None`` when the
        session has no turns.
    """
    if volleys == 0:
        return {"provisional": True, "ratings": None, "composites": None}
    rate = {k: v / volleys for k, v in counts.items()}
    refl = rate["reflection_simple"] + rate["reflection_complex"]
    pressure = rate["persuade"] + rate["confront"]
    adherent = rate["affirm"] + rate["seeking_collaboration"] + rate["emphasizing_autonomy"]
    qs = counts["question_open"] + counts["question_closed"]
    open_share = counts["question_open"] / qs if qs else 0.5
    ratings = {
        "cultivating_change_talk": _clip(
            2.0
            + 2.0 * open_share
            + 2.5 * rate["reflection_complex"]
            + 2.0 * adherent
            - 4.0 * pressure
        ),
        "softening_sustain_talk": _clip(2.0 + 3.0 * refl - 6.0 * pressure),
        "partnership": _clip(2.5 + 3.0 * adherent + 1.5 * refl - 6.0 * pressure),
        "empathy": _clip(2.0 + 2.5 * refl + 2.5 * rate["reflection_complex"] - 4.0 * pressure),
    }
    technical = (ratings["cultivating_change_talk"] + ratings["softening_sustain_talk"]) / 2
    technical = round(technical, 2)
    relational = round((ratings["partnership"] + ratings["empathy"]) / 2, 2)
    return {
        "provisional": True,
        "ratings": ratings,
        "composites": {
            "technical": _composite(technical, 3.0, 4.0),
            "relational": _composite(relational, 3.5, 4.0),
        },
    }


def _composite(value: float, fair: float, good: float) -> dict[str, object]:
    rating = "good" if value >= good else "fair" if value >= fair else "below fair"
    return {"value": value, "fair": fair, "good": good, "rating": rating, "miti_version": "4.2.1"}
