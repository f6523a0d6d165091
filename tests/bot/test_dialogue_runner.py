"""The test-dialogue runner reports each failed expectation with its step and file line."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from bot.patient.replay import replay, run_dialogue
from bot.scenario import load_scenario
from bot.scenario.dialogues import load_dialogues

SID = "reluctant_psychiatric"


def test_failed_expectations_name_step_and_line(tmp_path: Path) -> None:
    source = Path(load_scenario(SID).path)
    if not source.is_absolute():
        source = Path(__file__).resolve().parents[2] / source
    (tmp_path / f"{SID}.yml").write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / f"{SID}.tests.yml").write_text(
        textwrap.dedent(f"""\
            scenario: {SID}
            dialogues:
              - name: expectations that cannot hold
                steps:
                  - trainee: "You're in denial."
                    code: confront
                    expect: {{talk: change, falls: [discord], topic: sleep}}
                expect_final: {{min: {{rapport: 9}}, change_share_min: 0.5}}
            """),
        encoding="utf-8",
    )
    scenario = load_scenario(SID, tmp_path)
    result = run_dialogue(scenario, load_dialogues(SID, tmp_path)[0])
    text = "\n".join(result.failures)
    assert "step 1 (line 5)" in text
    assert "expected change" in text
    assert "discord went 2.00 -> 4.00, expected it to fall" in text
    assert "topic was general, expected sleep" in text
    assert "end of dialogue (line 3): rapport is 1.50, expected at least 9" in text
    assert "change talk share 0%" in text


def test_unpinned_turns_need_a_coder() -> None:
    with pytest.raises(ValueError, match="no pinned code"):
        replay(load_scenario(SID), [("Hello", None)])


def test_unpinned_turns_use_the_given_coder() -> None:
    seen = []

    class Fake:
        code = "reflection_complex"

    def code_turn(text: str, history: list[tuple[str, str]]) -> list[Fake]:
        seen.append((text, history))
        return [Fake()]

    replies = replay(load_scenario(SID), [("So sleep is hard.", None)] * 2, code_turn=code_turn)
    assert any("a complex reflection" in change for change in replies[1].changes)
    assert seen[0][1][0][0] == "patient" and seen[1][1][-1] == ("patient", replies[0].text)
