"""Real services for end-to-end tests: one model trained per test session, servers on free ports."""

from __future__ import annotations

import secrets
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot import services
from trainer_ui.rasa_client import RasaClient

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


@dataclass
class Stack:
    """The running Rasa server and action server."""

    client: RasaClient
    rasa: services.Service
    actions: services.Service
    tracker_db: Path
    log_dir: Path


def start_stack(model: Path, workdir: Path, tracker_db: Path | None = None) -> Stack:
    """Starts the action server and the Rasa server on free loopback ports."""
    token = secrets.token_urlsafe(16)
    log_dir = workdir / "logs"
    tracker_db = tracker_db or workdir / "tracker.db"
    action_port, rasa_port = services.free_port(), services.free_port()
    actions = services.start_action_server(action_port, log_dir)
    rasa = services.start_rasa_server(model, rasa_port, action_port, tracker_db, token, log_dir)
    try:
        services.wait_until_ready(actions, "/health")
        services.wait_until_ready(rasa, f"/status?token={token}")
    except Exception:
        services.stop([actions, rasa])
        raise
    return Stack(RasaClient(rasa.url, token), rasa, actions, tracker_db, log_dir)


@pytest.fixture(scope="session")
def stack(trained_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    running = start_stack(trained_model, tmp_path_factory.mktemp("stack"))
    yield running
    services.stop([running.actions, running.rasa])
