"""How far the coder agrees with expert coders: the card the benchmark writes, in plain words.

The probabilities behind a report's intervals are the coder's own doubt; they say nothing of
how often experts would code the same turn otherwise. That is measured by
``benchmarks/scoring_bench.py --card`` on expert-coded transcripts and kept in
``scoring/reliability.json``, with the identity of the coder measured, so a report can tell
whether the figures describe the coder in use.
"""

from __future__ import annotations

import json
import logging
from datetime import date
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

CARD_PATH = Path(__file__).with_name("reliability.json")
CARD_VERSION = 1


def identity(meta: dict[str, Any] | None) -> dict[str, Any]:
    """What has to match for a measurement to describe a coder.

    Args:
        meta: the trained coder's ``meta.json`` (``Head.meta``); ``None`` for the rules-only
            coder.

    Returns:
        The training data and settings the coder's codes depend on. Changes to the coding
        rules themselves are not in it: re-measure after them (``make reliability-card``).
    """
    if not meta:
        return {"mode": "rules"}
    tuning = meta.get("fine_tuning") or {}
    return {
        "mode": "model",
        "encoder": meta.get("encoder"),
        "feature_version": meta.get("feature_version"),
        "corpus_digest": meta.get("corpus_digest"),
        "added_examples": meta.get("added_examples", 0),
        "fine_tuning_epochs": tuning.get("epochs", 0),
        "fine_tuning_seed": tuning.get("seed"),
    }


def make_card(
    result: dict[str, Any], meta: dict[str, Any] | None, data_name: str, measured: date
) -> dict[str, Any]:
    """The card for one benchmark run (``result`` is what ``scoring_bench.py`` prints)."""

    def part(key: str) -> dict[str, Any]:
        figures = result[key]
        return {k: figures[k] for k in ("n", "accuracy", "macro_f1", "kappa", "per_label_f1")}

    sessions = result["sessions"]
    return {
        "version": CARD_VERSION,
        "coder": identity(meta),
        # Not part of the identity: bfloat16 moves a handful of codes, well within the noise.
        "precision": result.get("precision"),
        "measured": measured.isoformat(),
        "data": data_name,
        "transcripts": sessions["transcripts"],
        "labels7": part("labels7_all"),
        "class4": part("class4_all"),
        "r_q_pearson": sessions["r_q_pearson"],
        "pct_complex_pearson": sessions["pct_complex_pearson"],
        "by_confidence": result["by_confidence"],
        "intervals_95": result["intervals_95"],
        # Held-out shares of turns with a persuade or confront unit (None: rules-only coder).
        "pressure": (result.get("calibration_cross_validated") or {}).get("pressure"),
    }


def load_card(path: Path = CARD_PATH) -> dict[str, Any] | None:
    """The saved card, or ``None`` (logged) when it is missing or unreadable."""
    try:
        card = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        log.info("scoring: no reliability card at %s (%s)", path, exc)
        return None
    if not _well_formed(card):
        log.warning("scoring: %s is not a reliability card of version %s", path, CARD_VERSION)
        return None
    return card


def _well_formed(card: Any) -> bool:
    # A hand-edited or truncated card must not break every report that shows it.
    try:
        return (
            card["version"] == CARD_VERSION
            and isinstance(card["coder"], dict)
            and all(isinstance(card[k], str) for k in ("measured", "data"))
            and all(
                isinstance(card[part][k], int | float)
                for part in ("labels7", "class4")
                for k in ("n", "accuracy", "kappa", "macro_f1")
            )
            and all(isinstance(f1, int | float) for f1 in card["labels7"]["per_label_f1"].values())
            and all(
                isinstance(card[k], int | float)
                for k in ("transcripts", "r_q_pearson", "pct_complex_pearson")
            )
            and all(
                isinstance(band[k], int | float)
                for band in card["by_confidence"]
                for k in ("from", "to", "share")
            )
            and all(
                len(pair) == 2 and all(isinstance(x, int | float) for x in pair)
                for pair in card["intervals_95"].values()
            )
        )
    except (KeyError, TypeError, AttributeError):
        return False


def current_meta(model_dir: Path | None = None) -> dict[str, Any] | None:
    """The ``meta.json`` of the trained coder the services load, or ``None`` if there is none."""
    from scoring.loader import default_model_dir

    try:
        meta = json.loads(((model_dir or default_model_dir()) / "meta.json").read_text())
    except (OSError, ValueError):
        return None
    return meta if isinstance(meta, dict) else None


