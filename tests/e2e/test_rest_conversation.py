"""A scripted session through the real Rasa server, action server and REST channel."""

from __future__ import annotations

import uuid

import pytest

from bot.scenario import load_scenario
from bot.tools import services
from scoring import CODES, session_report

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SCENARIO = "reluctant_psychiatric"
SCRIPT = [
    "Hi, thanks for coming in today. What would you like to talk about?",
    "So you're not sure this appointment is worth your time.",
    "You've kept going to work even though you're exhausted, that takes real determination.",
    "You need to take your medication every day, that's all there is to it.",
    "Are you a bot?",
    "On the one hand you hate how services treated you, and on the other you want to sleep again.",
]


def play(bot: services.Bot, session_id: str) -> list[list[dict]]:
    replies = [bot.client.start_session(session_id, SCENARIO)]
    replies.extend(bot.client.say(session_id, text) for text in SCRIPT)
    return replies


def test_scripted_session_is_answered_from_the_scenario_and_every_turn_is_coded(
    bot: services.Bot,
) -> None:
    scenario = load_scenario(SCENARIO)
    authored = {line.text for line in scenario.lines_by_id().values()}
    session_id = uuid.uuid4().hex

    replies = play(bot, session_id)

    opening = [m["text"] for m in replies[0] if "text" in m]
    assert opening == [scenario.persona.opening_line]
    for sent, answer in zip(SCRIPT, replies[1:], strict=True):
        texts = [m["text"] for m in answer if "text" in m]
        assert len(texts) == 1, f"{sent!r} got {answer!r}"
        assert texts[0] in authored, f"{texts[0]!r} is not a line of the scenario"
        assert any("turn" in m.get("custom", {}) for m in answer), answer

    transcript = bot.client.transcript(session_id)
    assert transcript.scenario_id == SCENARIO
    assert [e.trainee_text for e in transcript.exchanges] == SCRIPT
    for exchange in transcript.exchanges:
        assert exchange.codings, f"{exchange.trainee_text!r} was not coded"
        assert all(coding.code in CODES for coding in exchange.codings)
        assert exchange.talk in {"change", "sustain", "neutral", "discord"}
    # The unsolicited "you need to" turn is pressure, whatever else the coder says.
    advice = transcript.exchanges[3]
    assert any(c.code in {"persuade", "confront"} for c in advice.codings), advice.codings


def test_ended_session_refuses_further_turns(bot: services.Bot) -> None:
    session_id = uuid.uuid4().hex
    bot.client.start_session(session_id, SCENARIO)
    bot.client.say(session_id, "What brings you here today?")
    bot.client.end_session(session_id)

    after = bot.client.say(session_id, "One more thing?")

    assert all("text" not in message for message in after)
    assert any("error" in message.get("custom", {}) for message in after)
    assert bot.client.transcript(session_id).ended


def test_session_and_report_survive_a_restart_of_every_service(trained_model, tmp_path) -> None:
    first = services.start_bot(trained_model, tmp_path / "first")
    session_id = uuid.uuid4().hex
    try:
        play(first, session_id)
        first.client.end_session(session_id)
        before = first.client.transcript(session_id)
    finally:
        first.stop()

    second = services.start_bot(trained_model, tmp_path / "second", tracker_db=first.tracker_db)
    try:
        after = second.client.transcript(session_id)
    finally:
        second.stop()

    assert after.ended
    assert [e.trainee_text for e in after.exchanges] == SCRIPT
    assert [e.patient_text for e in after.exchanges] == [e.patient_text for e in before.exchanges]
    assert (
        session_report(after.codings_per_turn).to_dict()
        == session_report(before.codings_per_turn).to_dict()
    )


def test_rasa_starts_with_a_token_that_begins_with_a_dash(
    trained_model, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # secrets.token_urlsafe gives such a token about once in 64 starts; passed as two
    # arguments, argparse took it for an option and Rasa refused to start.
    workdir = tmp_path_factory.mktemp("dash-token")
    token = "-dash-first-token"
    rasa = services.start_rasa_server(
        trained_model, services.free_port(), services.free_port(), workdir / "t.db", token, workdir
    )
    try:
        services.wait_until_ready(rasa, f"/status?token={token}")
    finally:
        services.stop([rasa])
