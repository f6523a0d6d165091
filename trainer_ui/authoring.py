"""Educator authoring: validate scenario text with the file loader, test, publish and archive.

Scenarios need no Rasa retraining: one model serves every patient, the scenario is chosen
per session and its lines live in the scenario file, which the action server re-reads when it
changes. Publishing therefore only ever writes files, and only files that fully validate.
A replaced or unpublished scenario is moved to ``archive/`` in the scenarios folder, stamped
with the time, so every live version can be restored; the loader never lists that folder.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

from bot.patient import PatientReply, PatientState, respond
from bot.patient.replay import run_dialogue
from bot.patient.understand import reader
from bot.scenario import Problem, Scenario, ScenarioError, load_scenario
from bot.scenario.dialogues import Dialogue, load_dialogues
from bot.scenario.lint import scenario_warnings
from bot.scenario.loader import TESTS_SUFFIX, resolve_root
from bot.scenario.schema import ID_RE
from scoring import Coder, Turn, turn_code_of

#: The mode of the shipped scenario files: the action server may run as another user.
PUBLISHED_MODE = 0o644
ARCHIVE = "archive"
RETRAINING_NOTE = (
    "No retraining is needed: scenarios are read per session by the action server, "
    "so a published scenario is live for the next session."
)


@dataclass
class Checked:
    """The outcome of validating scenario (and test dialogue) text."""

    scenario: Scenario | None = None
    dialogues: list[Dialogue] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    #: Shown, not blocking: the same lines ``python -m bot.scenario check`` prints.
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the scenario loaded and every file is valid."""
        return self.scenario is not None and not self.problems


def scenarios_root() -> Path:
    """The folder scenarios are published to and listed from (``SCENARIOS_DIR`` or the repo's)."""
    return resolve_root(None)


def _id_problem(scenario_id: str) -> Problem | None:
    if not ID_RE.fullmatch(scenario_id or ""):
        return Problem(
            "<scenario id>",
            0,
            "id",
            f"expected lower snake case (a-z, 0-9, _), got {scenario_id!r}; "
            "for example 'pat_smoking'",
        )
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
            result.warnings = scenario_warnings(result.scenario)
        except ScenarioError as error:
            result.problems += error.problems
        try:
            result.dialogues = load_dialogues(scenario_id, root)
        except ScenarioError as error:
            result.problems += error.problems
    # Name the files as the author knows them, not by the temporary folder.
    result.problems = [
        replace(p, file=p.file.replace(f"{folder}/", "scenarios/")) for p in result.problems
    ]
    result.warnings = [w.replace(f"{folder}/", "scenarios/") for w in result.warnings]
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
        # mkstemp makes the file private; published files are read like the shipped ones.
        os.chmod(temporary, PUBLISHED_MODE)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def is_live(scenario_id: str, root: Path | None = None) -> bool:
    """True when trainees can choose this scenario now (its file is published)."""
    return (
        _id_problem(scenario_id) is None
        and ((root or scenarios_root()) / f"{scenario_id}.yml").exists()
    )


def publish(
    scenario_id: str,
    text: str,
    tests_text: str = "",
    root: Path | None = None,
    replace_live: bool = False,
) -> Checked:
    """Validates, and only if everything is valid, writes the scenario (and its tests).

    Args:
        replace_live: the author confirmed replacing the live version, which is archived
            first. Without it, publishing over a live scenario raises FileExistsError.

    Returns:
        The check; when ``ok`` is False nothing was written.
    """
    checked = check(scenario_id, text, tests_text)
    if not checked.ok:
        return checked
    folder = root or scenarios_root()
    if is_live(scenario_id, folder):
        if not replace_live:
            raise FileExistsError(f"scenario {scenario_id!r} is live; confirm replacing it")
        _archive(scenario_id, folder, move=False)
    folder.mkdir(parents=True, exist_ok=True)
    tests_path = folder / f"{scenario_id}{TESTS_SUFFIX}"
    if tests_text.strip():
        _write_atomically(tests_path, tests_text)
    else:
        # Tests left over from the replaced version would test a patient that is gone.
        tests_path.unlink(missing_ok=True)
    _write_atomically(folder / f"{scenario_id}.yml", text)
    return checked


