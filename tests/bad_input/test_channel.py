"""`credentials.yml` gives Rasa the checked REST channel, at the built-in channel's URL.

What the channel answers is tested on the real Rasa server in
`tests/deploy/test_rest_bad_input.py`; this only guards the wiring, without a server.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rasa.core.run import create_http_input_channels
from sanic import response

from bot.server.channels import CheckedRestInput, answer_in_words
from bot.server.guard import MAX_MESSAGE_CHARS, NO_ANSWER, UNAVAILABLE

ROOT = Path(__file__).resolve().parents[2]


def test_credentials_register_the_checked_channel_as_rest() -> None:
    [channel] = create_http_input_channels(None, str(ROOT / "credentials.yml"))
    assert isinstance(channel, CheckedRestInput)
    # The URL prefix: /webhooks/rest/webhook, where the app and the balancer send turns.
    assert channel.url_prefix() == "rest"
    assert channel.max_chars == MAX_MESSAGE_CHARS


def test_the_limit_can_be_set_in_the_credentials() -> None:
    assert CheckedRestInput.from_credentials({"max_chars": 800}).max_chars == 800


@pytest.mark.parametrize(
    ("answer", "status", "error"),
    [
        (response.json([]), 503, NO_ANSWER),  # an action failed: the turn is stored, unanswered
        (response.text("boom", status=500), 503, UNAVAILABLE),
    ],
)
def test_a_turn_left_unanswered_is_told_why(
    answer: response.HTTPResponse, status: int, error: str
) -> None:
    said = answer_in_words("POST", answer)
    assert said is not None and said.status == status
    assert json.loads(bytes(said.body or b"")) == {"error": error}


def test_answers_and_refusals_pass_unchanged() -> None:
    assert answer_in_words("POST", response.json([{"text": "Hello."}])) is None
    assert answer_in_words("POST", response.json({"error": "empty"}, status=400)) is None
    assert answer_in_words("GET", response.json([])) is None
