"""The one client of the Rasa server: the REST channel for turns, the HTTP API to read back."""

from __future__ import annotations

import json
import os
from typing import Any
from urllib.parse import quote

import requests

from bot.server.guard import MAX_MESSAGE_CHARS
from session_record import Transcript

__all__ = ["MAX_MESSAGE_CHARS", "RasaClient", "RasaUnavailable", "TurnRefused"]


class RasaUnavailable(Exception):
    """Rasa could not be reached or answered with an error; the message says what to do.

    Args:
        message: plain words for the person at the screen.
        status: the HTTP status Rasa answered with, if it answered.
    """

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class TurnRefused(RasaUnavailable):
    """A trainee message that cannot be sent as it is; the message says how to fix it."""


def check_message(text: str) -> str:
    """The message to send, stripped; refuses, in plain words, what the channel would refuse.

    Raises:
        TurnRefused: empty, over the limit, or a ``/`` command (which Rasa would read as an
            intent or a slot to set, e.g. ``/end_session``).
    """
    text = text.strip()
    if not text:
        raise TurnRefused("Type something to say to the patient first.")
    if text.startswith("/"):
        raise TurnRefused(
            "Messages cannot start with '/': the app keeps that for its own commands. "
            "Remove the '/' and send again."
        )
    if len(text) > MAX_MESSAGE_CHARS:
        raise TurnRefused(
            f"Your message has {len(text):,} characters; the limit is {MAX_MESSAGE_CHARS:,} "
            "per turn. Shorten it and send again."
        )
    return text


class RasaClient:
    """A small client for one Rasa server.

    Args:
        base_url: e.g. ``http://127.0.0.1:5005``.
        token: the token Rasa's HTTP API was started with (`--auth-token`).
        timeout: seconds to wait for one answer.
    """

    def __init__(self, base_url: str, token: str, timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout

    @classmethod
    def from_env(cls) -> RasaClient:
        """The client configured by `scripts/run.py` through RASA_URL and RASA_TOKEN."""
        return cls(os.environ.get("RASA_URL", "http://127.0.0.1:5005"), os.environ["RASA_TOKEN"])

    def start_session(self, session_id: str, scenario_id: str) -> list[dict[str, Any]]:
        """Opens a session with the chosen scenario; returns the patient's first words."""
        payload = json.dumps({"scenario_id": scenario_id})
        return self._send(session_id, f"/start_session{payload}")

    def end_session(self, session_id: str) -> list[dict[str, Any]]:
        """Ends a session; afterwards the patient answers no more turns."""
        return self._send(session_id, "/end_session")

    def say(self, session_id: str, text: str) -> list[dict[str, Any]]:
        """Sends one trainee message through the REST channel and returns Rasa's messages.

        Raises:
            RasaUnavailable: Rasa answered nothing, which happens when the action server
                is down; the trainee's words are stored and the turn can be sent again.
        """
        # Text starting with "/" would be read by Rasa as a command: refused here, before it
        # is sent, in words a trainee understands (the channel refuses it too, bot/server/guard.py).
        try:
            messages = self._send(session_id, check_message(text))
        except RasaUnavailable as error:
            # The channel refused this message (bot/server/guard.py): the trainee can fix it.
            if error.status is not None and 400 <= error.status < 500:
                raise TurnRefused(str(error), error.status) from error
            raise
        if not messages:
            raise RasaUnavailable(
                "The patient did not answer: the action server may be restarting. "
                "Send your message again in a moment."
            )
        return messages

    def delete_session(self, session_id: str) -> None:
        """Removes every event of a session from the tracker store (the owner's right)."""
        self._request(
            "put",
            f"/conversations/{quote(session_id, safe='')}/tracker/events",
            params={"token": self.token},
            json=[],
        )

    def _send(self, session_id: str, text: str) -> list[dict[str, Any]]:
        response = self._request(
            "post",
            "/webhooks/rest/webhook",
            json={"sender": session_id, "message": text},
        )
        return list(response.json())

    def transcript(self, session_id: str) -> Transcript:
        """Reads a whole session back from the tracker store."""
        response = self._request(
            "get",
            f"/conversations/{quote(session_id, safe='')}/tracker",
            params={"token": self.token, "include_events": "ALL"},
        )
        return Transcript.from_events(response.json().get("events") or [])

    def _request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        try:
            response = requests.request(
                method, self.base_url + path, timeout=self.timeout, **kwargs
            )
        except requests.RequestException as error:
            raise RasaUnavailable(
                f"The patient server at {self.base_url} is not answering "
                f"({error.__class__.__name__}). Is `make run` still running?"
            ) from error
        if response.status_code >= 400:
            raise RasaUnavailable(_plain_refusal(response), response.status_code)
        return response


def _plain_refusal(response: requests.Response) -> str:
    """What an error answer means, in words for the person at the screen."""
    status = response.status_code
    if status in (401, 403):
        return "The app is not allowed to use the patient server: restart `make run`."
    try:
        reason = str(response.json().get("error") or "")
    except (ValueError, AttributeError):
        reason = ""
    reason = reason[:300].rstrip(".")
    if status >= 500:
        # nginx and the channel explain a fault in plain words (a server restarting, the
        # session saved): pass that on; otherwise say where the details are.
        return (
            f"The patient server could not answer (HTTP {status}): {reason}."
            if reason
            else f"The patient server had a problem (HTTP {status}). Try again in a moment; "
            "if it keeps happening, the details are in var/logs/rasa.log."
        )
    return (
        f"The patient server refused this: {reason}."
        if reason
        else (f"The patient server refused this (HTTP {status}).")
    )
