"""The replay command over the real Rasa server and actions."""

from __future__ import annotations

import json

import pytest

from bot.tools import services
from bot.tools.replay import main
from session_record import Exchange

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_replay_writes_each_coded_turn_in_the_session_record_form(
    bot: services.Bot, tmp_path
) -> None:
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
    assert [r["trainee_text"] for r in records] == [
        "What matters most to you right now?",
        "You should just stop.",
    ]
    codes = [[coding["code"] for coding in r["codings"]] for r in records]
    for record, coded in zip(records, codes, strict=True):
        assert coded and record["patient_text"] and record["intent"]
        assert record["talk"] in {"change", "sustain", "neutral", "discord"}
        assert {"rapport", "discord", "readiness", "stage"} <= set(record["state"])
    assert "persuade" in codes[1]
    assert [Exchange.from_dict(r).to_dict() for r in records] == [
        {k: v for k, v in r.items() if k != "turn"} for r in records
    ]


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
