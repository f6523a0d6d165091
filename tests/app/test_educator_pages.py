"""Educator authoring page and the administrator's accounts page."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest

from bot.scenario import load_scenario
from bot.scenario.loader import DEFAULT_ROOT
from trainer_ui import scenario_form as form

SOURCE = "reluctant_psychiatric"


@pytest.fixture()
def scenarios_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private scenarios folder for the app and the loader: tests never write the real one."""
    folder = tmp_path / "scenarios"
    folder.mkdir()
    for name in (f"{SOURCE}.yml", f"{SOURCE}.tests.yml"):
        (folder / name).write_text((DEFAULT_ROOT / name).read_text())
    monkeypatch.setenv("SCENARIOS_DIR", str(folder))
    return folder


def educator(harness):
    harness.user("admin1", "admin")
    return harness.user("eddie", "educator")


def load(harness, folder: Path, scenario_id: str = SOURCE):
    at = harness.run(educator(harness))
    assert not at.exception
    assert at.title[0].value == "Scenario authoring"
    at.selectbox(key="authoring_open").select(scenario_id)
    button(at, "Open in the editors").click().run()
    return at


def button(at, label: str):
    return next(b for b in at.button if b.label == label)


def picker(at, label: str):
    return next(s for s in at.selectbox if s.label == label)


def yaml_area(at):
    return next(t for t in at.text_area if t.label == "Scenario (YAML)")


def field(at, name: str):
    """A form widget by its name (its key carries the form's generation)."""
    pattern = rf"form\d+\.{re.escape(name)}"
    return next(w for w in at.main if re.fullmatch(pattern, getattr(w, "key", None) or ""))


def dialogues_area(at):
    return next(t for t in at.text_area if t.label == "Test dialogues (YAML, optional)")


def id_field(at):
    return next(t for t in at.text_input if t.label.startswith("Scenario id"))


def test_page_says_no_retraining_is_needed(harness, scenarios_dir) -> None:
    at = load(harness, scenarios_dir)
    assert any("No retraining is needed" in c.value for c in at.caption)
    assert f"id: {SOURCE}" in yaml_area(at).value
    assert field(at, "persona.name").value == "Marcus"


def test_invalid_scenario_is_not_published_and_errors_name_file_line_and_field(
    harness, scenarios_dir
) -> None:
    at = load(harness, scenarios_dir)
    id_field(at).input("broken_patient").run()
    yaml_area(at).input("id: broken_patient\ntitle: 42\n")
    dialogues_area(at).input("")
    button(at, "Publish").click().run()
    assert not at.exception
    assert "nothing was published" in at.error[0].value
    message = at.code[1].value
    assert "scenarios/broken_patient.yml:2: title: expected non-empty text" in message
    assert "/tmp" not in message and "scenario-check-" not in message
    assert not (scenarios_dir / "broken_patient.yml").exists()


def test_validate_reports_the_same_messages_as_the_files(harness, scenarios_dir) -> None:
    at = load(harness, scenarios_dir)
    text = yaml_area(at).value.replace("stage: precontemplation", "stage: sleepy")
    yaml_area(at).input(text)
    button(at, "Validate").click().run()
    assert "start.stage" in at.code[1].value
    assert not any("nothing was published" in e.value for e in at.error)
    # Where to fix it: in the form, and the numbered YAML around the line.
    assert any("in the form, Persona: Stage of change" in c.value for c in at.caption)
    assert any("> " in c.value and "| " in c.value and "sleepy" in c.value for c in at.code)


def test_an_indentation_mistake_is_called_one(harness, scenarios_dir) -> None:
    at = load(harness, scenarios_dir)
    yaml_area(at).input(yaml_area(at).value.replace("  name: Marcus", "    name: Marcus", 1))
    button(at, "Validate").click().run()
    assert "indentation problem" in at.code[1].value


