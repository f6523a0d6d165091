"""Contract battery: the API other modules are written against."""

from __future__ import annotations

import dataclasses

import pytest

import scoring
from scoring import CODES, Coding, Turn, session_report
from scoring.coder import Coder

REACH = {
    "question_open": ("What brings you in today?", []),
    "question_closed": ("Do you drink every day?", []),
    "reflection_simple": (
        "You drink most nights.",
        [Turn("patient", "I drink most nights after work.")],
    ),
    "reflection_complex": (
        "On the one hand it helps you relax, and on the other hand it worries you.",
        [Turn("patient", "It helps me relax but I don't know.")],
    ),
    "affirm": ("That took real courage.", []),
    "seeking_collaboration": ("Would it be okay if I shared some information?", []),
    "emphasizing_autonomy": ("It's completely your choice.", []),
    "giving_information": (
        "The guideline is fourteen units a week, spread over three or more days.",
        [],
    ),
    "persuade_with_permission": (
        "I'd suggest having two alcohol-free days a week.",
        [
            Turn("trainee", "Can I share an idea?"),
            Turn("patient", "Sure, go ahead."),
        ],
    ),
    "persuade": ("You need to stop drinking.", [Turn("patient", "I drink a lot.")]),
    "confront": ("You're in denial.", [Turn("patient", "I don't have a problem.")]),
    "other": ("Mm-hmm.", []),
}


def test_public_names() -> None:
    for name in ("CODES", "Turn", "Coding", "load_coder", "session_report"):
        assert hasattr(scoring, name)
    assert len(CODES) == 12 and len(set(CODES)) == 12


@pytest.mark.parametrize("code", CODES)
def test_every_code_reachable_by_rules(rules_coder: Coder, code: str) -> None:
    text, history = REACH[code]
    codings = rules_coder.code_turn(text, history=history)
    assert [c.code for c in codings] == [code]


def _check(codings: list[Coding]) -> None:
    assert codings, "code_turn must never return an empty list"
    for c in codings:
        assert c.code in CODES
        assert 0.0 <= c.confidence <= 1.0
        assert c.reason and c.reason.split(":")[0]
        assert set(c.probabilities) == set(CODES)
        assert abs(sum(c.probabilities.values()) - 1.0) < 1e-6
        assert c.probabilities[c.code] == pytest.approx(c.confidence, abs=1e-3)


@pytest.mark.parametrize("which", ["rules_coder", "fake_coder"])
def test_codings_well_formed(which: str, request: pytest.FixtureRequest) -> None:
    coder: Coder = request.getfixturevalue(which)
    for text, history in REACH.values():
        _check(coder.code_turn(text, history=history))


@pytest.mark.parametrize("which", ["rules_coder", "fake_coder"])
@pytest.mark.parametrize("text", ["", "   ", "\n\t", None])
def test_empty_input_gives_one_other(which: str, text, request: pytest.FixtureRequest) -> None:
    coder: Coder = request.getfixturevalue(which)
    codings = coder.code_turn(text, history=[])
    assert len(codings) == 1 and codings[0].code == "other"


@pytest.mark.parametrize("which", ["rules_coder", "fake_coder"])
def test_huge_input_is_handled(which: str, request: pytest.FixtureRequest) -> None:
    coder: Coder = request.getfixturevalue(which)
    text = "You should stop. What do you think? " * 5000 + "x" * 200_000
    codings = coder.code_turn(text, history=[Turn("patient", "y" * 100_000)])
    _check(codings)
    assert len(codings) <= 12


def test_deterministic(fake_coder: Coder) -> None:
    text = "So you're worried about your liver. What would you like to do?"
    hist = [Turn("patient", "My liver tests came back bad.")]
    first = [c.to_dict() for c in fake_coder.code_turn(text, history=hist)]
    second = [c.to_dict() for c in fake_coder.code_turn(text, history=hist)]
    assert first == second


def test_multi_thought_turn_is_split(rules_coder: Coder) -> None:
    codings = rules_coder.code_turn(
        "So you're worried about your liver. What would you like to do?",
        history=[Turn("patient", "My liver tests came back bad.")],
    )
    assert [c.code for c in codings][1] == "question_open"
    assert codings[0].code.startswith("reflection_")


def test_context_decides_persuade_vs_permission(rules_coder: Coder) -> None:
    advice = "I'd suggest cutting down to two drinks a night."
    without = rules_coder.code_turn(advice, history=[Turn("patient", "I drink a lot.")])
    asked = rules_coder.code_turn(
        advice,
        history=[
            Turn("trainee", "Would it be okay if I made a suggestion?"),
            Turn("patient", "Yeah, okay."),
        ],
    )
    refused = rules_coder.code_turn(
        advice,
        history=[
            Turn("trainee", "Would it be okay if I made a suggestion?"),
            Turn("patient", "No."),
        ],
    )
    assert without[0].code == "persuade"
    assert asked[0].code == "persuade_with_permission"
    assert refused[0].code == "persuade"


def test_coding_roundtrip_and_frozen() -> None:
    c = Coding("Hi.", "other", 0.9, "other: greeting", {k: 0.0 for k in CODES} | {"other": 1.0})
    assert Coding.from_dict(c.to_dict()) == c
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.code = "affirm"  # type: ignore[misc]
    with pytest.raises(ValueError):
        Coding("x", "not_a_code", 1.0, "", {})


def test_turn_is_namedtuple() -> None:
    t = Turn("patient", "hello")
    assert t.speaker == "patient" and t.text == "hello" and tuple(t) == ("patient", "hello")


def test_report_accepts_rebuilt_codings(fake_coder: Coder) -> None:
    turns = [fake_coder.code_turn(t, history=h) for t, h in REACH.values()]
    rebuilt = [[Coding.from_dict(c.to_dict()) for c in turn] for turn in turns]
    assert session_report(rebuilt).to_dict() == session_report(turns).to_dict()


def test_load_coder_rules_mode_is_cached() -> None:
    assert scoring.load_coder(mode="rules") is scoring.load_coder(mode="rules")
    assert scoring.load_coder(mode="rules").mode == "rules"


def test_head_save_load_roundtrip(fake_coder: Coder, tmp_path) -> None:
    from scoring.head import Head

    assert fake_coder.head is not None and fake_coder.encoder is not None
    fake_coder.head.save(tmp_path)
    loaded = Coder(encoder=fake_coder.encoder, head=Head.load(tmp_path, fake_coder.encoder))
    text, history = REACH["reflection_complex"]
    before = [c.to_dict() for c in fake_coder.code_turn(text, history=history)]
    after = [c.to_dict() for c in loaded.code_turn(text, history=history)]
    assert before == after


def test_stale_head_is_rejected(fake_coder: Coder, tmp_path) -> None:
    import json

    from scoring.head import Head

    assert fake_coder.head is not None and fake_coder.encoder is not None
    fake_coder.head.save(tmp_path)
    meta = json.loads((tmp_path / "meta.json").read_text())
    meta["feature_version"] = -1
    (tmp_path / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(ValueError, match="retrain"):
        Head.load(tmp_path, fake_coder.encoder)
