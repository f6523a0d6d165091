"""Golden set: hand-checked turns the coders must code as a human would."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from scoring import PRESSURE, Turn
from scoring.coder import Coder
from scoring.codes import REFLECTIONS

GOLDEN = yaml.safe_load((Path(__file__).parent / "golden.yml").read_text())


def _history(item: dict) -> list[Turn]:
    if "history" in item:
        return [Turn(speaker, text) for speaker, text in item["history"]]
    return [Turn("patient", item["prev"])] if item.get("prev") else []


def _codes(coder: Coder, item: dict) -> list[str]:
    return [c.code for c in coder.code_turn(item["text"], history=_history(item))]


@pytest.mark.parametrize(
    "item", [g for g in GOLDEN if g.get("rules")], ids=lambda g: g["text"][:40]
)
def test_rules_coder_golden(rules_coder: Coder, item: dict) -> None:
    assert _codes(rules_coder, item) == item["codes"]


def test_golden_set_is_balanced() -> None:
    codes = {code for item in GOLDEN for code in item["codes"]}
    assert len(codes) == 12


@pytest.mark.slow
def test_trained_coder_golden(real_coder: Coder) -> None:
    right = sum(_codes(real_coder, item) == item["codes"] for item in GOLDEN)
    wrong = [
        (item["text"], _codes(real_coder, item))
        for item in GOLDEN
        if _codes(real_coder, item) != item["codes"]
    ]
    assert right / len(GOLDEN) >= 0.75, wrong


SUMMARIES = [g for g in GOLDEN if g.get("summary")]


def _kinds(codes: list[str]) -> list[str]:
    """Reflection (simple or complex), pressure, or the code itself."""
    return [
        "reflection" if c.startswith("reflection") else "pressure" if c in PRESSURE else c
        for c in codes
    ]


@pytest.mark.parametrize("item", SUMMARIES, ids=lambda g: g["text"][:40])
def test_summaries_are_reflections_never_pressure_rules(rules_coder: Coder, item: dict) -> None:
    codings = rules_coder.code_turn(item["text"], history=_history(item))
    assert _kinds([c.code for c in codings]) == _kinds(item["codes"])
    for coding, kind in zip(codings, _kinds(item["codes"]), strict=True):
        if kind == "reflection":
            assert sum(coding.probabilities[c] for c in PRESSURE) == 0.0


@pytest.mark.parametrize("item", SUMMARIES, ids=lambda g: g["text"][:40])
def test_summaries_are_reflections_never_pressure_head(fake_coder: Coder, item: dict) -> None:
    # The head (here on hashing vectors) may read "you need to" as advice; the clause of a
    # summary still never carries pressure, in its code or in its probabilities.
    codings = fake_coder.code_turn(item["text"], history=_history(item))
    expected = _kinds(item["codes"])
    for coding, kind in zip(codings, expected, strict=True):
        if kind == "reflection":
            assert coding.code in REFLECTIONS, coding
            assert sum(coding.probabilities[c] for c in PRESSURE) == 0.0


@pytest.mark.slow
def test_summaries_are_never_pressure_trained(real_coder: Coder) -> None:
    # The trained coder may read a summary clause as a reflection or as other; what must hold
    # is the line: a summary clause is never pressure, and advice after it still is.
    wrong = []
    for item in SUMMARIES:
        got = _codes(real_coder, item)
        pressure = [c in PRESSURE for c in got]
        expected = [c in PRESSURE for c in item["codes"]]
        if len(got) != len(expected) or pressure != expected:
            wrong.append((item["text"], got))
    assert not wrong