def test_warnings_are_shown_after_validate(harness, scenarios_dir) -> None:
    at = load(harness, scenarios_dir)
    data = form.parse(yaml_area(at).value)
    assert data is not None
    del data["facts"]
    yaml_area(at).input(form.dump(data))
    dialogues_area(at).input("")
    button(at, "Validate").click().run()
    assert at.success[0].value.startswith("Valid")
    assert "1 warning(s)" in at.warning[0].value
    assert "no 'facts'" in at.code[1].value


def test_valid_scenario_is_published_atomically(harness, scenarios_dir) -> None:
    at = load(harness, scenarios_dir)
    id_field(at).input("new_patient").run()
    # The id field writes the YAML's id: the two never disagree.
    assert "id: new_patient" in yaml_area(at).value
    dialogues_area(at).input(
        dialogues_area(at).value.replace(f"scenario: {SOURCE}", "scenario: new_patient")
    )
    button(at, "Publish").click().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == ["Published new_patient. Trainees can choose it now."]
    published = scenarios_dir / "new_patient.yml"
    assert published.exists() and (scenarios_dir / "new_patient.tests.yml").exists()
    assert stat.S_IMODE(published.stat().st_mode) == 0o644
    assert not list(scenarios_dir.glob(".*.tmp"))
    # The editors keep their text after publishing, and the next click works on it.
    assert id_field(at).value == "new_patient"
    button(at, "Validate").click().run()
    assert at.success[0].value.startswith("Valid")


def test_scenario_tests_run_in_the_app(harness, scenarios_dir) -> None:
    at = load(harness, scenarios_dir)
    button(at, "Run scenario tests").click().run()
    assert not at.exception
    assert at.success and all(s.value.startswith("Passed: ") for s in at.success)


def test_preview_chats_with_the_edited_patient(harness, scenarios_dir) -> None:
    at = load(harness, scenarios_dir)
    next(t for t in at.text_input if t.label == "Your response to the patient").input(
        "How have you been sleeping?"
    )
    button(at, "Send").click().run()
    assert not at.exception
    assert len(at.chat_message) == 2
    assert at.chat_message[1].children[0].value.endswith("talk]")


def fill_new_patient(at) -> None:
    """An educator's new patient, written in the form only."""
    id_field(at).input("pat_smoking").run()
    for key, value in {
        "persona.title": "Pat: smoking and a new baby",
        "persona.name": "Pat",
        "persona.brief": "Pat, 29, smokes 15 a day. The baby is due in two months.",
        "persona.context": "Warehouse worker, first baby on the way.",
        "persona.change_goal": "Pat agrees to one step towards a smoke-free home.",
    }.items():
        field(at, key).input(value).run()
    field(at, "persona.age").set_value(29).run()
    field(at, "persona.difficulty").select("challenging").run()
    for talk, line in {
        "change": "I know it's not ideal with the baby coming.",
        "sustain": "It's the only thing that calms me down.",
        "neutral": "Where do you want to start?\nWork's been long.",
        "discord": "I didn't come here to be told off.",
    }.items():
        field(at, f"topic.general.surface.{talk}").input(line).run()
    button(at, "Add a fact").click().run()
    field(at, "fact.0.id").input("baby_due").run()
    field(at, "fact.0.ask").input("When is the baby due?\nHow far along is she?").run()
    field(at, "fact.0.answer").input("Two months.").run()
    field(at, "fact.0.detail").input("Two months. March, if it's on time.").run()
    field(at, "risk.suicidal_thoughts").select("passive").run()
    field(at, "risk.suicidal_thoughts.open").input(
        "Sometimes I think they'd be better off. I wouldn't do anything."
    ).run()
    field(at, "risk.suicidal_thoughts.guarded").input(
        "I get low. I'm not going to do anything stupid."
    ).run()


