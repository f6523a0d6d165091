"""Rasa's own test stories (tests/stories/) against the trained model, with `rasa test core`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.tools import services

pytestmark = pytest.mark.slow

STORIES = services.ROOT / "tests" / "stories"


def test_every_test_story_runs_the_expected_actions(trained_model: Path, tmp_path: Path) -> None:
    command = [sys.executable, "-m", "rasa", "test", "core", "--stories", str(STORIES)]
    command += ["--model", str(trained_model), "--out", str(tmp_path), "--no-plot"]
    # A wrongly predicted action makes rasa exit non-zero with this flag.
    command += ["--fail-on-prediction-errors"]
    run = subprocess.run(
        command, cwd=services.ROOT, env=services.base_env(), capture_output=True, text=True
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    report = json.loads((tmp_path / "story_report.json").read_text())
    conversations = report["conversation_accuracy"]
    assert conversations["total"] == 4
    assert conversations["correct"] == conversations["total"]
