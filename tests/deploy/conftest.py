"""Fixtures for the deployment tests: a stack behind nginx."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from deploy.stack import Stack, start_stack

#: How long Rasa keeps calling when no action server takes a call (ACTION_RETRY_SECONDS):
#: longer than an action server takes to start again on a busy 2-core machine (8-9 s measured
#: with other work running; 6 s made the restart test fail), short enough that the tests that
#: keep a server down past it stay reasonably quick.
RETRY_SECONDS = 20.0


@pytest.fixture(scope="session")
def stack(trained_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """One Rasa server and one action server on SQLite, behind nginx.

    Fault tests kill and restart servers in it; each leaves every server running again.
    """
    running = start_stack(
        trained_model,
        tmp_path_factory.mktemp("stack"),
        rasa_count=1,
        action_count=1,
        retry_seconds=RETRY_SECONDS,
    )
    yield running
    running.stop()
