"""Session fidelity report: MITI counts, summary scores with thresholds and uncertainty."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from scoring.codes import CODES, MI_ADHERENT, MI_NON_ADHERENT
from scoring.globals import GLOBALS_METHOD, estimate_globals
from scoring.types import Coding

#: Units below this confidence are listed for a human to check.
LOW_CONFIDENCE = 0.6
#: Monte-Carlo draws of whole-session codings for the intervals (seeded: reports reproduce).
N_SAMPLES = 400
SEED = 7
_I = {c: i for i, c in enumerate(CODES)}


@dataclass(frozen=True)
class Figure:
    """One summary score with its MITI version, thresholds and a 90% interval.

    ``count`` is how many events the figure rests on; below ``floor`` it is not rated
    (``rated`` False, ``rating`` :data:`NOT_ENOUGH`, ``reason`` says the count).
    """

    key: str
    name: str
    miti_version: str
    value: float | None
    fair: float | None
    good: float | None
    rating: str
    interval: tuple[float, float] | None
    formula: str
    count: int = 0
    floor: int = 0
    rated: bool = True
    reason: str = ""


@dataclass(frozen=True)
class FidelityReport:
    """Everything :func:`session_report` computes; :meth:`to_dict` is JSON-ready."""

    volleys: int
    utterances: int
    counts: dict[str, int]
    figures: list[Figure]
    totals: dict[str, int]
    globals: dict[str, Any]
    low_confidence: list[dict[str, Any]] = field(default_factory=list)
    floors: str = ""
    counting_rule: str = (
        "MITI 4.2.1 per-volley counting: each code counts at most once per trainee turn; "
        "a turn with a complex reflection counts as complex only"
    )

    def figure(self, key: str) -> Figure:
        """Return the summary figure called ``key`` (e.g. ``"r_q"``)."""
        return next(f for f in self.figures if f.key == key)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict."""
        out = asdict(self)
        for fig in out["figures"]:
            fig["interval"] = list(fig["interval"]) if fig["interval"] else None
        return out


def _probs(coding: Coding) -> np.ndarray:
    """A full probability vector, also for codings rebuilt with partial probabilities."""
    p = np.array([float(coding.probabilities.get(c, 0.0)) for c in CODES])
    missing = [i for i, c in enumerate(CODES) if c not in coding.probabilities]
    rest = max(0.0, 1.0 - p.sum())
    if missing and rest > 0:
        p[missing] = rest / len(missing)
    if p.sum() <= 0:
        p[_I[coding.code]] = 1.0
    return p / p.sum()


def _volley_counts(presence: np.ndarray) -> np.ndarray:
    """Per-volley counts from a ``(..., turns, codes)`` presence array -> ``(..., codes)``."""
    pres = presence.copy()
    # A volley holding both kinds of reflection counts once, as complex.
    both = pres[..., _I["reflection_complex"]]
    pres[..., _I["reflection_simple"]] &= ~both
    return pres.sum(axis=-2)


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.maximum(den, 1), np.nan)


def _scores(counts: np.ndarray, volleys: np.ndarray) -> dict[str, np.ndarray]:
    """Summary scores from ``(..., codes)`` counts and per-volley question counts."""
    c = {code: counts[..., _I[code]].astype(float) for code in CODES}
    sr, cr = c["reflection_simple"], c["reflection_complex"]
    oq, cq = c["question_open"], c["question_closed"]
    mia = c["affirm"] + c["seeking_collaboration"] + c["emphasizing_autonomy"]
    mina = c["persuade"] + c["confront"]
    return {
        "r_q": _ratio(sr + cr, volleys),
        "pct_complex": _ratio(cr, sr + cr),
        "pct_open": _ratio(oq, oq + cq),
        "pct_mi_adherent": _ratio(mia, mia + mina),
    }


#: Fewest events a figure needs before it gets a fair/good verdict, and what they are: one
#: miscoded reflection must not make "% complex reflections 100%, good".
FLOORS: dict[str, tuple[int, str, str]] = {
    "r_q": (4, "reflection or question", "reflections and questions"),
    "pct_complex": (3, "reflection", "reflections"),
    "pct_open": (3, "question", "questions"),
    "pct_mi_adherent": (
        3,
        "MI-adherent or non-adherent behaviour",
        "MI-adherent and non-adherent behaviours",
    ),
}
NOT_ENOUGH = "not enough to rate"


def floors_text() -> str:
    """The floors in words, for the report."""
    parts = [
        f"{_SPECS[key][0]} needs at least {floor} {plural}"
        for key, (floor, _, plural) in FLOORS.items()
    ]
    return f"A figure resting on fewer events is shown as '{NOT_ENOUGH}': " + "; ".join(parts)


