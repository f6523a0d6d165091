"""Scenario loading and schema errors: every mistake names file, line, field and expectation."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from bot.scenario import ScenarioError, list_scenarios, load_scenario
from bot.scenario.__main__ import main as cli_main
from bot.scenario.dialogues import load_dialogues
from bot.scenario.loader import DEFAULT_ROOT

README = DEFAULT_ROOT / "README.md"

MINIMAL = """\
id: tiny
title: Tiny
change_goal: Try one thing.
brief: A tiny patient for tests.
persona:
  name: Tee
  age: 30
  context: Made up for tests.
  opening_line: "Hello."
start: {stage: precontemplation, rapport: 3, discord: 2, readiness: 2}
topics:
  general:
    surface:
      change: ["I could try."]
      sustain: ["I'm fine as I am."]
      neutral: ["Okay."]
      discord: ["Leave it."]
  sleep:
    keywords: [sleep]
    surface:
      change: ["I'd like to sleep better."]
      sustain: ["I sleep fine."]
"""


def _write(tmp_path: Path, text: str, name: str = "tiny") -> Path:
    (tmp_path / f"{name}.yml").write_text(text, encoding="utf-8")
    return tmp_path


def _problems(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        load_scenario("tiny", _write(tmp_path, text))
    return [str(p) for p in info.value.problems]


def test_minimal_scenario_loads(tmp_path: Path) -> None:
    scenario = load_scenario("tiny", _write(tmp_path, MINIMAL))
    assert scenario.persona.opening_line == "Hello."
    assert set(scenario.topics) == {"general", "sleep"}
    assert scenario.in_role["bot_challenge"], "generic in-role defaults fill the gaps"


def test_list_scenarios_skips_test_files_and_bad_names(tmp_path: Path) -> None:
    _write(tmp_path, MINIMAL)
    (tmp_path / "tiny.tests.yml").write_text("scenario: tiny\n", encoding="utf-8")
    (tmp_path / "Bad Name.yml").write_text("x: 1\n", encoding="utf-8")
    assert list_scenarios(tmp_path) == ["tiny"]
    assert "reluctant_psychiatric" in list_scenarios()


@pytest.mark.parametrize("bad", ["../etc/passwd", "a/b", "", "UPPER", "x.yml", "..", "a\\b"])
def test_ids_cannot_escape_the_directory(bad: str) -> None:
    with pytest.raises(ScenarioError, match="lower snake case"):
        load_scenario(bad)


def test_unknown_scenario_lists_the_known_ones() -> None:
    with pytest.raises(ScenarioError, match="no such scenario 'nope'.*reluctant_psychiatric"):
        load_scenario("nope")


@pytest.mark.parametrize(
    ("old", "new", "line", "expected"),
    [
        ("      change: [\"I'd like", "      chnage: [\"I'd like", 21,
         r"topics\.sleep\.surface\.chnage: unknown field \(did you mean 'change'\?\)"),
        ("age: 30", "age: thirty", 7, r"persona\.age: expected a number from 12 to 110"),
        ("stage: precontemplation", "stage: denial", 10, r"start\.stage: expected one of"),
        ("id: tiny", "id: other", 1, r"id: expected 'tiny'"),
        ("    keywords: [sleep]", "    keywords: sleep", 19,
         r"topics\.sleep\.keywords: expected a"),
        ('      neutral: ["Okay."]', "      neutral: []", 16,
         r"topics\.general\.surface\.neutral: expected a non-empty list of lines"),
        ('      discord: ["Leave it."]', '      discord: ["Okay."]', 17,
         r"topics\.general\.surface\.discord\[0\]: duplicate line"),
        ("  sleep:\n", "  Sleep Well:\n", 18, r"topics\.Sleep Well: expected a topic id"),
    ],
)  # fmt: skip
def test_each_mistake_is_located(
    tmp_path: Path, old: str, new: str, line: int, expected: str
) -> None:
    assert old in MINIMAL
    problems = _problems(tmp_path, MINIMAL.replace(old, new))
    hits = [p for p in problems if re.search(expected, p)]
    assert hits, problems
    assert hits[0].startswith(f"{tmp_path / 'tiny.yml'}:{line}: "), hits[0]


def test_all_problems_reported_at_once(tmp_path: Path) -> None:
    text = (
        MINIMAL.replace("age: 30", "age: -1")
        .replace("title: Tiny\n", "")
        .replace('      sustain: ["I\'m fine as I am."]\n', "")
    )
    problems = "\n".join(_problems(tmp_path, text))
    assert "missing required field 'title'" in problems
    assert "persona.age" in problems
    assert "surface 'sustain' lines" in problems


def test_a_topic_needs_both_sides(tmp_path: Path) -> None:
    one_sided = MINIMAL.replace('      sustain: ["I sleep fine."]\n', "")
    assert any(
        ":18: topics.sleep: a topic needs at least one 'sustain' line" in p
        for p in _problems(tmp_path, one_sided)
    )


def test_duplicate_keys_and_bad_yaml_are_located(tmp_path: Path) -> None:
    dup = MINIMAL.replace("  sleep:\n", "  general:\n")
    assert any(":18: topics.general: duplicate key" in p for p in _problems(tmp_path, dup))
    broken = MINIMAL.replace("title: Tiny", "title: [Tiny")
    problems = _problems(tmp_path, broken)
    assert "invalid YAML" in problems[0]
    assert re.match(rf"{re.escape(str(tmp_path / 'tiny.yml'))}:\d+: ", problems[0])


def test_bad_tags_and_top_level_type(tmp_path: Path) -> None:
    tagged = MINIMAL.replace('["I\'d like to sleep better."]', '[{text: "Hm.", tags: [loud]}]')
    assert any("expected a list of tags" in p for p in _problems(tmp_path, tagged))
    assert any("expected a mapping" in p for p in _problems(tmp_path, "- a list\n"))


def test_readme_example_is_a_valid_scenario_with_valid_tests(tmp_path: Path) -> None:
    blocks = re.findall(r"```yaml\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    scenario_yaml = next(b for b in blocks if b.startswith("id: "))
    tests_yaml = next(b for b in blocks if b.startswith("scenario: "))
    scenario_id = scenario_yaml.split()[1]
    _write(tmp_path, scenario_yaml, scenario_id)
    (tmp_path / f"{scenario_id}.tests.yml").write_text(tests_yaml, encoding="utf-8")
    assert load_scenario(scenario_id, tmp_path).rules.harm_reduction
    assert load_dialogues(scenario_id, tmp_path)[0].steps[0].codes == ("confront",)


def test_dialogue_file_errors_are_located(tmp_path: Path) -> None:
    _write(tmp_path, MINIMAL)
    (tmp_path / "tiny.tests.yml").write_text(
        textwrap.dedent("""\
            scenario: tiny
            dialogues:
              - name: bad
                steps:
                  - trainee: "Hi"
                    code: shout
                    expect: {talk: happy, rises: [mood]}
            """),
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError) as info:
        load_dialogues("tiny", tmp_path)
    text = str(info.value)
    assert "tiny.tests.yml:6: dialogues[0].steps[0].code: expected one of" in text
    assert "tiny.tests.yml:7: dialogues[0].steps[0].expect.talk" in text
    assert "expect.rises" in text


def test_dialogues_of_a_copied_scenario_say_which_id_to_write(tmp_path: Path) -> None:
    _write(tmp_path, MINIMAL)
    dialogues = "scenario: reluctant_psychiatric\ndialogues:\n  - name: a\n    steps:\n"
    dialogues += '      - trainee: "Hi"\n        code: other\n'
    (tmp_path / "tiny.tests.yml").write_text(dialogues, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_dialogues("tiny", tmp_path)
    assert (
        "tiny.tests.yml:1: scenario: these dialogues name the scenario 'reluctant_psychiatric', "
        "but they test 'tiny': write `scenario: tiny`"
    ) in str(info.value)


def test_cli_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["check"]) == 0
    assert "reluctant_psychiatric: ok" in capsys.readouterr().out
    bad = _write(tmp_path, MINIMAL.replace("age: 30", "age: old")) / "tiny.yml"
    assert cli_main(["check", str(bad)]) == 1
    assert "persona.age" in capsys.readouterr().err


def test_loading_is_cached_until_the_file_changes(tmp_path: Path) -> None:
    root = _write(tmp_path, MINIMAL)
    first = load_scenario("tiny", root)
    assert load_scenario("tiny", root) is first
    _write(tmp_path, MINIMAL.replace("Tiny", "Tiny two"))
    assert load_scenario("tiny", root).title == "Tiny two"


def test_a_missing_field_is_reported_once_with_where_to_add_it(tmp_path: Path) -> None:
    problems = _problems(tmp_path, MINIMAL.replace("title: Tiny\n", "").replace("  age: 30\n", ""))
    assert [p for p in problems if "title" in p] == [
        f"{tmp_path / 'tiny.yml'}: title: missing required field 'title'; add 'title:' at the "
        "top level"
    ]
    assert [p for p in problems if "age" in p] == [
        f"{tmp_path / 'tiny.yml'}:4: persona.age: missing required field 'age'; add 'age:' "
        "under 'persona'"
    ]


@pytest.mark.parametrize(
    ("old", "new", "hint"),
    [
        ("  age: 30", "   age: 30", "indentation problem"),
        ("  age: 30", "age: 30", "indentation problem"),
        ("  age: 30", "\tage: 30", "a tab is used"),
        ("brief: A tiny patient for tests.", "brief: Tee says: no.", "in double quotes"),
    ],
)
def test_a_yaml_syntax_error_says_how_to_fix_it(tmp_path: Path, old, new, hint) -> None:
    (problem,) = _problems(tmp_path, MINIMAL.replace(old, new))
    assert "invalid YAML" in problem and hint in problem, problem


def test_the_scenarios_folder_can_be_chosen_by_the_environment(tmp_path: Path, monkeypatch) -> None:
    _write(tmp_path, MINIMAL)
    monkeypatch.setenv("SCENARIOS_DIR", str(tmp_path))
    assert list_scenarios() == ["tiny"]
    assert load_scenario("tiny").persona.name == "Tee"