@dataclass(frozen=True)
class Archived:
    """One archived version of a scenario: its id and when it stopped being live."""

    scenario_id: str
    stamp: str

    @property
    def label(self) -> str:
        """How the version is offered to an educator."""
        when = datetime.strptime(self.stamp[:15], "%Y%m%d-%H%M%S")
        return f"{self.scenario_id}, archived {when:%d %b %Y %H:%M:%S} UTC"


def _archive(scenario_id: str, folder: Path, move: bool) -> Archived:
    """Copies (or moves) the live files into the archive under a new time stamp."""
    archive = folder / ARCHIVE
    archive.mkdir(exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    taken = {a.stamp for a in archived(folder) if a.scenario_id == scenario_id}
    base, n = stamp, 1
    while stamp in taken:
        n += 1
        stamp = f"{base}-{n}"
    for suffix in (".yml", TESTS_SUFFIX):
        source = folder / f"{scenario_id}{suffix}"
        if source.exists():
            target = archive / f"{scenario_id}.{stamp}{suffix}"
            if move:
                source.replace(target)
            else:
                shutil.copy2(source, target)
    return Archived(scenario_id, stamp)


def archived(root: Path | None = None) -> list[Archived]:
    """Every archived version, newest first."""
    archive = (root or scenarios_root()) / ARCHIVE
    found = []
    for path in archive.glob("*.yml") if archive.is_dir() else []:
        if path.name.endswith(TESTS_SUFFIX):
            continue
        scenario_id, _, stamp = path.name.removesuffix(".yml").partition(".")
        if ID_RE.fullmatch(scenario_id) and stamp:
            found.append(Archived(scenario_id, stamp))
    return sorted(found, key=lambda a: (a.stamp, a.scenario_id), reverse=True)


def unpublish(scenario_id: str, root: Path | None = None) -> Archived:
    """Takes a scenario out of the trainees' list; its files go to the archive.

    Sessions already run keep their transcripts; a session in progress ends its next turn
    with the patient unavailable, as for any removed scenario.
    """
    folder = root or scenarios_root()
    if not is_live(scenario_id, folder):
        raise FileNotFoundError(f"scenario {scenario_id!r} is not published")
    return _archive(scenario_id, folder, move=True)


def archived_text(version: Archived, root: Path | None = None) -> tuple[str, str]:
    """The scenario text and test dialogue text ('' if none) of an archived version."""
    archive = (root or scenarios_root()) / ARCHIVE
    base = f"{version.scenario_id}.{version.stamp}"
    tests = archive / f"{base}{TESTS_SUFFIX}"
    return (
        (archive / f"{base}.yml").read_text(encoding="utf-8"),
        tests.read_text(encoding="utf-8") if tests.exists() else "",
    )


def restore(version: Archived, root: Path | None = None, replace_live: bool = False) -> Checked:
    """Publishes an archived version again (validated like any other; the live one archived)."""
    text, tests_text = archived_text(version, root)
    return publish(version.scenario_id, text, tests_text, root, replace_live)


def excerpt(text: str, line: int, around: int = 2) -> str:
    """The lines around ``line``, numbered, the line itself marked with '>'."""
    lines = text.splitlines()
    first, last = max(1, line - around), min(len(lines), line + around)
    width = len(str(last))
    return "\n".join(
        f"{'>' if n == line else ' '} {n:>{width}} | {lines[n - 1]}" for n in range(first, last + 1)
    )


def preview_reply(
    scenario: Scenario, state: PatientState, text: str, coder: Coder, history: list[Turn]
) -> PatientReply:
    """The patient's answer to one turn, computed locally (no Rasa needed to preview)."""
    codings = coder.code_turn(text, history=history)
    return respond(
        scenario, state, codings, text=text, intent=turn_code_of(codings), encode=reader()
    )


def template(scenario_id: str) -> tuple[str, str]:
    """The scenario text and test dialogue text of a published scenario ('' when missing)."""
    folder = scenarios_root()
    return tuple(  # type: ignore[return-value]
        path.read_text(encoding="utf-8") if path.exists() else ""
        for path in (folder / f"{scenario_id}.yml", folder / f"{scenario_id}{TESTS_SUFFIX}")
    )
