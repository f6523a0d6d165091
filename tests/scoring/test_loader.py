"""Loading a coder never trains: a missing or stale coder is a clear error naming make coder."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import scoring
from scoring.cli import main
from scoring.coder import Coder
from scoring.loader import CoderUnavailable, load_coder

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("mode", ["auto", "model"])
def test_a_missing_coder_is_an_error_that_names_make_coder(tmp_path: Path, mode: str) -> None:
    with pytest.raises(CoderUnavailable, match="make coder"):
        load_coder(mode=mode, model_dir=tmp_path / "nothing here")
    assert not (tmp_path / "nothing here").exists()  # nothing was trained or written


def test_a_stale_coder_is_an_error_that_names_make_coder(fake_coder: Coder, tmp_path: Path) -> None:
    assert fake_coder.head is not None
    fake_coder.head.save(tmp_path)
    meta = json.loads((tmp_path / "meta.json").read_text())
    meta["feature_version"] = -1
    (tmp_path / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(CoderUnavailable, match=r"stale.*make coder"):
        load_coder(mode="auto", model_dir=tmp_path)


def test_an_unknown_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="mode must be one of"):
        load_coder(mode="best")


def test_loading_imports_no_training_code(tmp_path: Path) -> None:
    script = (
        "import sys, scoring\n"
        "from scoring.loader import CoderUnavailable\n"
        "scoring.load_coder('rules')\n"
        "try:\n"
        f"    scoring.load_coder(model_dir={str(tmp_path)!r})\n"
        "except CoderUnavailable:\n"
        "    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith('scoring.training')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def test_code_command_without_a_coder_says_make_coder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MI_CODER_DIR", str(tmp_path / "no coder"))
    src = tmp_path / "in.csv"
    src.write_text("id,text\n1,What brings you in today?\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        main(["code", str(src), str(tmp_path / "out.csv")])
    assert exit_info.value.code == 2
    assert "make coder" in capsys.readouterr().err
    assert not (tmp_path / "out.csv").exists()


def test_the_error_is_part_of_the_public_api() -> None:
    assert scoring.CoderUnavailable is CoderUnavailable
