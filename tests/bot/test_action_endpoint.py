"""Rasa's calls to the action server are repeated while no server takes them, and only then."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from aiohttp import web
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.core.utils import AvailableEndpoints
from rasa.utils.endpoints import ClientResponseError

from bot.server.action_endpoint import (
    RetryingActionEndpoint,
    check_answers_with_one_validator,
    use_retrying_action_endpoint,
)
from bot.tools import services

ROOT = Path(__file__).resolve().parents[2]


async def _serve(port: int, status: int, hits: list[int], after: float = 0.0) -> web.AppRunner:
    await asyncio.sleep(after)

    async def webhook(request: web.Request) -> web.Response:
        hits.append(status)
        return web.json_response({"events": []}, status=status)

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, services.HOST, port).start()
    return runner


def _call(endpoint: RetryingActionEndpoint) -> object:
    return endpoint.request(json={"next_action": "action_patient_reply"}, method="post")


def test_a_call_waits_for_an_action_server_that_comes_back() -> None:
    port, hits = services.free_port(), []
    endpoint = RetryingActionEndpoint(5.0, url=f"http://{services.HOST}:{port}/webhook")

    async def scenario() -> object:
        # Nothing listens yet: the server "restarts" while the call is waiting.
        starting = asyncio.create_task(_serve(port, 200, hits, after=0.6))
        answer = await _call(endpoint)  # type: ignore[misc]
        await (await starting).cleanup()
        return answer

    assert asyncio.run(scenario()) == {"events": []}
    assert hits == [200]


def test_without_a_window_a_refused_call_fails_at_once() -> None:
    endpoint = RetryingActionEndpoint(0.0, url=f"http://{services.HOST}:{services.free_port()}")
    with pytest.raises(Exception, match="Cannot connect"):
        asyncio.run(_call(endpoint))  # type: ignore[arg-type]


@pytest.mark.parametrize(("status", "repeated"), [(502, True), (500, False)])
def test_only_a_call_no_server_took_is_repeated(status: int, repeated: bool) -> None:
    port, hits = services.free_port(), []
    endpoint = RetryingActionEndpoint(0.7, url=f"http://{services.HOST}:{port}/webhook")

    async def scenario() -> None:
        runner = await _serve(port, status, hits)
        try:
            with pytest.raises(ClientResponseError):
                await _call(endpoint)  # type: ignore[misc]
        finally:
            await runner.cleanup()

    asyncio.run(scenario())
    # A balancer's 502 means no server took the call: tried at 0, 0.2 and 0.6 s (how many of
    # those fit the window depends on how busy the machine is). A 500 means an action server
    # ran it and failed: not repeated.
    assert len(hits) >= 2 if repeated else len(hits) == 1


def test_the_launcher_makes_rasa_read_the_retrying_endpoint(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Undone after the test: other tests see Rasa's own reader.
    monkeypatch.setattr(
        AvailableEndpoints, "read_endpoints", AvailableEndpoints.__dict__["read_endpoints"]
    )
    monkeypatch.setenv("ACTION_SERVER_URL", "http://127.0.0.1:5055/webhook")
    monkeypatch.setenv("TRACKER_DB", "unused.db")
    use_retrying_action_endpoint(12.0)
    use_retrying_action_endpoint(12.0)  # a second call changes nothing

    endpoints = AvailableEndpoints.read_endpoints(str(ROOT / "endpoints.yml"))

    assert isinstance(endpoints.action, RetryingActionEndpoint)
    assert endpoints.action.url == "http://127.0.0.1:5055/webhook"
    assert endpoints.action.retry_seconds == 12.0
    assert endpoints.tracker_store is not None and endpoints.tracker_store.type


def test_answers_are_checked_against_the_schema_as_rasa_checks_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(
        RemoteAction, "_validate_action_result", RemoteAction._validate_action_result
    )
    check_answers_with_one_validator()
    check_answers_with_one_validator()  # a second call changes nothing
    action = RemoteAction("action_patient_reply", None)
    good = {"events": [{"event": "slot", "name": "s", "value": 1}], "responses": [{"text": "Hi"}]}
    assert action._validate_action_result(good)
    # A wrong answer still gets Rasa's own error, pointing to its custom action docs.
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        action._validate_action_result({"events": "not a list"})
