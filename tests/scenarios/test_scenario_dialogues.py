"""Every scenario loads, is big enough, and passes its own test dialogues."""

from __future__ import annotations

import pytest

from bot.patient import detect_topic
from bot.patient.replay import CodeTurn, run_dialogue
from bot.patient.understand import Encode
from bot.scenario import list_scenarios, load_scenario
from bot.scenario.dialogues import Dialogue, load_dialogues

SCENARIOS = list_scenarios()
SEEDS = ("reluctant_psychiatric", "substance_harm_reduction", "eating_disorder",
         "antipsychotic_ambivalence")  # fmt: skip


def _cases() -> list[tuple[str, Dialogue]]:
    return [(sid, d) for sid in SCENARIOS for d in load_dialogues(sid)]


CASES = _cases()


@pytest.mark.parametrize("scenario_id", SCENARIOS)
def test_scenario_loads_and_ships_dialogues(scenario_id: str) -> None:
    scenario = load_scenario(scenario_id)
    assert scenario.id == scenario_id
    assert load_dialogues(scenario_id), f"{scenario_id} has no {scenario_id}.tests.yml"


@pytest.mark.parametrize("scenario_id", [s for s in SEEDS if s in SCENARIOS])
def test_seed_scenario_size(scenario_id: str) -> None:
    scenario = load_scenario(scenario_id)
    topics = [t for t in scenario.topics if t != "general"]
    assert len(topics) >= 8, f"{scenario_id}: {len(topics)} topics besides 'general'"
    assert scenario.line_count() >= 150, f"{scenario_id}: {scenario.line_count()} lines"


@pytest.mark.parametrize(
    ("scenario_id", "dialogue"), CASES, ids=[f"{s}: {d.name}" for s, d in CASES]
)
def test_dialogue(
    scenario_id: str, dialogue: Dialogue, request: pytest.FixtureRequest, encode: Encode
) -> None:
    pinned = all(step.codes is not None for step in dialogue.steps)
    code_turn: CodeTurn | None = None if pinned else request.getfixturevalue("code_turn")
    result = run_dialogue(load_scenario(scenario_id), dialogue, code_turn, encode)
    assert not result.failures, "\n".join(result.failures)


@pytest.mark.parametrize("scenario_id", SCENARIOS)
def test_example_phrasings_raise_their_own_topic(scenario_id: str) -> None:
    scenario = load_scenario(scenario_id)
    wrong = []
    for topic in scenario.topics.values():
        expected = None if topic.id == "general" else topic.id
        for phrasing in topic.phrasings:
            found = detect_topic(scenario, phrasing)
            if found != expected:
                wrong.append(f"{topic.id}: {phrasing!r} -> {found}")
    assert not wrong, "\n".join(wrong)
