"""Golden set: hand-checked turns the coders must code as a human would."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from scoring import Turn
from scoring.coder import Coder

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