def test_a_scenario_written_in_the_form_is_checked_by_the_loader_and_published(
    harness, scenarios_dir
) -> None:
    at = load(harness, scenarios_dir, "(new scenario)")
    fill_new_patient(at)
    assert not at.exception, at.exception
    button(at, "Publish").click().run()
    # The opening line is still empty: the loader's message, and where it is in the form.
    assert "nothing was published" in at.error[0].value
    assert "persona.opening_line: expected non-empty text, got empty text" in at.code[1].value
    assert any("in the form, Persona: Opening line" in c.value for c in at.caption)
    field(at, "persona.opening_line").input("The midwife sent me.").run()
    button(at, "Publish").click().run()
    assert not at.exception, at.exception
    assert at.success[0].value.startswith("Published pat_smoking.")
    scenario = load_scenario("pat_smoking", scenarios_dir)
    assert (scenario.persona.name, scenario.persona.age, scenario.difficulty) == (
        "Pat",
        29,
        "challenging",
    )
    assert scenario.facts["baby_due"].ask == ("When is the baby due?", "How far along is she?")
    assert scenario.risk.levels["suicidal_thoughts"] == "passive"
    assert len(scenario.topics["general"].lines[("surface", "neutral")]) == 2
    # A trainee sees it at once.
    trainee = harness.run(harness.user("tina", "trainee"))
    assert "Pat: smoking and a new baby" in trainee.selectbox[0].options


def test_replacing_a_live_scenario_asks_first_and_archives_the_old_version(
    harness, scenarios_dir
) -> None:
    live = scenarios_dir / f"{SOURCE}.yml"
    before = live.read_text()
    at = load(harness, scenarios_dir)
    field(at, "persona.title").input("Marcus, revised").run()
    assert "Marcus, revised" in yaml_area(at).value
    button(at, "Publish").click().run()
    assert f"{SOURCE} is live" in at.warning[0].value
    assert live.read_text() == before
    button(at, "Cancel").click().run()
    assert live.read_text() == before and not at.warning
    assert "Marcus, revised" in yaml_area(at).value
    button(at, "Publish").click().run()
    button(at, "Replace the live version").click().run()
    assert not at.exception, at.exception
    assert at.success[0].value.startswith(f"Published {SOURCE}.")
    assert "Marcus, revised" in live.read_text()
    (archived,) = (scenarios_dir / "archive").glob(f"{SOURCE}.*[0-9].yml")
    assert archived.read_text() == before
    assert "Marcus, revised" in yaml_area(at).value  # the editors keep the text


def test_unpublish_then_restore(harness, scenarios_dir) -> None:
    at = load(harness, scenarios_dir)
    picker(at, "Published scenario").select(SOURCE)
    button(at, "Unpublish").click().run()
    assert not at.exception, at.exception
    assert at.success[0].value.startswith(f"Unpublished {SOURCE}")
    assert not (scenarios_dir / f"{SOURCE}.yml").exists()
    assert (
        "No scenarios are available" in harness.run(harness.user("tina", "trainee")).info[0].value
    )
    versions = picker(at, "Archived version").options
    assert len(versions) == 1 and versions[0].startswith(f"{SOURCE}, archived ")
    button(at, "Restore").click().run()
    assert not at.exception, at.exception
    assert at.success[0].value.startswith(f"Published {SOURCE}.")
    assert (scenarios_dir / f"{SOURCE}.yml").read_text() == (
        DEFAULT_ROOT / f"{SOURCE}.yml"
    ).read_text()
    assert (scenarios_dir / f"{SOURCE}.tests.yml").exists()


def test_changes_the_browser_sends_together_all_reach_the_draft(harness, scenarios_dir) -> None:
    # When the next field is left before a run ends, Streamlit stops that run and the browser
    # sends every field in the next one: each change must be taken, not only the last.
    at = load(harness, scenarios_dir)
    field(at, "persona.title").set_value("Marcus, revised")
    field(at, "persona.name").set_value("Mark")
    field(at, "topic.general.surface.discord").set_value("Leave it.\nNot again.")
    at.run()
    data = form.parse(yaml_area(at).value)
    assert data is not None
    assert (data["title"], data["persona"]["name"]) == ("Marcus, revised", "Mark")
    assert data["topics"]["general"]["surface"]["discord"] == ["Leave it.", "Not again."]
    assert field(at, "persona.title").value == "Marcus, revised"


