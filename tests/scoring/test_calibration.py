"""The calibration the coder applies, and how its threshold is fitted."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from scoring import CODES
from scoring.calibration import CALIBRATION_FILE, Calibration, load_calibration
from scoring.training.calibrate import fit_threshold


def _probs(**given: float) -> np.ndarray:
    p = np.zeros(len(CODES))
    for code, value in given.items():
        p[CODES.index(code)] = value
    return p


def test_an_unsure_pressure_unit_takes_its_best_other_code() -> None:
    calibration = Calibration(pressure_min=0.8)
    unsure = _probs(persuade=0.5, giving_information=0.3, other=0.2)
    assert CODES[calibration.code_of(unsure)] == "giving_information"


def test_persuade_and_confront_count_together_against_the_threshold() -> None:
    calibration = Calibration(pressure_min=0.8)
    sure = _probs(persuade=0.45, confront=0.4, giving_information=0.15)
    assert CODES[calibration.code_of(sure)] == "persuade"


def test_codes_other_than_pressure_are_left_alone() -> None:
    calibration = Calibration(pressure_min=0.99)
    p = _probs(reflection_simple=0.4, persuade=0.35, other=0.25)
    assert CODES[calibration.code_of(p)] == "reflection_simple"


def test_the_threshold_follows_the_sessions_expert_advice_share() -> None:
    # Two sessions of ten turns: the experts coded advice in 0 and 5 of them. The sure
    # pressure turns (0.95) are the advice; the unsure ones (0.6) sit in the first session.
    score = np.array([0.6] * 3 + [0.0] * 7 + [0.95] * 5 + [0.0] * 5)
    advice = np.array([False] * 10 + [True] * 5 + [False] * 5)
    groups = np.array(["a"] * 10 + ["b"] * 10)
    t = fit_threshold(score, advice, groups)
    assert 0.6 < t <= 0.95


def test_the_shipped_calibration_loads_with_its_provenance() -> None:
    data = json.loads(CALIBRATION_FILE.read_text())
    calibration = load_calibration()
    assert calibration.pressure_min == data["pressure_min"]
    assert 0.0 <= calibration.pressure_min < 1.0
    assert data["provenance"]["transcripts"] > 0


def test_without_the_file_nothing_is_corrected(tmp_path: Path) -> None:
    calibration = load_calibration(tmp_path / "missing.json")
    assert calibration.pressure_min == 0.0
    assert CODES[calibration.code_of(_probs(persuade=0.3, other=0.25))] == "persuade"
