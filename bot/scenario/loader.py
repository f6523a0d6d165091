"""Find, load and cache scenario files from the scenarios directory."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from bot.scenario.errors import Problem, ScenarioError
from bot.scenario.marked import read_marked
from bot.scenario.model import Scenario
from bot.scenario.schema import ID_RE, build_scenario

#: ``<repo>/scenarios``: this file is ``<repo>/bot/scenario/loader.py``.
DEFAULT_ROOT = Path(__file__).resolve().parents[2] / "scenarios"
TESTS_SUFFIX = ".tests.yml"

# Actions call load_scenario on every turn; parse each file once per (path, mtime, size).
_cache: dict[Path, tuple[tuple[int, int], Scenario]] = {}
_lock = threading.Lock()


#: Names another scenarios folder for every process (app, action server, checker): an
#: institution keeps its own patients outside the checkout, and tests use a private folder.
ROOT_ENV = "SCENARIOS_DIR"


def resolve_root(root: str | Path | None) -> Path:
    if root is not None:
        return Path(root)
    return Path(os.environ.get(ROOT_ENV) or DEFAULT_ROOT)


def scenario_path(scenario_id: str, root: str | Path | None = None) -> Path:
    """Return the file of a scenario id, refusing ids that could escape the directory.

    Raises:
        ScenarioError: The id is not lower snake case.
    """
    if not isinstance(scenario_id, str) or not ID_RE.fullmatch(scenario_id):
        raise ScenarioError(
            [
                Problem(
                    "<scenario id>",
                    0,
                    "id",
                    f"expected lower snake case (a-z, 0-9, _), got {scenario_id!r}",
                )
            ]
        )
    return resolve_root(root) / f"{scenario_id}.yml"


def list_scenarios(root: str | Path | None = None) -> list[str]:
    """Return the ids of the scenarios in ``root``, sorted.

    Only file names that are valid ids count; test dialogue files are skipped. The files
    are not validated here (call :func:`load_scenario`).
    """
    folder = resolve_root(root)
    if not folder.is_dir():
        return []
    ids = (
        p.name[: -len(".yml")] for p in folder.glob("*.yml") if not p.name.endswith(TESTS_SUFFIX)
    )
    return sorted(i for i in ids if ID_RE.fullmatch(i))


def load_scenario(scenario_id: str, root: str | Path | None = None) -> Scenario:
    """Load and validate one scenario, cached until its file changes.

    Args:
        scenario_id: File stem, e.g. ``reluctant_psychiatric``.
        root: Scenarios directory; defaults to ``<repo>/scenarios``.

    Returns:
        The validated scenario.

    Raises:
        ScenarioError: Unknown id, unreadable file, or every schema problem found.
    """
    path = scenario_path(scenario_id, root)
    try:
        stat = path.stat()
    except OSError as exc:
        known = ", ".join(list_scenarios(root)) or "none"
        raise ScenarioError(
            [Problem(str(path), 0, "", f"no such scenario '{scenario_id}' (known: {known})")]
        ) from exc
    key = (stat.st_mtime_ns, stat.st_size)
    with _lock:
        cached = _cache.get(path)
        if cached and cached[0] == key:
            return cached[1]
    scenario = build_scenario(read_marked(path, display_path(path)), scenario_id)
    with _lock:
        _cache[path] = (key, scenario)
    return scenario


def display_path(path: Path) -> str:
    # Error messages name the file relative to the repository when they can, for editors.
    try:
        return str(path.resolve().relative_to(DEFAULT_ROOT.parent))
    except ValueError:
        return str(path)