def test_the_yaml_and_the_form_take_turns_without_undoing_each_other(
    harness, scenarios_dir
) -> None:
    at = load(harness, scenarios_dir)
    yaml_area(at).input(yaml_area(at).value.replace("name: Marcus", "name: Mark", 1)).run()
    assert field(at, "persona.name").value == "Mark"  # the form shows the YAML's edit
    field(at, "persona.title").input("Mark, revised").run()
    data = form.parse(yaml_area(at).value)
    assert data is not None and (data["title"], data["persona"]["name"]) == (
        "Mark, revised",
        "Mark",
    )


def test_a_late_value_from_a_replaced_yaml_editor_is_ignored(harness, scenarios_dir) -> None:
    at = load(harness, scenarios_dir)
    stale = yaml_area(at)
    old_key, old_text = stale.key, stale.value
    field(at, "persona.title").input("Marcus, revised").run()
    assert yaml_area(at).key != old_key  # the form's change renewed the YAML editor
    at.session_state[old_key] = old_text  # what a browser behind by one run would send
    at.run()
    assert "Marcus, revised" in yaml_area(at).value
    assert field(at, "persona.title").value == "Marcus, revised"


def test_what_the_form_cannot_show_is_left_as_written(harness, scenarios_dir) -> None:
    # The form shows 'standard' for an unknown difficulty; that must not fix the YAML behind
    # the author's back: the loader's message stays until the author changes it.
    at = load(harness, scenarios_dir)
    text = yaml_area(at).value.replace("difficulty: challenging", "difficulty: fiendish")
    assert "fiendish" in text
    yaml_area(at).input(text).run()
    button(at, "Validate").click().run()
    assert yaml_area(at).value == text
    assert "difficulty" in at.code[1].value and "fiendish" in at.code[1].value


def test_admin_creates_a_trainee_with_a_supervisor(harness) -> None:
    admin = harness.user("admin1", "admin")
    sam = harness.user("sam", "supervisor")
    at = harness.run(admin)
    assert at.title[0].value == "Accounts"
    at.text_input[0].input("tina")
    at.text_input[1].input("a long enough password")
    at.selectbox[0].select("trainee")
    at.selectbox[1].select(sam.id)
    button(at, "Create account").click().run()
    assert not at.exception
    tina = harness.accounts.by_name("tina")
    assert tina is not None and tina.supervisor_id == sam.id and tina.role == "trainee"


def test_a_supervisor_just_created_is_offered_for_the_next_trainee_at_once(harness) -> None:
    admin = harness.user("admin1", "admin")
    at = harness.run(admin)
    at.text_input[0].input("sam")
    at.text_input[1].input("a long enough password")
    at.selectbox[0].select("supervisor")
    button(at, "Create account").click().run()
    assert at.success[0].value == "Account sam (supervisor) created."
    sam = harness.accounts.by_name("sam")
    assert sam is not None
    # No second submit needed: the new supervisor is in the table and in both pickers.
    assert "sam" in at.selectbox[1].options  # the trainee form's supervisor picker
    assert "sam" in list(at.dataframe[0].value["User"])
    at.text_input[0].input("tina")
    at.text_input[1].input("a long enough password")
    at.selectbox[0].select("trainee")
    at.selectbox[1].select(sam.id)
    button(at, "Create account").click().run()
    tina = harness.accounts.by_name("tina")
    assert tina is not None and tina.supervisor_id == sam.id


def test_admin_sees_a_clear_error_for_a_taken_name(harness) -> None:
    admin = harness.user("admin1", "admin")
    at = harness.run(admin)
    at.text_input[0].input("admin1")
    at.text_input[1].input("a long enough password")
    button(at, "Create account").click().run()
    assert "taken" in at.error[0].value
