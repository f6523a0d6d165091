"""The authored practice dialogues: format, coverage, context and the loader's errors."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from scoring import CODES
from scoring.corpus import CorpusError
from scoring.dialogues import DIALOGUE_DIR, load_dialogue, load_dialogues, main

GOOD = """\
version: "1"
topic: general_alcohol
counsellor: mi_consistent
turns:
  - trainee:
      - other: "Hi, thanks for coming in."
      - question_open: "What brings you in today?"
  - patient: "My wife thinks I drink too much."
  - trainee:
      - other: "Mm-hmm."
      - reflection_simple: "Your wife's worried about your drinking."
  - patient: "Yeah."
  - trainee:
      - question_closed: "Is she right?"
"""


def test_every_code_is_in_the_dialogues() -> None:
    counts = Counter(ex.code for ex in load_dialogues())
    assert set(counts) == set(CODES)
    assert sum(counts.values()) >= 2000


def test_each_thought_answers_the_patient_turn_before_it(tmp_path: Path) -> None:
    path = tmp_path / "d.yml"
    path.write_text(GOOD)
    examples = load_dialogue(path)
    assert [(e.code, e.prev_client_text) for e in examples] == [
        ("other", ""),
        ("question_open", ""),
        ("other", "My wife thinks I drink too much."),
        ("reflection_simple", "My wife thinks I drink too much."),
        ("question_closed", "Yeah."),
    ]
    assert {e.topic for e in examples} == {"general_alcohol"}


def test_shipped_dialogues_reflect_what_a_patient_said() -> None:
    reflections = [e for e in load_dialogues() if e.code.startswith("reflection_")]
    assert reflections and all(e.prev_client_text for e in reflections)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("- a list", "expected a mapping"),
        (GOOD.replace("counsellor: mi_consistent", "counsellor: great"), "'counsellor'"),
        (GOOD.replace("topic: general_alcohol", "topic: ''"), "'topic'"),
        (GOOD.replace("question_closed:", "question_shut:"), "unknown code 'question_shut'"),
        (GOOD.replace('"Yeah."', '""'), "the patient turn is empty"),
        (GOOD.replace('"Is she right?"', '""'), "question_closed thought is empty"),
        (GOOD + "  - doctor: hello\n", "must be 'patient: text'"),
        (GOOD + "  - trainee: just text\n", "needs a list"),
        ("turns: [\n", "not valid YAML"),
    ],
)
def test_bad_files_say_what_is_wrong(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "bad.yml"
    path.write_text(body)
    with pytest.raises(CorpusError, match=message):
        load_dialogue(path)


def test_check_command_reports_and_fails_on_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good, bad = tmp_path / "good.yml", tmp_path / "bad.yml"
    good.write_text(GOOD)
    bad.write_text(GOOD.replace("question_closed:", "question_shut:"))
    assert main([]) == 2
    assert "usage" in capsys.readouterr().err
    assert main([str(good)]) == 0
    assert "total 5 thoughts" in capsys.readouterr().out
    assert main([str(good), str(bad)]) == 1
    out = capsys.readouterr().out
    assert "ERROR" in out and "question_shut" in out


def test_shipped_files_pass_the_check() -> None:
    assert main([str(p) for p in sorted(DIALOGUE_DIR.glob("*.yml"))]) == 0
