"""Checks a REST-channel turn before it reaches Rasa: every bad body gets a 4xx and a reason.

Pure Python, no Rasa import: Rasa's own REST channel (`bot.server.channels`) applies the checks,
the client (`bot.client`) the same limits, and the balancer of the scaled deployment
(`deploy.nginx`) the body limit and the wording of a fault.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

#: The longest trainee message accepted, and the most the coder reads of one turn
#: (`scoring.segment.MAX_CHARS`; a test keeps the two equal): a longer limit here would leave
#: the rest of a message silently uncoded. A spoken MI turn is a few hundred characters.
MAX_MESSAGE_CHARS = 4000
MAX_SENDER_CHARS = 128
#: Whole request bodies above this are refused before they are parsed.
MAX_BODY_BYTES = 64 * 1024

#: What a turn is answered with when no Rasa server can take it (the balancer says it) or Rasa
#: fails on it (the channel says it): the trainee's words are kept by the tracker store.
UNAVAILABLE = (
    "The patient server is restarting or unavailable. Your session is saved; "
    "send your message again in a moment."
)
#: What a turn is answered with when it was stored but no action answered it.
NO_ANSWER = (
    "The patient could not answer this turn (the action server is unavailable). Your message "
    "is saved in the session; send your next message in a moment."
)

SCENARIO_ID_RE = re.compile(r"[a-z][a-z0-9_]{0,63}")
# The app drives a session with these two intent triggers; any other "/..." text from a trainee
# would let them pick intents or set slots directly, so it is refused.
START_RE = re.compile(r"/start_session(\{.*\})")
END_SESSION = "/end_session"
# Tab, newline and carriage return are ordinary in pasted text; other control characters
# (NUL, escape sequences, bidi overrides are not Cc) carry no meaning in a turn.
KEEP_CONTROLS = {"\t", "\n", "\r"}


class BadTurn(Exception):
    """A turn that is refused; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Turn:
    """A checked turn: the sender and the cleaned message to forward."""

    sender: str
    message: str

    def body(self) -> bytes:
        """The JSON body Rasa's REST channel expects."""
        return json.dumps({"sender": self.sender, "message": self.message}).encode("utf-8")


def _strip_controls(text: str) -> str:
    return "".join(
        ch for ch in text if ch in KEEP_CONTROLS or unicodedata.category(ch) not in {"Cc", "Cs"}
    )


def _check_control_message(message: str) -> None:
    if message == END_SESSION:
        return
    start = START_RE.fullmatch(message)
    if start:
        try:
            entities = json.loads(start.group(1))
        except json.JSONDecodeError:
            entities = None
        if (
            isinstance(entities, dict)
            and set(entities) == {"scenario_id"}
            and isinstance(entities["scenario_id"], str)
            and SCENARIO_ID_RE.fullmatch(entities["scenario_id"])
        ):
            return
        raise BadTurn(400, '/start_session takes exactly {"scenario_id": "<lower_snake_id>"}')
    raise BadTurn(
        400, "messages starting with '/' are reserved for /start_session and /end_session"
    )


def check_turn(raw: bytes, max_chars: int = MAX_MESSAGE_CHARS) -> Turn:
    """Validates one REST-channel body and returns the turn to forward.

    Args:
        raw: the request body as received.
        max_chars: the longest message accepted, in characters, after cleaning.

    Returns:
        The sender and the message with control characters removed.

    Raises:
        BadTurn: the body is not a turn; the message says why.
    """
    if len(raw) > MAX_BODY_BYTES:
        raise BadTurn(413, f"request body over {MAX_BODY_BYTES} bytes")
    try:
        body: Any = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise BadTurn(400, f"body is not valid UTF-8 JSON: {error}") from None
    if not isinstance(body, dict):
        raise BadTurn(400, 'body must be a JSON object {"sender": ..., "message": ...}')
    sender, message = body.get("sender"), body.get("message")
    if not isinstance(sender, str) or not sender.strip():
        raise BadTurn(400, "'sender' must be a non-empty string (the session id)")
    if len(sender) > MAX_SENDER_CHARS or _strip_controls(sender) != sender:
        raise BadTurn(400, f"'sender' must be at most {MAX_SENDER_CHARS} printable characters")
    if not isinstance(message, str):
        raise BadTurn(400, "'message' must be a string")
    message = _strip_controls(message).strip()
    if not message:
        raise BadTurn(400, "the message is empty: type something to say to the patient")
    if len(message) > max_chars:
        raise BadTurn(
            413, f"the message has {len(message)} characters; the limit is {max_chars} per turn"
        )
    if message.startswith("/"):
        _check_control_message(message)
    return Turn(sender, message)
