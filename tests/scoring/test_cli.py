"""Batch command: ``python -m scoring code IN.csv OUT.csv`` (rules mode: no model needed)."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from scoring import CODES
from scoring.cli import main

ROOT = Path(__file__).resolve().parents[2]


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_codes_rows_and_reports_bad_ones(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    src = _write(
        tmp_path / "in.csv",
        "id,text,prev_client_text\n"
        "1,What brings you in today?,\n"
        '2,"So you drink most nights. What do you make of that?",I drink most nights.\n'
        "3,,\n"
        ",orphan row without id,\n"
        "5,too,many,fields\n",
    )
    out = tmp_path / "out.csv"
    assert main(["code", str(src), str(out), "--mode", "rules"]) == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["id"] for r in rows] == ["1", "2", "3", "", "5"]
    assert rows[0]["code"] == "question_open"
    assert rows[1]["code"] in CODES and rows[1]["unit_codes"].count(";") == 1
    assert rows[2]["code"] == "other"  # empty text is a valid (empty) turn
    assert rows[3]["code"] == "" and "bad row" in rows[3]["reason"]
    assert rows[4]["code"] == "" and "more fields" in rows[4]["reason"]
    assert all(r["reason"] for r in rows)
    assert "bad row" in caplog.text


def test_missing_columns_is_a_clear_error(tmp_path: Path) -> None:
    src = _write(tmp_path / "in.csv", "identifier,utterance\n1,hi\n")
    with pytest.raises(SystemExit, match="header must have columns"):
        main(["code", str(src), str(tmp_path / "out.csv"), "--mode", "rules"])


def test_module_entry_point(tmp_path: Path) -> None:
    src = _write(tmp_path / "in.csv", "id,text\n1,You need to stop.\n")
    out = tmp_path / "out.csv"
    proc = subprocess.run(
        [sys.executable, "-m", "scoring", "code", str(src), str(out), "--mode", "rules"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert list(csv.DictReader(out.open()))[0]["code"] == "persuade"
