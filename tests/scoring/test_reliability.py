"""The reliability card: written by the benchmark, described in plain words, kept current."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from scoring.encoder import FINE_TUNED_NAME
from scoring.head import FEATURE_VERSION
from scoring.reliability import (
    CARD_PATH,
    current_meta,
    describe,
    identity,
    load_card,
    make_card,
)
from scoring.training.finetune import EPOCHS, SEED
from scoring.training.train import corpus_digest

ROOT = Path(__file__).resolve().parents[2]

META = {
    "encoder": FINE_TUNED_NAME,
    "feature_version": FEATURE_VERSION,
    "corpus_digest": "abc",
    "added_examples": 0,
    "fine_tuning": {"epochs": 2, "seed": 13, "loss_per_epoch": [1.0, 0.5]},
}


def figures(accuracy: float, per_label: dict[str, float]) -> dict:
    return {
        "n": 200,
        "accuracy": accuracy,
        "macro_f1": 0.5,
        "kappa": 0.45,
        "per_label_f1": per_label,
        "confusion": {},
    }


RESULT = {
    "labels7_all": figures(0.6, {"open_question": 0.7, "simple_reflection": 0.3, "other": 0.8}),
    "class4_all": figures(0.73, {"question": 0.75, "reflection": 0.6}),
    "sessions": {"transcripts": 10, "r_q_pearson": 0.4, "pct_complex_pearson": 0.2},
    "by_confidence": [
        {"from": 0.0, "to": 0.6, "share": 0.2, "accuracy": 0.35},
        {"from": 0.6, "to": 0.8, "share": 0.3, "accuracy": 0.5},
        {"from": 0.8, "to": 1.0, "share": 0.5, "accuracy": 0.75},
    ],
    "intervals_95": {
        "labels7_macro_f1": [0.45, 0.53],
        "class4_macro_f1": [0.65, 0.72],
        "r_q_pearson": [0.3, 0.67],
    },
}


def test_identity_is_the_training_data_and_settings() -> None:
    assert identity(None) == {"mode": "rules"}
    assert identity(META) == {
        "mode": "model",
        "encoder": FINE_TUNED_NAME,
        "feature_version": FEATURE_VERSION,
        "corpus_digest": "abc",
        "added_examples": 0,
        "fine_tuning_epochs": 2,
        "fine_tuning_seed": 13,
    }
    # The losses of a rerun are not part of it; added corrections are.
    rerun = {**META, "fine_tuning": {**META["fine_tuning"], "loss_per_epoch": [9.0]}}
    assert identity(rerun) == identity(META)
    assert identity({**META, "added_examples": 40}) != identity(META)


def test_description_of_the_measured_coder() -> None:
    card = make_card(RESULT, META, "dev.csv", date(2026, 1, 2))
    text = describe(card, META)
    assert len(text) == 4
    assert "200 counsellor turns of 10" in text[0] and "(dev.csv, 2026-01-02)" in text[0]
    assert "60% of turns" in text[0] and "73%" in text[0]
    assert "macro-F1 0.50, 95% interval 0.45-0.53 over resampled sessions" in text[0]
    assert "macro-F1 0.50, 95% interval 0.65-0.72 over resampled sessions" in text[0]
    assert text[1].startswith("Least reliable: simple reflection (F1 0.30), open question")
    assert "r = 0.40, 95% interval 0.30-0.67" in text[1]
    assert text[2].endswith(
        "0.80 or more (50% of turns), 75%; 0.60-0.80 (30% of turns), 50%; "
        "below 0.60 (20% of turns), 35%."
    )
    assert "own doubt" in text[3]


def test_description_warns_when_the_coder_in_use_was_not_measured() -> None:
    card = make_card(RESULT, META, "dev.csv", date(2026, 1, 2))
    retrained = describe(card, {**META, "added_examples": 40})
    assert retrained[0].startswith("These figures describe an earlier version of the coder")
    missing = describe(card, None)
    assert missing[0].startswith("No trained coder has been saved")
    assert describe(None, META) == describe(None, None)
    assert "has not been measured" in describe(None, META)[0]


def test_unreadable_cards_are_ignored(tmp_path: Path) -> None:
    assert load_card(tmp_path / "missing.json") is None
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    assert load_card(broken) is None
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"version": 99}))
    assert load_card(other) is None
    card = make_card(RESULT, META, "dev.csv", date(2026, 1, 2))
    del card["class4"]["kappa"]
    truncated = tmp_path / "truncated.json"
    truncated.write_text(json.dumps(card))
    assert load_card(truncated) is None
    truncated.write_text(json.dumps(make_card(RESULT, META, "dev.csv", date(2026, 1, 2))))
    assert load_card(truncated) is not None
    assert current_meta(tmp_path) is None


def test_committed_card_describes_the_coder_the_corpus_trains() -> None:
    card = load_card(CARD_PATH)
    assert card is not None, f"{CARD_PATH} is missing: run `make reliability-card`"
    shipped = {
        "mode": "model",
        "encoder": FINE_TUNED_NAME,
        "feature_version": FEATURE_VERSION,
        "corpus_digest": corpus_digest(),
        "added_examples": 0,
        "fine_tuning_epochs": EPOCHS,
        "fine_tuning_seed": SEED,
    }
    assert card["coder"] == shipped, (
        "the coder changed since scoring/reliability.json was measured: "
        "run `make reliability-card` and commit the card"
    )


def test_benchmark_writes_a_card(tmp_path: Path) -> None:
    # Four made-up transcripts the rules code unambiguously; one gold label disagrees.
    turns = [
        ("What brings you here today?", "open_question"),
        ("Do you smoke?", "closed_question"),
        ("You should stop drinking.", "advice_or_persuasion"),
    ]
    data = tmp_path / "made_up.csv"
    with data.open("w", newline="") as fh:
        writer = csv.writer(fh)
        header = ["transcript_id", "mi_quality", "text", "prev_client_text", "label", "strict"]
        writer.writerow(header)
        for tid, quality in enumerate(["high", "high", "low", "low"]):
            for number, (text, label) in enumerate(turns):
                gold = "other" if (tid, number) == (3, 2) else label
                writer.writerow([tid, quality, text, "I drink a bit.", gold, "true"])
    card_path = tmp_path / "card.json"
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "scoring_bench.py"),
            "--data",
            str(data),
            "--mode",
            "rules",
            "--passes",
            "1",
            "--card",
            str(card_path),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    card = load_card(card_path)
    assert card is not None
    assert card["coder"] == {"mode": "rules"}
    assert card["data"] == "made_up.csv" and card["transcripts"] == 4
    assert card["labels7"]["n"] == 12
    assert card["labels7"]["accuracy"] == pytest.approx(11 / 12, abs=1e-3)
    assert card["labels7"]["per_label_f1"]["open_question"] == 1.0
    low, high = card["intervals_95"]["labels7_macro_f1"]
    assert 0 <= low <= card["labels7"]["macro_f1"] <= high <= 1
    # Every turn falls in one confidence band.
    assert sum(band["share"] for band in card["by_confidence"]) == pytest.approx(1.0, abs=0.01)
