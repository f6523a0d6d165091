"""Validate a scenario document and build a :class:`Scenario`, reporting every mistake."""

from __future__ import annotations

import difflib
import re
from dataclasses import replace
from typing import Any

from bot.scenario.defaults import (
    DEFAULT_DEFLECT,
    DEFAULT_IN_ROLE,
    DEFAULT_PERMISSION,
    DEFAULT_RISK_NONE,
    DEFAULT_RULER,
)
from bot.scenario.errors import Problem, ScenarioError
from bot.scenario.marked import FieldPath, MarkedDoc, dotted
from bot.scenario.model import (
    DIFFICULTY,
    GENERAL_TOPIC,
    IN_ROLE_KINDS,
    LAYERS,
    LINE_TAGS,
    PERMISSION_ANSWERS,
    RISK_LEVELS,
    STAGES,
    TALKS,
    Fact,
    Line,
    Persona,
    RiskProfile,
    Rules,
    Scenario,
    StartState,
    Topic,
)
from scoring.risk import RISK_KINDS

ID_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
TOP_KEYS = {
    "id": True, "title": True, "change_goal": True, "brief": True, "persona": True,
    "start": True, "rules": False, "topics": True, "short_answers": False, "in_role": False,
    "ruler": False, "difficulty": False, "facts": False, "risk": False, "permission": False,
}  # fmt: skip
PERSONA_KEYS = ("name", "age", "context", "opening_line")
START_KEYS = ("stage", "rapport", "discord", "readiness")
TOPIC_META = ("label", "keywords", "phrasings", "sensitivity")
FACT_KEYS = {
    "ask": True, "answer": True, "keywords": False, "detail": False, "rapport": False,
    "deflect": False, "talk": False, "topic": False,
}  # fmt: skip


def describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    if value == []:
        return "an empty list"
    if isinstance(value, str) and not value.strip():
        return "empty text"
    return f"{type(value).__name__} {value!r}"[:60]


class Checker:
    """Collects problems while reading fields out of a :class:`MarkedDoc`."""

    def __init__(self, doc: MarkedDoc) -> None:
        self.doc = doc
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        # Fields already reported missing: the checks of their value would only repeat it.
        self.missing: set[FieldPath] = set()

    def fail(self, path: FieldPath, message: str) -> None:
        if not any(path[:n] in self.missing for n in range(1, len(path) + 1)):
            self.problems.append(self.doc.problem(path, message))

    def warn(self, path: FieldPath, message: str) -> None:
        self.warnings.append(self.doc.problem(path, message))

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
                where = f"under '{dotted(path)}'" if path else "at the top level"
                # A missing field has no line of its own: point at its section (line 0,
                # no line shown, at the top level rather than at whatever comes first).
                line = self.doc.line(path) if path else 0
                self.problems.append(
                    Problem(
                        self.doc.file,
                        line,
                        dotted((*path, key)),
                        f"missing required field '{key}'; add '{key}:' {where}",
                    )
                )
                self.missing.add((*path, key))
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
            self.fail(path, f"expected a list of texts, got {describe(value)}; add one")
            return ()
        return tuple(self.text(item, (*path, i)) for i, item in enumerate(value))

    def lines(
        self, value: Any, path: FieldPath, talk: str, layer: str, topic: str, id_prefix: str
    ) -> tuple[Line, ...]:
        """Read a list of lines; each is text or ``{text: ..., tags: [...]}``."""
        if not isinstance(value, list) or not value:
            self.fail(
                path, f"expected a non-empty list of lines, got {describe(value)}; add a line"
            )
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
        difficulty=_difficulty(ck, top.get("difficulty")),
        facts=_facts(ck, top.get("facts"), topics),
        risk=_risk(ck, top.get("risk")),
        permission=_shared(
            ck, _yes_no(top.get("permission")), "permission", PERMISSION_ANSWERS, DEFAULT_PERMISSION
        ),
    )
    _check_risk_lines(ck, scenario)
    _check_duplicates(ck, scenario)
    if ck.problems:
        raise ScenarioError(ck.problems)
    return replace(scenario, warnings=tuple(ck.warnings))


def _yes_no(raw: Any) -> Any:
    """YAML reads unquoted ``yes:`` and ``no:`` keys as true and false: take them as meant."""
    if not isinstance(raw, dict):
        return raw
    return {("yes" if k is True else "no" if k is False else k): v for k, v in raw.items()}


def _difficulty(ck: Checker, raw: Any) -> str:
    if raw is None:
        return "standard"
    return ck.choice(raw, ("difficulty",), tuple(DIFFICULTY))


