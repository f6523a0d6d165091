"""Faults mid-session: the action server killed, the Rasa server killed; nothing is lost."""

from __future__ import annotations

import threading
import uuid

import pytest

from bot.client import RasaUnavailable
from bot.tools import services
from deploy.stack import Stack

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SCENARIO = "reluctant_psychiatric"
TURNS = [
    "What brings you in today?",
    "It sounds like part of you isn't sure this is worth your time.",
    "What would you like to be different?",
    "You've kept going through a lot.",
]


def answered(messages: list[dict]) -> bool:
    return any("text" in m for m in messages)


def restart_actions(stack: Stack) -> None:
    stack.actions[0] = services.restart(stack.actions[0])
    stack.all[0] = stack.actions[0]
    services.wait_until_ready(stack.actions[0], "/health")


def restart_rasa(stack: Stack) -> None:
    index = stack.all.index(stack.rasa[0])
    stack.rasa[0] = services.restart(stack.rasa[0])
    stack.all[index] = stack.rasa[0]
    services.wait_until_ready(stack.rasa[0], f"/status?token={stack.token}")


def test_action_server_killed_then_back_within_the_retry_window_loses_nothing(
    stack: Stack,
) -> None:
    session = uuid.uuid4().hex
    stack.client.start_session(session, SCENARIO)
    assert answered(stack.client.say(session, TURNS[0]))

    services.kill(stack.actions[0])
    # Brought back at once, as a supervisor would: Rasa holds the turn until it answers.
    restarter = threading.Thread(target=restart_actions, args=(stack,))
    restarter.start()
    reply = stack.client.say(session, TURNS[1])
    restarter.join()

    assert answered(reply), reply
    transcript = stack.client.transcript(session)
    assert [e.trainee_text for e in transcript.exchanges] == TURNS[:2]
    assert all(e.codings for e in transcript.exchanges)


def test_action_server_down_gives_a_clear_message_and_the_session_continues(
    stack: Stack,
) -> None:
    session = uuid.uuid4().hex
    stack.client.start_session(session, SCENARIO)
    assert answered(stack.client.say(session, TURNS[0]))

    services.kill(stack.actions[0])
    try:
        with pytest.raises(RasaUnavailable) as down:
            stack.client.say(session, TURNS[1])
    finally:
        restart_actions(stack)
    assert "503" in str(down.value)
    assert "action server is unavailable" in str(down.value)

    assert answered(stack.client.say(session, TURNS[2]))
    transcript = stack.client.transcript(session)
    # The unanswered turn is kept, in order; only its coding is missing.
    assert [e.trainee_text for e in transcript.exchanges] == TURNS[:3]
    assert [bool(e.codings) for e in transcript.exchanges] == [True, False, True]


def test_rasa_killed_mid_session_resumes_from_the_tracker_store(stack: Stack) -> None:
    session = uuid.uuid4().hex
    stack.client.start_session(session, SCENARIO)
    for text in TURNS[:2]:
        assert answered(stack.client.say(session, text))
    before = stack.client.transcript(session)

    services.kill(stack.rasa[0])
    try:
        with pytest.raises(RasaUnavailable) as down:
            stack.client.say(session, TURNS[2])
    finally:
        restart_rasa(stack)
    assert "503" in str(down.value) and "session is saved" in str(down.value)

    for text in TURNS[2:]:
        assert answered(stack.client.say(session, text))
    after = stack.client.transcript(session)
    assert after.scenario_id == SCENARIO
    assert [e.trainee_text for e in after.exchanges] == TURNS
    # The patient's state went on from where it was, not from the scenario's start.
    assert after.exchanges[1].state == before.exchanges[1].state
    assert after.exchanges[2].state != {}