def _between(pair: list[float] | None) -> str:
    """A 95% interval as the text that follows its figure, or nothing."""
    if not pair:
        return ""
    return f", 95% interval {pair[0]:.2f}-{pair[1]:.2f} over resampled sessions"


def _confidence_text(bands: list[dict[str, Any]]) -> list[str]:
    """How to read a confidence: the experts' agreement in each band, as one sentence."""

    def band_name(band: dict[str, Any]) -> str:
        if band["from"] <= 0:
            return f"below {band['to']:.2f}"
        if band["to"] >= 1:
            return f"{band['from']:.2f} or more"
        return f"{band['from']:.2f}-{band['to']:.2f}"

    parts = [
        f"{band_name(band)} ({band['share']:.0%} of turns), {band['accuracy']:.0%}"
        for band in sorted(bands, key=lambda band: -band["from"])
        if band.get("accuracy") is not None
    ]
    if not parts:
        return []
    return [
        "How often the experts gave the coder's label, by the confidence shown beside each "
        "code: " + "; ".join(parts) + "."
    ]


def _pressure_text(pressure: dict[str, Any] | None) -> list[str]:
    if not pressure:
        return []
    return [
        "Pressure (persuading without permission, confronting) was coded in "
        f"{pressure['high_quality_turns_with_pressure']:.1%} of the turns of well-rated "
        f"sessions, where the experts coded advice in {pressure['experts_advice_high']:.1%}, "
        f"and in {pressure['low_quality_turns_with_pressure']:.1%} of the turns of poorly "
        f"rated ones (experts: advice in {pressure['experts_advice_low']:.1%})."
    ]


def describe(card: dict[str, Any] | None, meta: dict[str, Any] | None) -> list[str]:
    """What a trainee or supervisor should know about the codes, as short paragraphs.

    Args:
        card: from :func:`load_card`.
        meta: the coder in use (:func:`current_meta`); compared with the card's coder.
    """
    if card is None:
        return [
            "The coder's agreement with expert coders has not been measured for this "
            "installation. Read the codes as a rough guide; a supervisor's review is the "
            "reference."
        ]
    seven, four, spread = card["labels7"], card["class4"], card["intervals_95"]
    weakest = sorted(seven["per_label_f1"].items(), key=lambda item: item[1])[:2]
    text = [
        f"Measured on {seven['n']:,} counsellor turns of {card['transcripts']} recorded "
        f"counselling conversations coded by experts ({card['data']}, {card['measured']}): the "
        f"coder gave the experts' label to {seven['accuracy']:.0%} of turns (7 labels, "
        f"Cohen's kappa {seven['kappa']:.2f}, macro-F1 {seven['macro_f1']:.2f}"
        f"{_between(spread.get('labels7_macro_f1'))}); telling questions, reflections, "
        f"information and advice, and the rest apart, {four['accuracy']:.0%} (kappa "
        f"{four['kappa']:.2f}, macro-F1 {four['macro_f1']:.2f}"
        f"{_between(spread.get('class4_macro_f1'))}).",
        "Least reliable: "
        + ", ".join(f"{label.replace('_', ' ')} (F1 {f1:.2f})" for label, f1 in weakest)
        + f". Per session, the coder's R:Q followed the experts' at Pearson r = "
        f"{card['r_q_pearson']:.2f}{_between(spread.get('r_q_pearson'))}, and its "
        "% complex reflections at r = "
        f"{card['pct_complex_pearson']:.2f}.",
        *_pressure_text(card.get("pressure")),
        *_confidence_text(card["by_confidence"]),
        "The 90% intervals beside the report's figures show only the coder's own doubt about "
        "each code, not this disagreement: read the figures as a guide to practise with, not "
        "as a fidelity rating. A supervisor's review is the reference.",
    ]
    if meta is None and card["coder"]["mode"] != "rules":
        text.insert(
            0,
            "No trained coder has been saved on this machine, so these figures may not "
            "describe the codes shown (the services train one, or fall back to rules alone).",
        )
    elif card["coder"] != identity(meta):
        text.insert(
            0,
            "These figures describe an earlier version of the coder: the one in use was "
            "trained on other data or settings since (for example with supervisors' "
            "corrections), and its agreement with experts has not been measured.",
        )
    return text
