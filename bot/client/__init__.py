"""Runs in the app (and in replay and the benchmarks): the one client of the Rasa server."""

from bot.client.rasa_client import (
    MAX_MESSAGE_CHARS,
    RasaClient,
    RasaUnavailable,
    TurnRefused,
    check_message,
)

__all__ = ["MAX_MESSAGE_CHARS", "RasaClient", "RasaUnavailable", "TurnRefused", "check_message"]
