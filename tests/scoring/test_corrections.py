"""Supervisors' corrections as training data: read what the app exports, skip bad lines."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from scoring.cli import main
from scoring.corpus import CORRECTION_TOPIC, Example, load_corrections
from scoring.encoder import HashingEncoder
from scoring.training.train import train
from trainer_ui.review import corrections_jsonl
from trainer_ui.store import Override


def _override(turn: int, text: str, original: str, new: str) -> Override:
    at = datetime(2026, 11, 2, 10, turn, tzinfo=timezone.utc)
    return Override(turn, "s1", turn, 0, text, original, new, by_user=2, at=at)


def test_reads_the_file_the_app_exports(tmp_path: Path) -> None:
    exported = corrections_jsonl(
        [
            _override(0, "You stuck with it all month.", "reflection_simple", "affirm"),
            _override(1, "Have you thought about the gym?", "question_closed", "persuade"),
        ],
        {("s1", 0): "I've kept going.", ("s1", 1): "I want to lose weight."},
    )
    path = tmp_path / "corrections.jsonl"
    path.write_text(exported, encoding="utf-8")

    examples, problems = load_corrections(path)

    assert problems == []
    assert examples == [
        Example("You stuck with it all month.", "affirm", "I've kept going.", CORRECTION_TOPIC),
        Example(
            "Have you thought about the gym?",
            "persuade",
            "I want to lose weight.",
            CORRECTION_TOPIC,
        ),
    ]


def test_bad_lines_are_skipped_with_their_line_number(tmp_path: Path) -> None:
    good = {"text": "That took courage.", "code": "affirm", "prev": ""}
    lines = [
        json.dumps(good),
        "{not json",
        "[1, 2]",
        json.dumps({"text": "  ", "code": "affirm"}),
        json.dumps({"text": "Fine.", "code": "praise"}),
        json.dumps({"text": "Fine.", "code": "other", "prev": 5}),
        "",
        json.dumps({"text": "What matters most to you?", "code": "question_open"}),
    ]
    path = tmp_path / "corrections.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    examples, problems = load_corrections(path)

    assert [e.code for e in examples] == ["affirm", "question_open"]
    assert [p.split(": ", 1)[0].rsplit(":", 1)[1] for p in problems] == ["2", "3", "4", "5", "6"]
    assert "not JSON" in problems[0] and "'praise'" in problems[3]


def test_training_records_the_added_examples(tmp_path: Path) -> None:
    added = [Example("Zorblax the frobnicator.", "confront", "", CORRECTION_TOPIC)] * 3
    plain = train(encoder=HashingEncoder(dim=32), out_dir=tmp_path / "a", progress=False)
    more = train(
        encoder=HashingEncoder(dim=32), out_dir=tmp_path / "b", progress=False, added=added
    )

    assert plain.meta["added_examples"] == 0
    assert more.meta["added_examples"] == 3
    assert more.meta["added_per_code"] == {"confront": 3}
    assert more.meta["training_units"] > plain.meta["training_units"]


def test_train_command_refuses_missing_or_unusable_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "coder"
    with pytest.raises(SystemExit) as missing:
        main(["train", "--out", str(out), "--add", str(tmp_path / "nowhere.jsonl")])
    assert missing.value.code == 2
    assert "no such corrections file" in capsys.readouterr().err

    broken = tmp_path / "broken.jsonl"
    broken.write_text("{oops\n", encoding="utf-8")
    with pytest.raises(SystemExit) as unusable:
        main(["train", "--out", str(out), "--add", str(broken)])
    assert unusable.value.code == 2
    assert "no usable corrections" in capsys.readouterr().err
    assert not out.exists()  # nothing trained, nothing overwritten
