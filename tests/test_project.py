"""The README's commands and paths exist, and generated files are not stale."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def make_targets() -> set[str]:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    return set(re.findall(r"^([a-z][a-z-]*):", makefile, flags=re.MULTILINE))


def test_every_make_command_in_the_readme_is_a_target() -> None:
    mentioned = set(re.findall(r"\bmake ([a-z][a-z-]*)", README))
    assert {"run", "test"} <= mentioned
    assert mentioned <= make_targets(), mentioned - make_targets()


def test_every_path_the_readme_names_exists() -> None:
    paths = set(
        re.findall(
            r"`((?:bot|data|scoring|session_record|trainer_ui|scenarios|corpus|docs)/[\w/.-]*)`",
            README,
        )
    )
    assert paths
    missing = sorted(p for p in paths if "<" not in p and not (ROOT / p).exists())
    assert not missing


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci


def test_generated_nlu_data_is_up_to_date() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot.tools.build", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
