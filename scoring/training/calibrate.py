"""Fit ``scoring/calibration.json`` on expert-coded sessions (the AnnoMI dev split's format).

The pressure threshold is chosen so that each session's share of turns holding a persuade
or confront unit comes as close as it can to the share of turns the experts coded as advice
(least squares over sessions). High-quality sessions, where experts code little advice,
pull it up; low-quality ones, full of advice, pull it down. AnnoMI does not tell advice with
permission from advice without, so the experts' share is an upper bound of pressure and the
fitted threshold leans towards coding pressure.

Every figure is measured by cross-validation grouped by transcript: the threshold is fitted
on four fifths of the sessions and judged on the fifth it never saw. The committed numbers
are then fitted on all of them.
"""

from __future__ import annotations

import csv
import hashlib
import json
from datetime import date
from pathlib import Path

import numpy as np

from scoring.calibration import CALIBRATION_FILE, Calibration, load_calibration
from scoring.coder import Coder
from scoring.codes import CODES, PRESSURE
from scoring.loader import default_model_dir, load_trained
from scoring.types import Coding

ADVICE_LABEL = "advice_or_persuasion"
#: Thresholds tried, from "any pressure argmax counts" to "only the surest".
GRID = tuple(round(x, 2) for x in np.arange(0.0, 0.995, 0.01))
FOLDS = 5
SEED = 0
_P = [CODES.index(c) for c in sorted(PRESSURE)]


def _pressure_scores(coder: Coder, rows: list[dict]) -> np.ndarray:
    """Per turn: the surest pressure unit's pressure probability (0 if no unit leans so)."""
    raw = Coder(coder.encoder, coder.head, Calibration())
    codings = raw.code_rows([(r["text"], r["prev_client_text"]) for r in rows])
    out = np.zeros(len(rows))
    for i, units in enumerate(codings):
        for unit in units:
            probs = np.array([unit.probabilities.get(c, 0.0) for c in CODES])
            if unit.code in PRESSURE:
                out[i] = max(out[i], float(probs[_P].sum()))
    return out


def _session_error(score: np.ndarray, advice: np.ndarray, groups: np.ndarray, t: float) -> float:
    pressed = score >= t if t > 0 else score > 0
    errors = [pressed[groups == g].mean() - advice[groups == g].mean() for g in np.unique(groups)]
    return float(np.mean(np.square(errors)))


def fit_threshold(score: np.ndarray, advice: np.ndarray, groups: np.ndarray) -> float:
    """The grid threshold with the least squared error of per-session pressure shares."""
    return min(GRID, key=lambda t: (_session_error(score, advice, groups, t), t))


def pressure_shares(pressed: np.ndarray, rows: list[dict]) -> dict:
    """Share of turns with a pressure unit by session quality, beside the experts' advice.

    Args:
        pressed: per row, whether the turn holds a persuade or confront unit.
        rows: the evaluation rows (``label``, ``mi_quality``).
    """
    advice = np.array([r["label"] == ADVICE_LABEL for r in rows])
    high = np.array([r["mi_quality"] == "high" for r in rows])
    hits = pressed & advice
    return {
        "high_quality_turns_with_pressure": round(float(pressed[high].mean()), 4),
        "low_quality_turns_with_pressure": round(float(pressed[~high].mean()), 4),
        "experts_advice_high": round(float(advice[high].mean()), 4),
        "experts_advice_low": round(float(advice[~high].mean()), 4),
        "pressure_precision_all": round(float(hits.sum() / max(1, pressed.sum())), 3),
        "pressure_precision_high": round(float(hits[high].sum() / max(1, pressed[high].sum())), 3),
    }


def folds_of(rows: list[dict], folds: int = FOLDS) -> np.ndarray:
    """Fold of each row, whole transcripts to one fold (seeded)."""
    ids = sorted({r["transcript_id"] for r in rows})
    order = np.random.default_rng(SEED).permutation(ids)
    fold_of = {t: i % folds for i, t in enumerate(order)}
    return np.array([fold_of[r["transcript_id"]] for r in rows])


def fit(coder: Coder, rows: list[dict]) -> tuple[float, list[float], np.ndarray]:
    """Fit the threshold on all ``rows``, and by grouped cross-validation.

    Returns:
        The threshold from all rows; the threshold of each fold (fitted without it); the
        fold of each row (see :func:`folds_of`).
    """
    score = _pressure_scores(coder, rows)
    advice = np.array([r["label"] == ADVICE_LABEL for r in rows])
    groups = np.array([r["transcript_id"] for r in rows])
    fold = folds_of(rows)
    per_fold = [
        fit_threshold(score[fold != k], advice[fold != k], groups[fold != k]) for k in range(FOLDS)
    ]
    return fit_threshold(score, advice, groups), per_fold, fold


def code_by_fold(
    coder: Coder, rows: list[dict], thresholds: list[float], fold: np.ndarray
) -> list[list[Coding]]:
    """Code each fold's rows with the threshold fitted without them (held-out codings)."""
    out: list[list[Coding]] = [[] for _ in rows]
    for k, t in enumerate(thresholds):
        held = [i for i in range(len(rows)) if fold[i] == k]
        fold_coder = Coder(coder.encoder, coder.head, Calibration(pressure_min=t))
        pairs = [(rows[i]["text"], rows[i]["prev_client_text"]) for i in held]
        for i, units in zip(held, fold_coder.code_rows(pairs), strict=True):
            out[i] = units
    return out


def calibrate(data: Path, out: Path = CALIBRATION_FILE, coder: Coder | None = None) -> dict:
    """Fit the calibration on ``data`` (evaluation format), write ``out``, return it.

    Raises:
        CoderUnavailable: no trained coder to calibrate (``make coder`` first).
    """
    folder = default_model_dir()
    coder = coder or load_trained(folder)
    with data.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    final, thresholds, fold = fit(coder, rows)
    held_out = code_by_fold(coder, rows, thresholds, fold)
    pressed = np.array([any(u.code in PRESSURE for u in units) for units in held_out])
    meta = json.loads((folder / "meta.json").read_text())
    result = {
        "pressure_min": final,
        "provenance": {
            "fitted": date.today().isoformat(),
            "data": data.name,
            "data_sha256": hashlib.sha256(data.read_bytes()).hexdigest()[:16],
            "transcripts": len({r["transcript_id"] for r in rows}),
            "turns": len(rows),
            "coder_encoder": meta.get("encoder"),
            "coder_corpus_digest": meta.get("corpus_digest"),
            "method": "least squares of per-session pressure share against experts' advice "
            "share; figures by 5-fold cross-validation grouped by transcript",
            "cv_thresholds": thresholds,
            "cv_held_out": pressure_shares(pressed, rows),
        },
    }
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    load_calibration.cache_clear()  # this process now codes with the new numbers
    return result
