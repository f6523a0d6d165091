"""Rasa's REST channel with every turn checked first: a bad body gets a 4xx, never a 500."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.server.guard import MAX_MESSAGE_CHARS, BadTurn, check_turn


class CheckedRestInput(RestInput):
    """The REST channel (`/webhooks/rest/webhook`, same URL and answers) behind `bot.server.guard`.

    Rasa 3.6's own channel reads ``request.json`` unchecked: an empty body, a JSON list,
    ``null`` or a string raise inside the handler (500), and a missing or non-string
    ``message`` is passed on as a turn that answers nothing (200, ``[]``). Here every POST is
    checked before the handler runs and the handler only sees the cleaned sender and message.

    Registered in ``credentials.yml`` by its module path; ``max_chars`` there may lower the
    per-turn limit, never raise it above ``MAX_MESSAGE_CHARS`` (what the coder reads).
    """

    def __init__(self, max_chars: int = MAX_MESSAGE_CHARS) -> None:
        self.max_chars = max_chars

    @classmethod
    def name(cls) -> str:
        # The name is the URL prefix: "rest" keeps the address the app and the front use.
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
                # json.dumps: Sanic's default encoder escapes every "/" in the reasons.
                return response.json({"error": bad.message}, status=bad.status, dumps=json.dumps)
            return None

        return webhook

    async def _extract_sender(self, req: Request) -> str:
        return str(req.ctx.turn.sender)

    def _extract_message(self, req: Request) -> str:
        return str(req.ctx.turn.message)

    def _extract_input_channel(self, req: Request) -> str:
        # The body's "input_channel" and "metadata" are not the trainee's to set: the turn
        # is stored as coming from this channel, with no metadata, as through the front.
        return self.name()

    def get_metadata(self, request: Request) -> dict[str, Any] | None:
        """No metadata is taken from the body (see `_extract_input_channel`)."""
        return None
