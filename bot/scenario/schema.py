"""Validate a scenario document and build a :class:`Scenario`, reporting every mistake."""

from __future__ import annotations

import difflib
import re
from typing import Any

from bot.scenario.defaults import DEFAULT_IN_ROLE, DEFAULT_RULER
from bot.scenario.errors import Problem, ScenarioError
from bot.scenario.marked import FieldPath, MarkedDoc
from bot.scenario.model import (
    GENERAL_TOPIC,
    IN_ROLE_KINDS,
    LAYERS,
    LINE_TAGS,
    STAGES,
    TALKS,
    Line,
    Persona,
    Rules,
    Scenario,
    StartState,
    Topic,
)

ID_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
TOP_KEYS = {
    "id": True, "title": True, "change_goal": True, "brief": True, "persona": True,
    "start": True, "rules": False, "topics": True, "short_answers": False, "in_role": False,
    "ruler": False,
}  # fmt: skip
PERSONA_KEYS = ("name", "age", "context", "opening_line")
START_KEYS = ("stage", "rapport", "discord", "readiness")
TOPIC_META = ("label", "keywords", "phrasings", "sensitivity")


def describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    return f"{type(value).__name__} {value!r}"[:60]


class Checker:
    """Collects problems while reading fields out of a :class:`MarkedDoc`."""

    def __init__(self, doc: MarkedDoc) -> None:
        self.doc = doc
        self.problems: list[Problem] = []

    def fail(self, path: FieldPath, message: str) -> None:
        self.problems.append(self.doc.problem(path, message))

    def mapping(self, value: Any, path: FieldPath, allowed: dict[str, bool]) -> dict[str, Any]:
        """Check a mapping's keys: required ones present, no unknown ones."""
        if not isinstance(value, dict):
            self.fail(
                path, f"expected a mapping with keys {sorted(allowed)}, got {describe(value)}"
            )
            return {}
        for key in value:
            if str(key) not in allowed:
                hint = difflib.get_close_matches(str(key), list(allowed), n=1)
                extra = f" (did you mean '{hint[0]}'?)" if hint else ""
                self.fail(
                    (*path, str(key)), f"unknown field{extra}; expected one of {sorted(allowed)}"
                )
        for key, required in allowed.items():
            if required and key not in value:
                self.fail(path, f"missing required field '{key}'")
        return value

    def text(self, value: Any, path: FieldPath) -> str:
        if not isinstance(value, str) or not value.strip():
            self.fail(path, f"expected non-empty text, got {describe(value)}")
            return ""
        return " ".join(value.split())

    def number(self, value: Any, path: FieldPath, low: float, high: float) -> float:
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not (low <= value <= high)
        ):
            self.fail(path, f"expected a number from {low:g} to {high:g}, got {describe(value)}")
            return low
        return float(value)

    def choice(self, value: Any, path: FieldPath, options: tuple[str, ...]) -> str:
        if value not in options:
            self.fail(path, f"expected one of {list(options)}, got {describe(value)}")
            return options[0]
        return str(value)

    def texts(self, value: Any, path: FieldPath, *, allow_empty: bool = True) -> tuple[str, ...]:
        if value is None and allow_empty:
            return ()
        if not isinstance(value, list) or (not value and not allow_empty):
            self.fail(path, f"expected a list of texts, got {describe(value)}")
            return ()
        return tuple(self.text(item, (*path, i)) for i, item in enumerate(value))

    def lines(
        self, value: Any, path: FieldPath, talk: str, layer: str, topic: str, id_prefix: str
    ) -> tuple[Line, ...]:
        """Read a list of lines; each is text or ``{text: ..., tags: [...]}``."""
        if not isinstance(value, list) or not value:
            self.fail(path, f"expected a non-empty list of lines, got {describe(value)}")
            return ()
        out = []
        for i, item in enumerate(value):
            here = (*path, i)
            tags: frozenset[str] = frozenset()
            if isinstance(item, dict):
                self.mapping(item, here, {"text": True, "tags": False})
                raw_tags = item.get("tags", [])
                if not isinstance(raw_tags, list) or any(t not in LINE_TAGS for t in raw_tags):
                    self.fail(
                        (*here, "tags"),
                        f"expected a list of tags from {list(LINE_TAGS)}, got {describe(raw_tags)}",
                    )
                else:
                    tags = frozenset(raw_tags)
                item = item.get("text")
            text = self.text(item, here)
            out.append(Line(f"{id_prefix}.{i}", text, talk, layer, topic, tags))
        return tuple(out)


