"""Educator authoring: validate scenario text with the file loader, test it, publish atomically.

Scenarios need no Rasa retraining: one model serves every patient, the scenario is chosen
per session and its lines live in the scenario file, which the action server re-reads when it
changes. Publishing therefore only ever writes files, and only files that fully validate.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.patient import PatientReply, PatientState, respond
from bot.patient.replay import run_dialogue
from bot.patient.understand import reader
from bot.scenario import Scenario, ScenarioError, load_scenario
from bot.scenario.dialogues import Dialogue, load_dialogues
from bot.scenario.loader import DEFAULT_ROOT, TESTS_SUFFIX
from bot.scenario.schema import ID_RE
from scoring import Coder, Turn, turn_code_of

#: Where published scenarios go (tests point this elsewhere).
SCENARIOS_ROOT = DEFAULT_ROOT
RETRAINING_NOTE = (
    "No retraining is needed: scenarios are read per session by the action server, "
    "so a published scenario is live for the next session."
)


@dataclass
class Checked:
    """The outcome of validating scenario (and test dialogue) text."""

    scenario: Scenario | None = None
    dialogues: list[Dialogue] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the scenario loaded and every file is valid."""
        return self.scenario is not None and not self.problems


def _id_problem(scenario_id: str) -> str | None:
    if not ID_RE.match(scenario_id or ""):
        return f"scenarios/{scenario_id or '?'}.yml: id: expected lower snake case (a-z, 0-9, _)"
    return None


def check(scenario_id: str, text: str, tests_text: str = "") -> Checked:
    """Validates the text exactly as the files would be validated (same loader, same messages).

    Args:
        scenario_id: the file name stem the scenario will be published under.
        text: the scenario YAML.
        tests_text: the test dialogues YAML (optional).
    """
    problem = _id_problem(scenario_id)
    if problem:
        return Checked(problems=[problem])
    result = Checked()
    with tempfile.TemporaryDirectory(prefix="scenario-check-") as folder:
        root = Path(folder)
        (root / f"{scenario_id}.yml").write_text(text, encoding="utf-8")
        if tests_text.strip():
            (root / f"{scenario_id}{TESTS_SUFFIX}").write_text(tests_text, encoding="utf-8")
        try:
            result.scenario = load_scenario(scenario_id, root)
        except ScenarioError as error:
            result.problems += [str(p) for p in error.problems]
        try:
            result.dialogues = load_dialogues(scenario_id, root)
        except ScenarioError as error:
            result.problems += [str(p) for p in error.problems]
    # Name the files as the author knows them, not by the temporary folder.
    result.problems = [p.replace(f"{folder}/", "scenarios/") for p in result.problems]
    return result


def run_tests(checked: Checked, coder: Coder | None = None) -> list[tuple[str, list[str]]]:
    """Replays every test dialogue; returns (dialogue name, failures) pairs."""
    if checked.scenario is None:
        return []
    scenario = checked.scenario

    def code_turn(text: str, history: list[tuple[str, str]]) -> Sequence:
        if coder is None:
            raise ValueError("this dialogue has unpinned turns and no coder is loaded")
        return coder.code_turn(text, history=[Turn(s, t) for s, t in history])

    out = []
    for dialogue in checked.dialogues:
        try:
            failures = run_dialogue(scenario, dialogue, code_turn, reader()).failures
        except ValueError as error:
            failures = [str(error)]
        out.append((dialogue.name, failures))
    return out


def _write_atomically(path: Path, text: str) -> None:
    # Same folder, then rename: readers see the old file or the new one, never half of one.
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def publish(scenario_id: str, text: str, tests_text: str = "", root: Path | None = None) -> Checked:
    """Validates, and only if everything is valid, writes the scenario (and its tests).

    Returns:
        The check; when ``ok`` is False nothing was written.
    """
    checked = check(scenario_id, text, tests_text)
    if not checked.ok:
        return checked
    folder = root or SCENARIOS_ROOT
    folder.mkdir(parents=True, exist_ok=True)
    if tests_text.strip():
        _write_atomically(folder / f"{scenario_id}{TESTS_SUFFIX}", tests_text)
    _write_atomically(folder / f"{scenario_id}.yml", text)
    return checked


def preview_reply(
    scenario: Scenario, state: PatientState, text: str, coder: Coder, history: list[Turn]
) -> PatientReply:
    """The patient's answer to one turn, computed locally (no Rasa needed to preview)."""
    codings = coder.code_turn(text, history=history)
    return respond(
        scenario, state, codings, text=text, intent=turn_code_of(codings), encode=reader()
    )


def template(scenario_id: str) -> str:
    """The text of an existing scenario to start from (the first one found), or ''."""
    path = SCENARIOS_ROOT / f"{scenario_id}.yml"
    return path.read_text(encoding="utf-8") if path.exists() else ""