def _event_counts(counts: np.ndarray, q_volleys: int) -> dict[str, int]:
    c = {code: int(counts[_I[code]]) for code in CODES}
    refl = c["reflection_simple"] + c["reflection_complex"]
    return {
        "r_q": refl + q_volleys,
        "pct_complex": refl,
        "pct_open": c["question_open"] + c["question_closed"],
        "pct_mi_adherent": sum(c[k] for k in MI_ADHERENT) + sum(c[k] for k in MI_NON_ADHERENT),
    }


_SPECS = {
    "r_q": ("Reflection-to-question ratio", "4.2.1", 1.0, 2.0, "(SR + CR) / Q"),
    "pct_complex": ("% complex reflections", "4.2.1", 0.4, 0.5, "CR / (SR + CR)"),
    "pct_open": ("% open questions", "3.1.1", 0.5, 0.7, "OQ / (OQ + CQ)"),
    "pct_mi_adherent": ("% MI-adherent", "3.1.1", 0.9, 1.0, "MIA / (MIA + MINA)"),
}


def _rating(value: float | None, fair: float | None, good: float | None) -> str:
    if value is None or fair is None or good is None:
        return "not computable" if value is None else "no threshold"
    if value >= good - 1e-9:
        return "good"
    return "fair" if value >= fair - 1e-9 else "below fair"


def _clean(x: float) -> float | None:
    return None if np.isnan(x) else round(float(x), 3)


def session_report(turns: Sequence[Sequence[Coding]]) -> FidelityReport:
    """Build the fidelity report of a session.

    Args:
        turns: one list of codings per trainee turn, in order (``Coding.from_dict`` is fine).

    Returns:
        A :class:`FidelityReport`.
    """
    turns = [list(t) for t in turns if t]
    units = [(ti, c) for ti, t in enumerate(turns) for c in t]
    n_turns = len(turns)
    presence = np.zeros((n_turns, len(CODES)), dtype=bool)
    for ti, c in units:
        presence[ti, _I[c.code]] = True
    counts = _volley_counts(presence)
    q_volleys = (presence[:, _I["question_open"]] | presence[:, _I["question_closed"]]).sum()
    point = _scores(counts, np.array(float(q_volleys)))
    samples = _sample_scores(units, n_turns)
    events = _event_counts(counts, int(q_volleys))
    figures = []
    for key, (name, version, fair, good, formula) in _SPECS.items():
        value = _clean(float(point[key]))
        draws = samples[key][~np.isnan(samples[key])]
        interval = None
        if draws.size >= N_SAMPLES // 4:
            lo, hi = np.percentile(draws, [5, 95])
            interval = (round(float(lo), 3), round(float(hi), 3))
        floor, one, plural = FLOORS[key]
        count = events[key]
        rated = count >= floor
        rating = _rating(value, fair, good) if rated else NOT_ENOUGH
        reason = "" if rated else f"{count} {one if count == 1 else plural}; {floor} needed"
        figures.append(
            Figure(
                key,
                name,
                version,
                value,
                fair,
                good,
                rating,
                interval,
                formula,
                count,
                floor,
                rated,
                reason,
            )  # fmt: skip
        )
    count_map = {c: int(counts[_I[c]]) for c in CODES}
    totals = {
        "questions_per_volley": int(q_volleys),
        "mi_adherent": sum(count_map[k] for k in MI_ADHERENT),
        "mi_non_adherent": sum(count_map[k] for k in MI_NON_ADHERENT),
        "pressure": count_map["persuade"] + count_map["confront"],
    }
    globals_ = estimate_globals(count_map, n_turns)
    globals_["method"] = GLOBALS_METHOD
    low = [
        {
            "turn": ti,
            "text": c.text,
            "code": c.code,
            "confidence": round(c.confidence, 3),
            "reason": c.reason,
        }
        for ti, c in units
        if c.confidence < LOW_CONFIDENCE
    ]
    return FidelityReport(
        volleys=n_turns,
        utterances=len(units),
        counts=count_map,
        figures=figures,
        totals=totals,
        globals=globals_,
        low_confidence=low,
        floors=floors_text(),
    )


def _sample_scores(units: list[tuple[int, Coding]], n_turns: int) -> dict[str, np.ndarray]:
    """Monte-Carlo: draw every unit's code from its probabilities, recompute the scores."""
    if not units:
        return {k: np.full(1, np.nan) for k in _SPECS}
    rng = np.random.default_rng(SEED)
    cum = np.cumsum(np.stack([_probs(c) for _, c in units]), axis=1)
    draws = (rng.random((N_SAMPLES, len(units)))[:, :, None] > cum[None]).sum(axis=2)
    draws = np.minimum(draws, len(CODES) - 1)
    presence = np.zeros((N_SAMPLES, n_turns, len(CODES)), dtype=bool)
    rows = np.arange(N_SAMPLES)
    for u, (ti, _) in enumerate(units):
        presence[rows, ti, draws[:, u]] = True
    counts = _volley_counts(presence)
    q = (presence[..., _I["question_open"]] | presence[..., _I["question_closed"]]).sum(axis=1)
    return _scores(counts, q.astype(float))