def _topic(ck: Checker, topic_id: str, raw: Any) -> Topic | None:
    path: FieldPath = ("topics", topic_id)
    if not ID_RE.fullmatch(topic_id):
        ck.fail(path, "expected a topic id in lower snake case (a-z, 0-9, _)")
    allowed = {key: False for key in (*TOPIC_META, *LAYERS)}
    allowed["keywords"] = topic_id != GENERAL_TOPIC
    body = ck.mapping(raw, path, allowed)
    if not body:
        return None
    keywords = ck.texts(
        body.get("keywords"), (*path, "keywords"), allow_empty=topic_id == GENERAL_TOPIC
    )
    lines: dict[tuple[str, str], tuple[Line, ...]] = {}
    for layer in LAYERS:
        if layer not in body:
            continue
        talks = ck.mapping(body[layer], (*path, layer), {talk: False for talk in TALKS})
        for talk, raw_lines in talks.items():
            if talk in TALKS:
                lines[(layer, talk)] = ck.lines(
                    raw_lines,
                    (*path, layer, talk),
                    talk,
                    layer,
                    topic_id,
                    f"{topic_id}.{layer}.{talk}",
                )
    if not any(layer in body for layer in LAYERS):
        ck.fail(path, f"a topic needs lines under at least one layer of {list(LAYERS)}")
    elif "surface" not in body:
        ck.fail(path, "missing layer 'surface': every topic needs lines reachable at low rapport")
    for side in ("change", "sustain"):
        if lines and not any(talk == side for _, talk in lines):
            ck.fail(
                path, f"a topic needs at least one '{side}' line (real ambivalence has both sides)"
            )
    if topic_id == GENERAL_TOPIC:
        for talk in TALKS:
            if ("surface", talk) not in lines:
                ck.fail(
                    path,
                    f"the 'general' topic needs surface '{talk}' lines (the fallback "
                    "when no other topic fits)",
                )
    label = body.get("label", topic_id.replace("_", " "))
    return Topic(
        topic_id,
        ck.text(label, (*path, "label")),
        tuple(k.lower() for k in keywords),
        ck.texts(body.get("phrasings"), (*path, "phrasings")),
        lines,
        ck.number(body.get("sensitivity", 0), (*path, "sensitivity"), 0, 10),
    )


def _rules(ck: Checker, raw: Any) -> Rules:
    if raw is None:
        return Rules()
    body = ck.mapping(
        raw,
        ("rules",),
        {"harm_reduction": False, "abstinence_min_turn": False, "layer_rapport": False},
    )
    harm = body.get("harm_reduction", False)
    if not isinstance(harm, bool):
        ck.fail(("rules", "harm_reduction"), f"expected true or false, got {describe(harm)}")
        harm = False
    min_turn = int(
        ck.number(body.get("abstinence_min_turn", 12), ("rules", "abstinence_min_turn"), 1, 200)
    )
    layer_rapport = dict(Rules().layer_rapport)
    if "layer_rapport" in body:
        raw_lr = ck.mapping(
            body["layer_rapport"], ("rules", "layer_rapport"), {"concerns": False, "core": False}
        )
        for key in ("concerns", "core"):
            if key in raw_lr:
                layer_rapport[key] = ck.number(raw_lr[key], ("rules", "layer_rapport", key), 0, 10)
        if layer_rapport["core"] < layer_rapport["concerns"]:
            ck.fail(("rules", "layer_rapport"), "expected core >= concerns")
    return Rules(harm, min_turn, layer_rapport)


def _shared(
    ck: Checker, raw: Any, field: str, kinds: tuple[str, ...], defaults: dict[str, tuple[str, ...]]
) -> dict[str, tuple[Line, ...]]:
    body = ck.mapping(raw, (field,), {k: False for k in kinds}) if raw is not None else {}
    out: dict[str, tuple[Line, ...]] = {}
    for kind in kinds:
        # In-role answers keep the patient in character; they say nothing about the change goal.
        talk = kind if kind in TALKS else "neutral"
        if kind in body:
            out[kind] = ck.lines(
                body[kind], (field, kind), talk, "surface", f"{field}.{kind}", f"{field}.{kind}"
            )
        elif kind in defaults:
            out[kind] = tuple(
                Line(f"{field}.{kind}.default.{i}", text, talk, "surface", f"{field}.{kind}")
                for i, text in enumerate(defaults[kind])
            )
    return out


