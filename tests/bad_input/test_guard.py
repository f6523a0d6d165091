"""The REST front's turn check: every bad body is refused with a 4xx and a reason."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.server.guard import MAX_MESSAGE_CHARS, BadTurn, check_turn
from tests.bad_input.cases import MALFORMED_BODIES, MESSAGES, body_id


def body(message: object, sender: object = "session-1") -> bytes:
    return json.dumps({"sender": sender, "message": message}).encode("utf-8")


@pytest.mark.parametrize("name", sorted(MESSAGES))
def test_every_message_in_the_table_is_accepted_or_refused_with_a_reason(name: str) -> None:
    message, accepted = MESSAGES[name]
    if accepted:
        turn = check_turn(body(message))
        assert turn.message.strip()
        assert len(turn.message) <= MAX_MESSAGE_CHARS
        turn.message.encode("utf-8")  # no lone surrogates reach Rasa or the coder
    else:
        with pytest.raises(BadTurn) as refused:
            check_turn(body(message))
        assert 400 <= refused.value.status < 500
        assert refused.value.message


def test_the_limit_is_named_in_the_refusal() -> None:
    with pytest.raises(BadTurn) as refused:
        check_turn(body("a" * 20_000))
    assert refused.value.status == 413
    assert str(MAX_MESSAGE_CHARS) in refused.value.message


@pytest.mark.parametrize("raw", MALFORMED_BODIES, ids=body_id)
def test_malformed_bodies_are_refused_with_a_4xx(raw: bytes) -> None:
    with pytest.raises(BadTurn) as refused:
        check_turn(raw)
    assert 400 <= refused.value.status < 500
    assert refused.value.message


def test_session_controls_the_app_sends_pass() -> None:
    start = '/start_session{"scenario_id": "reluctant_psychiatric"}'
    assert check_turn(body(start)).message == start
    assert check_turn(body("/end_session")).message == "/end_session"


@given(st.binary(max_size=300))
def test_any_bytes_are_either_a_turn_or_a_4xx(raw: bytes) -> None:
    try:
        turn = check_turn(raw)
    except BadTurn as refused:
        assert 400 <= refused.status < 500
    else:
        assert turn.message.strip() and turn.sender


@given(st.text(max_size=6000), st.text(min_size=1, max_size=40))
def test_any_text_is_either_a_clean_turn_or_a_4xx(message: str, sender: str) -> None:
    try:
        turn = check_turn(body(message, sender))
    except BadTurn as refused:
        assert 400 <= refused.status < 500
    else:
        assert turn.message == turn.message.strip()
        assert 0 < len(turn.message) <= MAX_MESSAGE_CHARS
        turn.message.encode("utf-8")
        json.loads(turn.body())
