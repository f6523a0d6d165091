"""Rasa's REST channel, checked: a bad body gets a 4xx, an unanswered turn a 503 that says why."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.server.guard import MAX_MESSAGE_CHARS, NO_ANSWER, UNAVAILABLE, BadTurn, check_turn

logger = logging.getLogger(__name__)


class CheckedRestInput(RestInput):
    """The REST channel (`/webhooks/rest/webhook`, same URL and answers) behind `bot.server.guard`.

    Rasa 3.6's own channel reads ``request.json`` unchecked: an empty body, a JSON list,
    ``null`` or a string raise inside the handler (500), and a missing or non-string
    ``message`` is passed on as a turn that answers nothing (200, ``[]``). Here every POST is
    checked before the handler runs and the handler only sees the cleaned sender and message.
    Its answer is checked too (see `answer_in_words`): Rasa answers a turn whose action failed
    with 200 and nothing, which a trainee would see as silence.

    Registered in ``credentials.yml`` by its module path; ``max_chars`` there may lower the
    per-turn limit, never raise it above ``MAX_MESSAGE_CHARS`` (what the coder reads).
    """

    def __init__(self, max_chars: int = MAX_MESSAGE_CHARS) -> None:
        self.max_chars = max_chars

    @classmethod
    def name(cls) -> str:
        # The name is the URL prefix: "rest" keeps the address the app and the balancer use.
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> CheckedRestInput:
        """The channel as configured in ``credentials.yml`` (no settings are required)."""
        credentials = credentials or {}
        return cls(min(int(credentials.get("max_chars") or MAX_MESSAGE_CHARS), MAX_MESSAGE_CHARS))

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Rasa's REST blueprint with the check as request middleware on its routes."""
        webhook = super().blueprint(on_new_message)

        # Blueprint middleware runs for this channel's routes only; the one POST is the turn.
        # (Sanic's lazy Blueprint.middleware takes a plain function, not a bound method.)
        @webhook.middleware("request")
        async def check(request: Request) -> HTTPResponse | None:
            if request.method != "POST":
                return None
            try:
                request.ctx.turn = check_turn(request.body, self.max_chars)
            except BadTurn as bad:
                return _error(bad.status, bad.message)
            return None

        @webhook.middleware("response")
        async def explain(request: Request, answer: HTTPResponse) -> HTTPResponse | None:
            return answer_in_words(request.method, answer)

        return webhook

    async def _extract_sender(self, req: Request) -> str:
        return str(req.ctx.turn.sender)

    def _extract_message(self, req: Request) -> str:
        return str(req.ctx.turn.message)

    def _extract_input_channel(self, req: Request) -> str:
        # The body's "input_channel" and "metadata" are not the trainee's to set: the turn
        # is stored as coming from this channel, with no metadata.
        return self.name()

    def get_metadata(self, request: Request) -> dict[str, Any] | None:
        """No metadata is taken from the body (see `_extract_input_channel`)."""
        return None


def _error(status: int, message: str) -> HTTPResponse:
    # json.dumps: Sanic's default encoder escapes every "/" in the reasons.
    return response.json({"error": message}, status=status, dumps=json.dumps)


def answer_in_words(method: str, answer: HTTPResponse) -> HTTPResponse | None:
    """The answer to send instead of ``answer`` to a turn, or None to send it as it is.

    Every turn the app sends gets at least one message (the patient's words or an error
    payload), so an empty list means an action failed (the action server down past its retry
    window, see `bot.server.action_endpoint`): the turn is stored, unanswered, and the trainee
    is told so. A 5xx means Rasa failed on the turn; it is answered like a server that is down.
    """
    body = getattr(answer, "body", None)
    if method != "POST" or body is None:
        return None  # the health check, or a streamed answer (`?stream=true`)
    if answer.status >= 500:
        logger.warning("a turn failed with %s: %s", answer.status, bytes(body)[:300])
        return _error(503, UNAVAILABLE)
    if answer.status == 200 and bytes(body).strip() in {b"[]", b""}:
        return _error(503, NO_ANSWER)
    return None