def build_scenario(doc: MarkedDoc, expected_id: str) -> Scenario:
    """Validate a parsed scenario document.

    Args:
        doc: The document with line marks.
        expected_id: The file stem, which the ``id`` field must match.

    Returns:
        The scenario.

    Raises:
        ScenarioError: Listing every problem found, each with file, line and field.
    """
    ck = Checker(doc)
    top = ck.mapping(doc.data, (), TOP_KEYS)
    if not top:
        raise ScenarioError(ck.problems)
    if top.get("id") != expected_id:
        ck.fail(
            ("id",),
            f"expected '{expected_id}' (the file name without .yml), got {describe(top.get('id'))}",
        )
    persona_raw = ck.mapping(top.get("persona"), ("persona",), dict.fromkeys(PERSONA_KEYS, True))
    persona = Persona(
        ck.text(persona_raw.get("name"), ("persona", "name")),
        int(ck.number(persona_raw.get("age"), ("persona", "age"), 12, 110)),
        ck.text(persona_raw.get("context"), ("persona", "context")),
        ck.text(persona_raw.get("opening_line"), ("persona", "opening_line")),
    )
    start_raw = ck.mapping(top.get("start"), ("start",), dict.fromkeys(START_KEYS, True))
    start = StartState(
        ck.choice(start_raw.get("stage"), ("start", "stage"), STAGES[:3]),
        *(ck.number(start_raw.get(k), ("start", k), 0, 10) for k in START_KEYS[1:]),
    )
    topics: dict[str, Topic] = {}
    raw_topics = top.get("topics")
    if not isinstance(raw_topics, dict) or not raw_topics:
        ck.fail(("topics",), f"expected a mapping of topic id to topic, got {describe(raw_topics)}")
    else:
        for topic_id, raw in raw_topics.items():
            topic = _topic(ck, str(topic_id), raw)
            if topic is not None:
                topics[topic.id] = topic
        if GENERAL_TOPIC not in raw_topics:
            ck.fail(("topics",), "missing topic 'general' (the fallback when no topic fits)")
    scenario = Scenario(
        id=expected_id,
        title=ck.text(top.get("title"), ("title",)),
        brief=ck.text(top.get("brief"), ("brief",)),
        change_goal=ck.text(top.get("change_goal"), ("change_goal",)),
        persona=persona,
        start=start,
        rules=_rules(ck, top.get("rules")),
        topics=topics,
        short_answers=_shared(ck, top.get("short_answers"), "short_answers", TALKS, {}),
        in_role=_shared(ck, top.get("in_role"), "in_role", IN_ROLE_KINDS, DEFAULT_IN_ROLE),
        ruler=_ruler(ck, top.get("ruler")),
        path=doc.file,
    )
    _check_duplicates(ck, scenario)
    if ck.problems:
        raise ScenarioError(ck.problems)
    return scenario


def _ruler(ck: Checker, raw: Any) -> tuple[Line, ...]:
    if raw is None:
        return tuple(
            Line(f"ruler.default.{i}", text, "neutral", "surface", "ruler")
            for i, text in enumerate(DEFAULT_RULER)
        )
    lines = ck.lines(raw, ("ruler",), "neutral", "surface", "ruler", "ruler")
    for i, line in enumerate(lines):
        if line.text and (line.text.count("{n}") != 1 or line.text.count("{") != 1):
            ck.fail(
                ("ruler", i),
                "expected the text to contain '{n}' (the number) exactly once and no other braces",
            )
    return lines


def _check_duplicates(ck: Checker, scenario: Scenario) -> None:
    # The patient must not say the same words twice; duplicates would defeat that silently.
    seen: dict[str, str] = {}
    for line in scenario.lines_by_id().values():
        key = line.text.lower()
        if key and key in seen and ".default." not in line.id:
            *head, index = line.id.split(".")
            path: FieldPath = (*head, int(index))
            if head[0] not in ("short_answers", "in_role", "ruler"):
                path = ("topics", *path)
            ck.fail(path, f"duplicate line (same text as {seen[key]})")
        seen.setdefault(key, line.id)
