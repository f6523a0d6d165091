"""Read and validate a scenario's test dialogues (``scenarios/<id>.tests.yml``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.scenario.errors import ScenarioError
from bot.scenario.loader import TESTS_SUFFIX, display_path, resolve_root, scenario_path
from bot.scenario.marked import FieldPath, read_marked
from bot.scenario.model import (
    EXTRA_INTENTS,
    LAYERS,
    LINE_TAGS,
    MITI_CODES,
    PERMISSION_ANSWERS,
    STAGES,
    TALKS,
)
from bot.scenario.schema import Checker, describe
from scoring.risk import RISK_KINDS

SCALES = ("rapport", "discord", "readiness")
STEP_EXPECT = {
    "talk", "not_talk", "rises", "falls", "steady", "min", "max", "stage", "topic",
    "layer_min", "kind", "no_tags", "text_not_contains", "says", "says_none", "fact", "risk",
    "permission",
}  # fmt: skip
#: What a probe dialogue checks; ``make bench-patient`` reports the share answered as expected.
PROBES = ("fact", "mixed", "permission", "risk", "evoked")
FINAL_EXPECT = {"min", "max", "stage", "change_share_min", "change_share_max", "layer_min"}


@dataclass(frozen=True)
class Step:
    """One trainee turn of a test dialogue.

    Attributes:
        trainee: What the trainee says.
        codes: Pinned codes (one per thought unit), or ``None`` to use the real coder.
        intent: Pinned NLU intent, or ``None`` for the first code.
        expect: Expectations on the reply (validated keys of :data:`STEP_EXPECT`).
        line: Line of the step in the file, for failure messages.
    """

    trainee: str
    codes: tuple[str, ...] | None
    intent: str | None
    expect: dict[str, Any]
    line: int


@dataclass(frozen=True)
class Dialogue:
    """A named scripted session with expectations."""

    name: str
    seed: int
    steps: tuple[Step, ...]
    expect_each: dict[str, Any] = field(default_factory=dict)
    expect_final: dict[str, Any] = field(default_factory=dict)
    line: int = 0
    probe: str = ""
    start: dict[str, Any] = field(default_factory=dict)


def _listed(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def _expect(ck: Checker, raw: Any, path: FieldPath, allowed: set[str]) -> dict[str, Any]:
    if raw is None:
        return {}
    body = ck.mapping(raw, path, dict.fromkeys(sorted(allowed), False))
    options = {
        "talk": TALKS, "not_talk": TALKS, "stage": STAGES, "layer_min": LAYERS,
        "rises": SCALES, "falls": SCALES, "steady": SCALES, "no_tags": LINE_TAGS,
        "risk": RISK_KINDS, "permission": PERMISSION_ANSWERS,
    }  # fmt: skip
    if isinstance(body.get("permission"), bool):
        # Unquoted yes / no in YAML are true / false.
        body = {**body, "permission": "yes" if body["permission"] else "no"}
    for key, value in body.items():
        here = (*path, key)
        if key in options:
            for item in _listed(value):
                ck.choice(item, here, options[key])
        elif key in ("min", "max"):
            scales = ck.mapping(value, here, dict.fromkeys(SCALES, False))
            for scale, number in scales.items():
                ck.number(number, (*here, scale), 0, 10)
        elif key in ("change_share_min", "change_share_max"):
            ck.number(value, here, 0, 1)
        elif key in ("topic", "kind", "fact"):
            ck.text(value, here)
        elif key in ("says", "says_none", "text_not_contains"):
            for i, item in enumerate(_listed(value)):
                ck.text(item, (*here, i) if isinstance(value, list) else here)
    return {k: v for k, v in body.items() if k in allowed}


def load_dialogues(scenario_id: str, root: str | Path | None = None) -> list[Dialogue]:
    """Load the test dialogues of a scenario (an empty list when it has none).

    Raises:
        ScenarioError: Every problem in the file, with line numbers.
    """
    path = scenario_path(scenario_id, root).with_name(f"{scenario_id}{TESTS_SUFFIX}")
    if not (resolve_root(root) / path.name).exists():
        return []
    doc = read_marked(path, display_path(path))
    ck = Checker(doc)
    top = ck.mapping(doc.data, (), {"scenario": True, "dialogues": True})
    if top and top.get("scenario") != scenario_id:
        named = top.get("scenario")
        # Most often the dialogues of a scenario copied under a new id: say what to write.
        shown = f"'{named}'" if isinstance(named, str) and named.strip() else describe(named)
        ck.fail(
            ("scenario",),
            f"these dialogues name the scenario {shown}, but they test '{scenario_id}': "
            f"write `scenario: {scenario_id}`",
        )
    raw_dialogues = top.get("dialogues") if top else None
    if not isinstance(raw_dialogues, list) or not raw_dialogues:
        ck.fail(
            ("dialogues",), f"expected a non-empty list of dialogues, got {describe(raw_dialogues)}"
        )
        raw_dialogues = []
    out = []
    codes_or_intents = (*MITI_CODES, *EXTRA_INTENTS)
    for i, raw in enumerate(raw_dialogues):
        here: FieldPath = ("dialogues", i)
        body = ck.mapping(
            raw,
            here,
            {
                "name": True,
                "seed": False,
                "steps": True,
                "expect_each": False,
                "expect_final": False,
                "probe": False,
                "start": False,
            },
        )
        steps = []
        raw_steps = body.get("steps")
        if not isinstance(raw_steps, list) or not raw_steps:
            ck.fail(
                (*here, "steps"), f"expected a non-empty list of steps, got {describe(raw_steps)}"
            )
            raw_steps = []
        for j, raw_step in enumerate(raw_steps):
            sp: FieldPath = (*here, "steps", j)
            st = ck.mapping(
                raw_step, sp, {"trainee": True, "code": False, "intent": False, "expect": False}
            )
            codes = None
            if "code" in st:
                codes = tuple(ck.choice(c, (*sp, "code"), MITI_CODES) for c in _listed(st["code"]))
            intent = (
                ck.choice(st["intent"], (*sp, "intent"), codes_or_intents)
                if "intent" in st
                else None
            )
            steps.append(
                Step(
                    ck.text(st.get("trainee"), (*sp, "trainee")),
                    codes,
                    intent,
                    _expect(ck, st.get("expect"), (*sp, "expect"), STEP_EXPECT),
                    doc.line(sp),
                )
            )
        seed = int(ck.number(body.get("seed", 0), (*here, "seed"), 0, 2**31))
        probe = ck.choice(body["probe"], (*here, "probe"), PROBES) if "probe" in body else ""
        start = ck.mapping(body.get("start") or {}, (*here, "start"), {
            **dict.fromkeys(SCALES, False), "stage": False,
        })  # fmt: skip
        for key, value in start.items():
            if key == "stage":
                ck.choice(value, (*here, "start", key), STAGES)
            elif key in SCALES:
                ck.number(value, (*here, "start", key), 0, 10)
        out.append(Dialogue(
            ck.text(body.get("name"), (*here, "name")), seed, tuple(steps),
            _expect(ck, body.get("expect_each"), (*here, "expect_each"), STEP_EXPECT),
            _expect(ck, body.get("expect_final"), (*here, "expect_final"), FINAL_EXPECT),
            doc.line(here), probe, dict(start),
        ))  # fmt: skip
    if ck.problems:
        raise ScenarioError(ck.problems)
    return out
