"""Real services for end-to-end tests: one model trained per test session, servers on free ports."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import services

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def trained_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Trains the Rasa model once per test session with the small seeded config."""
    out = tmp_path_factory.mktemp("models")
    subprocess.run(
        [sys.executable, "-m", "bot.build", "--check"],
        cwd=ROOT,
        check=True,
        env=services.base_env(),
    )
    command = [
        sys.executable, "-m", "rasa", "train",
        "--domain", "bot/domain", "--data", "data", "--config", "tests/config_test.yml",
        "--out", str(out), "--fixed-model-name", "test",
    ]  # fmt: skip
    result = subprocess.run(
        command, cwd=ROOT, env=services.base_env(), capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return out / "test.tar.gz"


@pytest.fixture(scope="session")
def bot(trained_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[services.Bot]:
    """The real Rasa server and action server, shared by the end-to-end tests."""
    running = services.start_bot(trained_model, tmp_path_factory.mktemp("bot"))
    yield running
    running.stop()
