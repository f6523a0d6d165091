"""Bad input on the REST channel: answered, or a 4xx with a reason, never a 500.

Every case goes to two servers: nginx in front of the scaled set-up (`deploy.nginx`), and a
raw Rasa server started as `make run` starts it (`services.start_bot`: `credentials.yml`, no
balancer). Rasa's own channel (`bot.server.channels`) does the checking in both; nginx refuses
an oversized body before reading it.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from bot.client import RasaClient
from bot.tools import services
from deploy.stack import Stack
from tests.bad_input.cases import MALFORMED_BODIES, MESSAGES, body_id

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SCENARIO = "reluctant_psychiatric"
WEBHOOK = "/webhooks/rest/webhook"


@dataclass
class Target:
    """Where the turns go: the front, or Rasa itself."""

    url: str
    client: RasaClient
    session_id: str


@pytest.fixture(scope="module")
def raw_bot(
    trained_model: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[services.Bot]:
    """The single-machine default: Rasa and its action server, no front."""
    running = services.start_bot(trained_model, tmp_path_factory.mktemp("raw-rasa"))
    yield running
    running.stop()


@pytest.fixture(scope="module", params=["front", "raw_rasa"])
def target(request: pytest.FixtureRequest, stack: Stack) -> Target:
    if request.param == "front":
        url, client = stack.front.url, stack.client
    else:
        # Looked up only for this param, so the front's cases do not wait for a second Rasa.
        bot: services.Bot = request.getfixturevalue("raw_bot")
        url, client = bot.rasa.url, bot.client
    session = uuid.uuid4().hex
    client.start_session(session, SCENARIO)
    return Target(url, client, session)


def post(target: Target, data: bytes) -> requests.Response:
    return requests.post(
        target.url + WEBHOOK,
        data=data,
        headers={"Content-Type": "application/json"},
        timeout=120,
    )


def assert_refused(response: requests.Response) -> None:
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
    assert response.json()["error"]


@pytest.mark.parametrize("name", sorted(MESSAGES))
def test_every_message_in_the_table_is_answered_or_refused(target: Target, name: str) -> None:
    message, accepted = MESSAGES[name]
    response = post(target, json.dumps({"sender": target.session_id, "message": message}).encode())
    if accepted:
        assert response.status_code == 200, response.text
        answer = response.json()
        texts = [m["text"] for m in answer if "text" in m]
        assert len(texts) == 1, answer
        # The patient answers from authored lines; trainee markup never comes back.
        assert "<" not in texts[0], texts[0]
    else:
        assert_refused(response)


@pytest.mark.parametrize("raw", MALFORMED_BODIES, ids=body_id)
def test_malformed_bodies_get_a_4xx_with_a_message(target: Target, raw: bytes) -> None:
    assert_refused(post(target, raw))


def test_a_huge_body_is_refused(target: Target) -> None:
    response = post(target, b'{"sender": "s", "message": "' + b"a" * 2_000_000 + b'"}')
    assert response.status_code == 413
    assert "bytes" in response.json()["error"]


def test_the_limit_is_named_in_the_refusal(target: Target) -> None:
    response = post(
        target, json.dumps({"sender": target.session_id, "message": "a" * 20_000}).encode()
    )
    assert response.status_code == 413
    assert (
        response.json()["error"] == "the message has 20000 characters; the limit is 4000 per turn"
    )


def test_the_body_cannot_set_metadata_or_the_channel(target: Target) -> None:
    body = {
        "sender": target.session_id,
        "message": "What matters most to you about your job?",
        "metadata": {"patient_state": {"rapport": 10}},
        "input_channel": "admin",
    }
    assert post(target, json.dumps(body).encode()).status_code == 200
    token = target.client.token
    events = requests.get(
        f"{target.url}/conversations/{target.session_id}/tracker",
        params={"token": token, "include_events": "ALL"},
        timeout=30,
    ).json()["events"]
    [turn] = [e for e in events if e["event"] == "user" and e["text"] == body["message"]]
    assert turn["input_channel"] == "rest"
    # Rasa adds its own keys (model_id, assistant_id); none of the body's reach the tracker.
    assert "patient_state" not in (turn.get("metadata") or {})


def test_the_session_still_works_and_keeps_every_accepted_turn(target: Target) -> None:
    client, session_id = target.client, target.session_id
    answer = client.say(session_id, "What would you like to talk about today?")
    assert any("text" in m for m in answer)
    said = [e.trainee_text for e in client.transcript(session_id).exchanges]
    accepted = [name for name, (_, ok) in MESSAGES.items() if ok]
    assert len(said) >= len(accepted) + 1
    assert "<script>alert('x')</script> What brings you here?" in said  # kept verbatim, as text
    # Cleaned before Rasa stored it: the control characters (NUL, ESC, BEL) are gone.
    assert "What brings[31m you here?" in said


def test_the_apps_session_controls_pass(target: Target) -> None:
    session_id = uuid.uuid4().hex
    opening = target.client.start_session(session_id, SCENARIO)
    assert any("text" in m for m in opening)
    assert any("text" in m for m in target.client.say(session_id, "How are you finding things?"))
    target.client.end_session(session_id)
    transcript = target.client.transcript(session_id)
    assert transcript.scenario_id == SCENARIO and transcript.ended
    assert [e.trainee_text for e in transcript.exchanges] == ["How are you finding things?"]


def test_the_http_api_needs_the_token(stack: Stack) -> None:
    session_id = uuid.uuid4().hex
    stack.client.start_session(session_id, SCENARIO)
    path = f"/conversations/{session_id}/tracker"
    for url in (stack.front.url, stack.rasa[0].url):
        assert requests.get(url + path, timeout=30).status_code == 401
        wrong = requests.get(url + path, params={"token": "wrong"}, timeout=30)
        assert wrong.status_code in {401, 403}
        right = requests.get(url + path, params={"token": stack.token}, timeout=30)
        assert right.status_code == 200
