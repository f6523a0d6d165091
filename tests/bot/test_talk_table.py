"""The shipped talk table is well-formed, and the script that fits it counts as it says."""

from __future__ import annotations

import importlib.util
import json
import math
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest

from scoring import EVAL_LABEL

ROOT = Path(__file__).resolve().parents[2]
TABLE = ROOT / "bot" / "patient" / "talk_table.json"
PREVS = ("start", "change", "neutral", "sustain")
TALKS = ("change", "neutral", "sustain")
MOVES = sorted(set(EVAL_LABEL.values()))


@pytest.fixture(scope="module")
def shipped() -> dict:
    return json.loads(TABLE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def dynamics() -> ModuleType:
    # benchmarks/ is a folder of scripts, not a package.
    spec = importlib.util.spec_from_file_location(
        "client_dynamics", ROOT / "benchmarks" / "client_dynamics.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def test_every_cell_is_present_and_sums_to_one(shipped: dict) -> None:
    table = shipped["table"]
    assert set(table) == set(PREVS)
    for prev in PREVS:
        assert set(table[prev]) == set(MOVES), prev
        for move in MOVES:
            cell = table[prev][move]
            assert set(cell) == {*TALKS, "n"}, (prev, move)
            assert all(0.0 < cell[t] < 1.0 for t in TALKS), (prev, move, cell)
            assert math.isclose(sum(cell[t] for t in TALKS), 1.0, abs_tol=1e-6), (prev, move)
            assert isinstance(cell["n"], int) and cell["n"] >= 0


def test_provenance_says_where_the_numbers_come_from(shipped: dict) -> None:
    prov = shipped["provenance"]
    for key in ("source", "transcripts", "client_turns", "date", "method", "cross_validation"):
        assert key in prov, key
    assert prov["source"]["commit"] == "4293664"
    assert prov["transcripts"] == 49
    # The counts in the cells are the client turns the provenance says were tabled.
    assert (
        sum(c["n"] for row in shipped["table"].values() for c in row.values())
        == prov["client_turns_in_table"]
    )


def test_the_table_holds_numbers_only(shipped: dict) -> None:
    # No text from the evaluation rows may be committed: every leaf of the table is a number.
    leaves = [v for row in shipped["table"].values() for c in row.values() for v in c.values()]
    assert all(isinstance(v, int | float) for v in leaves)


def test_script_moves_match_the_coder_labels(dynamics: ModuleType) -> None:
    assert sorted(dynamics.MOVES) == MOVES
    assert dynamics.PREVS == PREVS


def test_real_steps_pair_each_client_turn_with_the_turn_it_answers(
    dynamics: ModuleType,
) -> None:
    u = dynamics.Utterance
    transcript = dynamics.Transcript(
        "t",
        "high",
        (
            u("client", 0, "a", "neutral"),  # speaks first: in the mix, not in the table
            u("therapist", 1, "b", "other"),
            u("therapist", 2, "c", "open_question"),
            u("client", 3, "d", "change"),
            u("client", 4, "e", "neutral"),  # no therapist turn since the last client turn
            u("therapist", 5, "f", "simple_reflection"),
            u("client", 6, "g", "sustain"),
        ),
    )
    assert dynamics.real_steps(transcript) == [
        ("neutral", "open_question", "change"),
        ("neutral", "simple_reflection", "sustain"),
    ]
    assert dynamics.client_labels(transcript) == ["neutral", "change", "neutral", "sustain"]


def test_smoothing_pulls_sparse_cells_toward_the_move(dynamics: ModuleType) -> None:
    counts = dynamics.empty_counts()
    counts["neutral"]["other"] = Counter(neutral=90, change=5, sustain=5)
    counts["sustain"]["other"] = Counter(sustain=1)
    table = dynamics.smoothed(counts, pseudo=10)
    sparse = table["sustain"]["other"]
    assert sparse["neutral"] > 0.7  # one turn barely moves it from the move's marginal
    assert math.isclose(sum(sparse.values()), 1.0)
    empty = table["start"]["advice_or_persuasion"]  # a move never seen: the overall mix
    assert empty["neutral"] > 0.8
