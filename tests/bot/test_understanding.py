"""The patient answers what it is asked: facts, risk, leave to share, the question in a mixed turn.

These run on words alone (no encoder), on a small scenario written here; the shipped
scenarios' probes run with the real encoder and coder in tests/scenarios.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from bot.patient import respond, start_state
from bot.patient.replay import PinnedCoding, replay
from bot.patient.understand import understand
from bot.scenario import Scenario, ScenarioError, load_scenario
from tests.bot.test_scenario_loading import MINIMAL, _problems, _write

FACTS = """\
difficulty: resistant
facts:
  age:
    ask: ["How old are you?", "What age are you?"]
    keywords: [old, age]
    answer: "Thirty."
  drinking:
    ask: ["Do you drink alcohol?", "How much do you drink?"]
    keywords: [drink, alcohol, beer]
    answer: "A few beers most nights."
    detail: "A few beers most nights. More at the weekend, if I'm honest."
    topic: sleep
  prison:
    ask: ["Have you ever been in prison?"]
    keywords: [prison, jail]
    answer: "Two years, a long time ago."
    rapport: 6
    deflect: "That's not something I talk about with people I've just met."
risk:
  suicidal_thoughts: passive
  rapport: 5
  answers:
    suicidal_thoughts:
      open: "Sometimes I think it would be easier not to wake up."
      guarded: "I get low. I'm not going to do anything, if that's what you mean."
permission:
  yes: ["Go on."]
  reluctant: ["If you have to."]
  no: ["Not now."]
