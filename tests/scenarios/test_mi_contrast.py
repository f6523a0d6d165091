"""MI-consistent scripts draw more change talk than MI-inconsistent ones, in every scenario."""

from __future__ import annotations

import pytest

from bot.patient.replay import replay
from bot.scenario import GENERAL_TOPIC, Scenario, list_scenarios, load_scenario

# Same length, same topics; only the trainee's behaviour differs (codes pinned).
CONSISTENT = [
    "question_open", "reflection_complex", "reflection_simple", "affirm", "question_open",
    "reflection_complex", "seeking_collaboration", "persuade_with_permission",
    "emphasizing_autonomy", "reflection_complex", "question_open", "reflection_complex",
]  # fmt: skip
INCONSISTENT = [
    "question_closed", "persuade", "confront", "giving_information", "persuade",
    "question_closed", "confront", "persuade", "giving_information", "confront",
    "question_closed", "persuade",
]  # fmt: skip
SEEDS = range(5)
PUSHES = ("persuade", "confront")


def _script(scenario: Scenario, codes: list[str]) -> list[tuple[str, list[str] | None]]:
    topics = [t for t in scenario.topics.values() if t.id != GENERAL_TOPIC]
    turns: list[tuple[str, list[str] | None]] = []
    for i, code in enumerate(codes):
        topic = topics[(i // 2) % len(topics)]
        text = topic.phrasings[0] if topic.phrasings else f"Tell me about {topic.label.lower()}."
        turns.append((text, [code]))
    return turns


def _share(replies: list) -> float:
    return sum(r.talk == "change" for r in replies) / len(replies)


@pytest.mark.parametrize("scenario_id", list_scenarios())
@pytest.mark.parametrize("seed", SEEDS)
def test_consistent_script_beats_inconsistent(scenario_id: str, seed: int) -> None:
    scenario = load_scenario(scenario_id)
    good = replay(scenario, _script(scenario, CONSISTENT), seed=seed)
    bad = replay(scenario, _script(scenario, INCONSISTENT), seed=seed)
    assert good[-1].state.rapport > bad[-1].state.rapport
    assert good[-1].state.discord < bad[-1].state.discord
    assert not any(r.talk == "discord" for r in good)


@pytest.mark.parametrize("scenario_id", list_scenarios())
def test_consistent_script_beats_inconsistent_on_average(scenario_id: str) -> None:
    # Talk is drawn as real clients' is (mostly neutral, with momentum), so one session can
    # go either way; over twenty the contrast is large.
    scenario = load_scenario(scenario_id)
    good = [replay(scenario, _script(scenario, CONSISTENT), seed=s) for s in range(20)]
    bad = [replay(scenario, _script(scenario, INCONSISTENT), seed=s) for s in range(20)]
    assert sum(map(_share, good)) / 20 >= 0.2
    assert sum(map(_share, good)) >= 3 * sum(map(_share, bad))
    pushed = [
        reply.talk
        for session in bad
        for reply, code in zip(session, INCONSISTENT, strict=True)
        if code in PUSHES
    ]
    assert sum(talk in ("sustain", "discord") for talk in pushed) > len(pushed) / 2
