"""The authored corpus: format, coverage and the loader's errors."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from scoring import CODES
from scoring.corpus import CorpusError, augment, load_corpus

SCENARIO_TOPICS = ("psych_", "substance_", "ed_", "meds_", "general_")


def test_every_code_has_examples() -> None:
    counts = Counter(ex.code for ex in load_corpus())
    assert set(counts) == set(CODES)
    for code in CODES:
        assert counts[code] >= 40, code
    assert sum(counts.values()) >= 1500


def test_topics_cover_the_scenarios() -> None:
    topics = {ex.topic for ex in load_corpus()}
    for prefix in SCENARIO_TOPICS:
        assert any(t.startswith(prefix) for t in topics), prefix


def test_reflections_carry_the_patient_turn() -> None:
    refl = [ex for ex in load_corpus() if ex.code.startswith("reflection_")]
    assert all(ex.prev_client_text for ex in refl)


def test_no_duplicates_and_clean_text() -> None:
    examples = load_corpus()
    keys = [(e.text.lower(), e.prev_client_text.lower(), e.code) for e in examples]
    assert len(keys) == len(set(keys))
    assert all(e.text == e.text.strip() and e.text for e in examples)


def test_augment_is_seeded_and_keeps_codes() -> None:
    examples = load_corpus()[:200]
    first, second = augment(examples), augment(examples)
    assert first == second and len(first) > len(examples)
    assert Counter(e.code for e in first).keys() == Counter(e.code for e in examples).keys()


@pytest.mark.parametrize(
    "body",
    [
        "- just a list",
        "version: '1'\ncode: not_a_code\ngroups: []",
        "version: '1'\ncode: affirm\ngroups: [{topic: x}]",
        "version: '1'\ncode: affirm\ngroups: [{topic: x, texts: ['']}]",
    ],
)
def test_bad_files_raise(tmp_path: Path, body: str) -> None:
    (tmp_path / "affirm.yml").write_text(body)
    with pytest.raises(CorpusError):
        load_corpus(tmp_path)


def test_file_name_must_match_code(tmp_path: Path) -> None:
    (tmp_path / "other.yml").write_text("code: affirm\ngroups: []\n")
    with pytest.raises(CorpusError):
        load_corpus(tmp_path)