def _facts(ck: Checker, raw: Any, topics: dict[str, Topic]) -> dict[str, Fact]:
    if raw is None:
        ck.warn(
            (),
            "no 'facts': the patient cannot answer questions about their own life (age, "
            "work, family, history); add a 'facts' section (scenarios/README.md, Facts)",
        )
        return {}
    if not isinstance(raw, dict):
        ck.fail(("facts",), f"expected a mapping of fact id to fact, got {describe(raw)}")
        return {}
    body = raw
    out: dict[str, Fact] = {}
    for fact_id, item in body.items():
        path: FieldPath = ("facts", str(fact_id))
        if not ID_RE.fullmatch(str(fact_id)):
            ck.fail(path, "expected a fact id in lower snake case (a-z, 0-9, _)")
        fact = ck.mapping(item, path, FACT_KEYS)
        if not fact:
            continue
        asks = ck.texts(fact.get("ask"), (*path, "ask"), allow_empty=False)
        answer = ck.text(fact.get("answer"), (*path, "answer"))
        rapport = ck.number(fact.get("rapport", 0), (*path, "rapport"), 0, 10)
        deflect = ck.text(fact["deflect"], (*path, "deflect")) if "deflect" in fact else ""
        topic = str(fact.get("topic", GENERAL_TOPIC))
        if topic not in topics:
            hint = difflib.get_close_matches(topic, list(topics), n=1)
            extra = f" (did you mean '{hint[0]}'?)" if hint else ""
            ck.fail((*path, "topic"), f"no topic '{topic}'{extra}; expected one of {list(topics)}")
        if rapport > 0 and not deflect:
            ck.warn(
                (*path, "deflect"),
                f"the fact needs rapport {rapport:g} but has no 'deflect': a generic dodge is used",
            )
        out[str(fact_id)] = Fact(
            id=str(fact_id),
            ask=asks,
            keywords=tuple(k.lower() for k in ck.texts(fact.get("keywords"), (*path, "keywords"))),
            answer=answer,
            detail=ck.text(fact["detail"], (*path, "detail")) if "detail" in fact else answer,
            rapport=rapport,
            deflect=deflect or DEFAULT_DEFLECT,
            talk=ck.choice(fact.get("talk", "neutral"), (*path, "talk"), TALKS[:3]),
            topic=topic,
        )
    return out


def _risk(ck: Checker, raw: Any) -> RiskProfile:
    if raw is None:
        ck.warn(
            (),
            "no 'risk' profile: every risk question is answered as 'none'; add a 'risk' "
            "section (scenarios/README.md, Risk)",
        )
        raw = {}
    allowed = {**dict.fromkeys(RISK_KINDS, False), "rapport": False, "answers": False}
    body = ck.mapping(raw, ("risk",), allowed)
    levels = {
        kind: ck.choice(body.get(kind, "none"), ("risk", kind), RISK_LEVELS[kind])
        for kind in RISK_KINDS
    }
    answers: dict[str, dict[str, str]] = {}
    raw_answers = body.get("answers") or {}
    given = ck.mapping(raw_answers, ("risk", "answers"), dict.fromkeys(RISK_KINDS, False))
    for kind in RISK_KINDS:
        path: FieldPath = ("risk", "answers", kind)
        if kind in given:
            pair = ck.mapping(given[kind], path, {"open": False, "guarded": False})
            answers[kind] = {k: ck.text(v, (*path, k)) for k, v in pair.items()}
        if levels[kind] == "none":
            answers.setdefault(kind, {}).setdefault("open", DEFAULT_RISK_NONE[kind])
        else:
            for key in ("open", "guarded"):
                if key not in answers.get(kind, {}):
                    ck.fail(
                        path,
                        f"risk '{kind}' is '{levels[kind]}', so it needs an '{key}' answer in "
                        "the patient's words ('guarded' hedges but never denies)",
                    )
    return RiskProfile(
        levels, ck.number(body.get("rapport", 5), ("risk", "rapport"), 0, 10), answers
    )


def _check_risk_lines(ck: Checker, scenario: Scenario) -> None:
    # A line that discloses a risk the profile says is absent would contradict the patient.
    for topic in scenario.topics.values():
        for line in topic.all_lines():
            for kind in RISK_KINDS:
                if kind in line.tags and not scenario.risk.present(kind):
                    *head, index = line.id.split(".")
                    ck.fail(
                        ("topics", *head, int(index), "tags"),
                        f"the line is tagged '{kind}' but the risk profile gives "
                        f"'{kind}: none'; set a level under 'risk' or remove the tag",
                    )


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
        if line.id.startswith(("fact.", "risk.")):
            continue  # answers to questions: a fact's detail may well be its answer
        key = line.text.lower()
        if key and key in seen and ".default." not in line.id:
            *head, index = line.id.split(".")
            path: FieldPath = (*head, int(index))
            if head[0] not in ("short_answers", "in_role", "ruler", "permission"):
                path = ("topics", *path)
            ck.fail(path, f"duplicate line (same text as {seen[key]})")
        seen.setdefault(key, line.id)
