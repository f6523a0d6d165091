"""Fixtures shared by every layer of tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

# No network at test time: models load from installed packages only.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def trained_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Rasa model, trained once per test session with the small seeded config.

    MI_TEST_MODEL names an already trained archive, to skip training while iterating.
    """
    if os.environ.get("MI_TEST_MODEL"):
        return Path(os.environ["MI_TEST_MODEL"])
    from bot.tools import services

    env = services.base_env()
    build = subprocess.run(
        [sys.executable, "-m", "bot.tools.build", "--check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert build.returncode == 0, build.stderr
    out = tmp_path_factory.mktemp("models")
    command = [
        sys.executable, "-m", "rasa", "train",
        "--domain", "bot/domain", "--data", "data", "--config", "tests/config_test.yml",
        "--out", str(out), "--fixed-model-name", "test",
    ]  # fmt: skip
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return out / "test.tar.gz"
