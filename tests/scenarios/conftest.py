"""Fixtures for the scenario tests: the real behaviour coder, loaded once per session."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from bot.patient.replay import CodeTurn
from bot.patient.understand import Encode


@pytest.fixture(scope="session")
def code_turn() -> CodeTurn:
    """``code_turn(text, history)`` backed by ``scoring.load_coder()`` (skips if unavailable)."""
    scoring = pytest.importorskip("scoring")
    try:
        coder = scoring.load_coder()
    except scoring.CoderUnavailable as error:  # `make coder` trains it; tests never do
        pytest.skip(str(error))

    def run(text: str, history: list[tuple[str, str]]) -> Sequence[Any]:
        return coder.code_turn(text, history=[scoring.Turn(s, t) for s, t in history])

    return run


@pytest.fixture(scope="session")
def encode() -> Encode:
    """The packaged sentence encoder the action server reads turns with, loaded once."""
    from bot.patient.understand import reader

    return reader()
