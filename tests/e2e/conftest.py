"""Real services for end-to-end tests: the Rasa and action servers on free ports, and chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.tools import services
from tests.e2e.chromium import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS


@pytest.fixture(scope="session")
def bot(trained_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[services.Bot]:
    """The real Rasa server and action server, shared by the end-to-end tests."""
    running = services.start_bot(trained_model, tmp_path_factory.mktemp("bot"))
    yield running
    running.stop()


@pytest.fixture()
def browser() -> Iterator[object]:
    """A headless chromium, closed after the test."""
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()
