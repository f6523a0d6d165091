"""Real services for end-to-end tests: the Rasa server and action server on free ports."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.tools import services


@pytest.fixture(scope="session")
def bot(trained_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[services.Bot]:
    """The real Rasa server and action server, shared by the end-to-end tests."""
    running = services.start_bot(trained_model, tmp_path_factory.mktemp("bot"))
    yield running
    running.stop()
