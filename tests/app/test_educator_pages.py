"""Educator authoring page and the administrator's accounts page."""

from __future__ import annotations

from pathlib import Path
from unittest import mock

import pytest

from bot.scenario.loader import DEFAULT_ROOT

SOURCE = "reluctant_psychiatric"


@pytest.fixture()
def scenarios_dir(tmp_path: Path):
    """A private scenarios folder: tests never write into the real one."""
    folder = tmp_path / "scenarios"
    folder.mkdir()
    for name in (f"{SOURCE}.yml", f"{SOURCE}.tests.yml"):
        (folder / name).write_text((DEFAULT_ROOT / name).read_text())
    with mock.patch("trainer_ui.authoring.SCENARIOS_ROOT", folder):
        yield folder


def educator(harness):
    harness.user("admin1", "admin")
    return harness.user("eddie", "educator")


def load(harness, folder: Path):
    at = harness.run(educator(harness))
    assert not at.exception
    assert at.title[0].value == "Scenario authoring"
    at.selectbox[0].select(SOURCE).run()
    return at


def button(at, label: str):
    return next(b for b in at.button if b.label == label)


def test_page_says_no_retraining_is_needed(harness, scenarios_dir) -> None:
    at = load(harness, scenarios_dir)
    assert any("No retraining is needed" in c.value for c in at.caption)
    assert (
        at.text_area[0].value.startswith("#")
        or "id: reluctant_psychiatric" in at.text_area[0].value
    )


def test_invalid_scenario_is_not_published_and_errors_name_file_line_and_field(
    harness, scenarios_dir
) -> None:
    at = load(harness, scenarios_dir)
    at.text_input[0].input("broken_patient")
    at.text_area[0].input("id: broken_patient\ntitle: 42\n")
    at.text_area[1].input("")
    button(at, "Publish").click().run()
    assert not at.exception
    assert "nothing was published" in at.error[0].value
    message = at.code[0].value
    assert "scenarios/broken_patient.yml" in message
    assert "/tmp" not in message and "scenario-check-" not in message
    assert not (scenarios_dir / "broken_patient.yml").exists()


def test_validate_reports_the_same_messages_as_the_files(harness, scenarios_dir) -> None:
    at = load(harness, scenarios_dir)
    text = at.text_area[0].value.replace("stage: precontemplation", "stage: sleepy")
    at.text_area[0].input(text)
    button(at, "Validate").click().run()
    assert "start.stage" in at.code[0].value


def test_valid_scenario_is_published_atomically(harness, scenarios_dir) -> None:
    at = load(harness, scenarios_dir)
    at.text_input[0].input("new_patient")
    at.text_area[0].input(at.text_area[0].value.replace(f"id: {SOURCE}", "id: new_patient"))
    at.text_area[1].input(
        at.text_area[1].value.replace(f"scenario: {SOURCE}", "scenario: new_patient")
    )
    button(at, "Publish").click().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == ["Published new_patient. Trainees can choose it now."]
    assert (scenarios_dir / "new_patient.yml").exists()
    assert (scenarios_dir / "new_patient.tests.yml").exists()
    assert not list(scenarios_dir.glob(".*.tmp"))


def test_scenario_tests_run_in_the_app(harness, scenarios_dir) -> None:
    at = load(harness, scenarios_dir)
    button(at, "Run scenario tests").click().run()
    assert not at.exception
    assert at.success and all(s.value.startswith("Passed: ") for s in at.success)


def test_preview_chats_with_the_edited_patient(harness, scenarios_dir) -> None:
    at = load(harness, scenarios_dir)
    at.text_input[1].input("How have you been sleeping?")
    button(at, "Send").click().run()
    assert not at.exception
    assert len(at.chat_message) == 2
    assert at.chat_message[1].children[0].value.endswith("talk]")


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
