"""The replay command over the real Rasa server and actions."""

from __future__ import annotations

import json

import pytest

from bot import services
from bot.replay import main

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_replay_writes_code_reply_talk_and_state_per_turn(bot: services.Bot, tmp_path) -> None:
    turns = tmp_path / "in.jsonl"
    turns.write_text(
        '{"text": "What matters most to you right now?"}\n'
        "not json\n"
        '{"text": "You should just stop."}\n'
        '{"other": 1}\n',
        encoding="utf-8",
    )
    out = tmp_path / "out.jsonl"

    code = main(
        [
            "--scenario", "substance_harm_reduction", str(turns), str(out),
            "--rasa-url", bot.rasa.url, "--token", bot.client.token,
        ]
    )  # fmt: skip

    assert code == 0
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["text"] for r in records] == [
        "What matters most to you right now?",
        "You should just stop.",
    ]
    for record in records:
        assert record["codes"] and record["reply"]
        assert record["talk"] in {"change", "sustain", "neutral", "discord"}
        assert {"rapport", "discord", "readiness", "stage"} <= set(record["state"])
    assert "persuade" in records[1]["codes"]


def test_replay_of_an_unknown_scenario_fails_with_a_message(bot: services.Bot, tmp_path, capsys):
    turns = tmp_path / "in.jsonl"
    turns.write_text('{"text": "Hello"}\n', encoding="utf-8")

    code = main(
        [
            "--scenario", "no_such_patient", str(turns), str(tmp_path / "out.jsonl"),
            "--rasa-url", bot.rasa.url, "--token", bot.client.token,
        ]
    )  # fmt: skip

    assert code == 1
    assert "no_such_patient" in capsys.readouterr().err