"""


@pytest.fixture()
def tiny(tmp_path: Path) -> Scenario:
    return load_scenario("tiny", _write(tmp_path, MINIMAL + FACTS))


def ask(scenario: Scenario, text: str, code: str = "question_closed", **start: float):
    state = start_state(scenario).evolve(**start)
    return respond(scenario, state, [PinnedCoding(text, code)], text=text, intent=code)


def test_closed_question_gets_the_fact_short_and_true(tiny: Scenario) -> None:
    reply = ask(tiny, "And how old are you?")
    assert (reply.kind, reply.fact, reply.text) == ("fact", "age", "Thirty.")
    assert reply.talk == "neutral"


def test_open_question_gets_the_fuller_answer(tiny: Scenario) -> None:
    reply = ask(tiny, "Tell me how much you drink.", "question_open")
    assert reply.fact == "drinking"
    assert reply.text.startswith("A few beers most nights. More at the weekend")


def test_the_question_after_a_reflection_is_answered(tiny: Scenario) -> None:
    text = "Sleep has been hard for you. How old are you?"
    codings = [
        PinnedCoding("Sleep has been hard for you.", "reflection_simple"),
        PinnedCoding("How old are you?", "question_closed"),
    ]
    reply = respond(tiny, start_state(tiny), codings, text=text, intent="reflection_simple")
    assert reply.fact == "age" and reply.text == "Thirty."
    assert reply.state.rapport > start_state(tiny).rapport, "the reflection still counts"


def test_a_guarded_fact_is_deflected_never_denied(tiny: Scenario) -> None:
    early = ask(tiny, "Have you ever been in prison?")
    assert early.text == "That's not something I talk about with people I've just met."
    assert "prison" not in early.state.facts_told
    later = ask(tiny, "Have you ever been in prison?", rapport=7)
    assert later.text == "Two years, a long time ago."
    assert later.state.facts_told == ("prison",)


def test_a_fact_asked_again_is_the_same_fact(tiny: Scenario) -> None:
    turns = [("How old are you?", ["question_closed"])] * 2
    first, second = replay(tiny, turns)
    assert first.text == "Thirty."
    assert second.text.startswith("Like I said, thirty.")


def test_risk_is_answered_from_the_profile_guarded_then_open(tiny: Scenario) -> None:
    question = "Have you had any thoughts of ending your life?"
    guarded = ask(tiny, question)
    assert guarded.kind == "risk" and guarded.risk == "suicidal_thoughts"
    assert guarded.text.startswith("I get low.")
    open_ = ask(tiny, question, rapport=6)
    assert open_.text == "Sometimes I think it would be easier not to wake up."


def test_a_risk_the_patient_does_not_carry_is_denied(tiny: Scenario) -> None:
    reply = ask(tiny, "Are you hearing voices at the moment?")
    assert reply.kind == "risk" and reply.risk == ""  # asked, nothing disclosed
    assert reply.text.startswith("No")


def test_permission_is_answered_and_shapes_the_next_turn(tiny: Scenario) -> None:
    request = "Would it be all right if I shared some information about sleep?"
    refused = ask(tiny, request, "seeking_collaboration", discord=6)
    assert (refused.kind, refused.permission, refused.text) == ("permission", "no", "Not now.")
    agreed = ask(tiny, request, "seeking_collaboration", rapport=6, discord=1)
    assert agreed.permission == "yes" and agreed.text == "Go on."
    info = "Alcohol helps you drop off but wakes you later in the night."
    after_yes = respond(tiny, agreed.state, [PinnedCoding(info, "giving_information")], text=info)
    after_no = respond(tiny, refused.state, [PinnedCoding(info, "giving_information")], text=info)
    assert after_no.state.discord - refused.state.discord > after_yes.state.discord - 1
    assert any("said no to hearing it" in c for c in after_no.changes)


def test_difficulty_slows_rapport(tmp_path: Path) -> None:
    standard = load_scenario("tiny", _write(tmp_path, MINIMAL))
    resistant = load_scenario("tiny", _write(tmp_path, MINIMAL + "difficulty: resistant\n"))
    text = "You've kept going through a lot."
    gains = [
        ask(s, text, "reflection_complex").state.rapport - s.start.rapport
        for s in (standard, resistant)
    ]
    assert gains == [1.0, 0.5]


def test_evocative_and_status_quo_questions_are_recognised(tiny: Scenario) -> None:
    evocative = understand(tiny, "What would be better if you slept more?", [])
    status_quo = understand(tiny, "What do you like about drinking?", [])
    assert (evocative.evokes, status_quo.evokes) == ("change", "sustain")


def test_double_sided_reflection_is_recognised(tiny: Scenario) -> None:
    text = "Part of you wants to sleep better, and part of you needs the beers to unwind."
    reading = understand(tiny, text, [PinnedCoding(text, "reflection_complex")])
    assert reading.reflected == "both"


def test_risk_lines_are_never_volunteered(tmp_path: Path) -> None:
    tagged = MINIMAL.replace(
        '      sustain: ["I sleep fine."]',
        '      sustain: ["I sleep fine."]\n      neutral:\n'
        '        - {text: "Some nights I wish I wouldn\'t wake up.", tags: [suicidal_thoughts]}',
    )
    scenario = load_scenario("tiny", _write(tmp_path, tagged + FACTS))
    assert scenario.risk_disclosures()["Some nights I wish I wouldn't wake up."] == (
        "suicidal_thoughts"
    )
    # Forty neutral turns that never name sleep: the risk line is never said.
    replies = replay(scenario, [("Mm.", ["other"])] * 40)
    assert all(r.risk == "" for r in replies)
    asked = ask(scenario, "How is your sleep?", "question_open", rapport=8)
    assert asked.topic == "sleep"


def test_validator_names_risk_and_fact_mistakes(tmp_path: Path) -> None:
    bad = (
        MINIMAL.replace('["I sleep fine."]', '[{text: "I sleep fine.", tags: [self_harm]}]')
        + "facts:\n  age:\n    ask: [How old are you?]\n    answer: Thirty.\n    topic: slep\n"
        + "risk:\n  overdose: at_risk\n"
    )
    problems = "\n".join(_problems(tmp_path, bad))
    assert "facts.age.topic: no topic 'slep' (did you mean 'sleep'?)" in problems
    assert "risk.answers.overdose: risk 'overdose' is 'at_risk', so it needs an 'open'" in problems
    assert "tagged 'self_harm' but the risk profile gives 'self_harm: none'" in problems


def test_a_scenario_without_facts_loads_with_warnings(tmp_path: Path) -> None:
    scenario = load_scenario("tiny", _write(tmp_path, MINIMAL))
    warnings = [str(w) for w in scenario.warnings]
    assert any("no 'facts'" in w for w in warnings)
    assert any("no 'risk' profile" in w for w in warnings)
    with pytest.raises(ScenarioError):
        load_scenario("tiny", _write(tmp_path, MINIMAL + "difficulty: hard\n"))


def test_check_command_prints_warnings(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    from bot.scenario.__main__ import main

    _write(tmp_path, MINIMAL)
    assert main(["check", str(tmp_path / "tiny.yml")]) == 0
    out = capsys.readouterr().out
    assert "warning: <file>: no 'facts'" in out
    assert textwrap.dedent("tiny: ok") in out


@pytest.mark.parametrize(
    ("text", "urges"),
    [
        ("You really need to stop using heroin before it kills you.", True),
        ("You've got to give it up, mate.", True),
        ("I think you should come off it.", True),
        ("Have you thought about stopping?", False),
        ("What would it take to stop?", False),
        # Stopping a risky way of using is harm reduction's own advice, not abstinence.
        ("You need to stop sharing needles.", False),
        ("Stop using alone.", False),
        ("You should stop injecting in your neck.", False),
    ],
)
def test_being_told_to_stop_altogether_is_told_from_safer_use_advice(
    tiny: Scenario, text: str, urges: bool
) -> None:
    assert understand(tiny, text, [], "").urges_stop is urges
