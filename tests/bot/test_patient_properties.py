"""Properties that hold for any sequence of trainee behaviour, in every scenario."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.patient import PatientState, respond, start_state
from bot.patient.replay import PinnedCoding
from bot.scenario import LAYERS, STAGES, TALKS, list_scenarios, load_scenario
from bot.scenario.model import MITI_CODES

INTENTS = ("greet", "bot_challenge", "off_topic", "nlu_fallback", None)
TEXTS = (
    "How have you been sleeping?",
    "You're worried about what people think.",
    "What matters most to you?",
    "You need to stop this now.",
    "Hello!",
    "asdf qwer",
    "Tell me about work and your family.",
)
turn_st = st.tuples(
    st.lists(st.sampled_from(MITI_CODES), min_size=1, max_size=3),
    st.sampled_from(TEXTS),
    st.sampled_from(INTENTS),
)


# database=None: no .hypothesis/ directory left in the work tree.
@settings(max_examples=60, deadline=None, database=None)
@given(
    scenario_id=st.sampled_from(list_scenarios()),
    seed=st.integers(0, 2**31),
    turns=st.lists(turn_st, min_size=1, max_size=25),
)
def test_any_session_keeps_the_state_sane(scenario_id, seed, turns) -> None:
    scenario = load_scenario(scenario_id)
    state = start_state(scenario, seed=seed)
    lines = scenario.lines_by_id()
    for codes, text, intent in turns:
        reply = respond(scenario, state, [PinnedCoding(text, c) for c in codes], text=text,
                        intent=intent or codes[0])  # fmt: skip
        new = reply.state
        assert reply.text and reply.talk in TALKS
        assert lines[reply.line_id].talk == reply.talk, "the label comes from the line"
        assert new.turn == state.turn + 1
        for scale in ("rapport", "discord", "readiness"):
            assert 0 <= getattr(new, scale) <= 10
        assert new.readiness - state.readiness <= 1.0
        if new.readiness > state.readiness:
            assert reply.talk == "change" and "confront" not in codes
        assert abs(STAGES.index(new.stage) - STAGES.index(state.stage)) <= 1
        assert LAYERS.index(new.layer) - LAYERS.index(state.layer) <= 1
        assert PatientState.from_dict(json.loads(json.dumps(new.to_dict()))) == new
        if "abstinence" in lines[reply.line_id].tags and scenario.rules.harm_reduction:
            assert new.turn >= scenario.rules.abstinence_min_turn
        state = new
    # Shared lines and answers to questions may recur (the same fact, asked again).
    shared = ("in_role.", "short_answers.", "fact.", "risk.", "permission.")
    said = [i for i in state.used if not i.startswith(shared)]
    assert len(said) == len(set(said)) or len(said) > 100
