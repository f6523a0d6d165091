"""The scenario loader on bad files and ids: a ScenarioError with a reason, never a crash."""

from __future__ import annotations

import copy
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.scenario import Scenario, ScenarioError, load_scenario
from bot.scenario.loader import DEFAULT_ROOT

SAMPLE = "reluctant_psychiatric"
PROPERTY = settings(
    max_examples=120, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)


def load_text(text: str, scenario_id: str = "probe") -> Scenario:
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / f"{scenario_id}.yml").write_text(text, encoding="utf-8")
        return load_scenario(scenario_id, root=folder)


@pytest.mark.parametrize(
    "scenario_id",
    [
        "../scenarios/reluctant_psychiatric",
        "../../etc/passwd",
        "/etc/passwd",
        "reluctant_psychiatric/../reluctant_psychiatric",
        "..",
        "",
        "Reluctant",
        "x" * 65,
        "a\x00b",
        "reluctant_psychiatric\n",
        "%2e%2e%2fetc",
        None,
        42,
        ["reluctant_psychiatric"],
    ],
)
def test_ids_that_could_leave_the_folder_are_refused(scenario_id: Any) -> None:
    with pytest.raises(ScenarioError):
        load_scenario(scenario_id)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "---\n",
        "just a string",
        "- a\n- list\n",
        "id: probe\ntitle: [unclosed\n",
        "id: probe\nid: probe\n",
        "\t- tabs: are not yaml\n",
        "!!python/object/apply:os.system ['true']\n",
        "persona: 5\ntopics: 'none'\nlines: {}\n",
        "id: probe\n" + "x: " + "a" * 2_000_000 + "\n",
    ],
    ids=[
        "empty", "empty_doc", "scalar", "list", "syntax", "duplicate_key", "tabs",
        "python_tag", "wrong_types", "huge_2mb",
    ],
)  # fmt: skip
def test_invalid_files_raise_a_scenario_error_with_a_reason(text: str) -> None:
    with pytest.raises(ScenarioError) as refused:
        load_text(text)
    assert str(refused.value).strip()


def test_a_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    (tmp_path / "probe.yml").write_bytes(b"id: probe\ntitle: \xff\xfe\n")
    with pytest.raises(ScenarioError):
        load_scenario("probe", root=tmp_path)


def test_a_recursive_yaml_file_is_refused() -> None:
    with pytest.raises(ScenarioError):
        load_text("id: probe\nloop: &loop [*loop]\n")


BILLION_LAUGHS = "\n".join(
    ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    + [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 9)]
)


def test_an_alias_bomb_is_refused_quickly(tmp_path: Path) -> None:
    (tmp_path / "probe.yml").write_text(BILLION_LAUGHS)
    code = (
        "import sys\nfrom bot.scenario import ScenarioError, load_scenario\n"
        "try:\n    load_scenario('probe', root=sys.argv[1])\n"
        "except ScenarioError:\n    sys.exit(0)\nsys.exit(1)\n"
    )
    # A child with a time limit: if the bug is present the loader would never return. The
    # limit is generous because a busy CI machine can take seconds just to start the child.
    try:
        result = subprocess.run([sys.executable, "-c", code, str(tmp_path)], timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("the loader was still expanding aliases after 60 s")
    assert result.returncode == 0


# ---- property-based: the parser either builds a scenario or explains why not ----

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=30)
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=20,
)


@pytest.fixture(scope="module")
def sample() -> dict[str, Any]:
    return yaml.safe_load((DEFAULT_ROOT / f"{SAMPLE}.yml").read_text(encoding="utf-8"))


def paths(data: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix] if prefix else []
    if isinstance(data, dict):
        for key, value in data.items():
            found += paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += paths(value, (*prefix, index))
    return found


def assert_loads_or_explains(text: str) -> None:
    try:
        scenario = load_text(text)
    except ScenarioError as error:
        assert str(error).strip()
    else:
        assert isinstance(scenario, Scenario)


@PROPERTY
@given(st.text(max_size=400))
def test_any_text_loads_or_raises_a_scenario_error(text: str) -> None:
    assert_loads_or_explains(text)


@PROPERTY
@given(st.dictionaries(st.text(max_size=15), values, max_size=8))
def test_any_mapping_loads_or_raises_a_scenario_error(document: dict[str, Any]) -> None:
    assert_loads_or_explains(yaml.safe_dump(document, allow_unicode=True))


@PROPERTY
@given(st.data())
def test_a_valid_scenario_with_one_field_replaced_loads_or_raises(
    sample: dict[str, Any], data: st.DataObject
) -> None:
    document = copy.deepcopy(sample)
    document["id"] = "probe"
    target = data.draw(st.sampled_from(paths(document)))
    parent = document
    for part in target[:-1]:
        parent = parent[part]
    parent[target[-1]] = data.draw(values)
    assert_loads_or_explains(yaml.safe_dump(document, allow_unicode=True))
