"""The scenario form: what educators change most, read from and written back to the YAML.

The form never validates anything itself: it turns its fields into the scenario document,
which is dumped to YAML and checked by the same loader as a file. Everything the form does
not show (keywords of facts, rules, in-role answers, tags...) is carried over untouched.
"""

from __future__ import annotations

import copy
from typing import Any

import yaml

from bot.scenario import GENERAL_TOPIC, LAYERS, STAGES, TALKS
from bot.scenario.model import DIFFICULTY, RISK_LEVELS

RISK_KINDS = tuple(RISK_LEVELS)
RISK_NAMES = {
    "suicidal_thoughts": "Suicidal thoughts",
    "self_harm": "Self-harm",
    "overdose": "Overdose",
    "psychosis": "Psychotic symptoms",
    "safeguarding": "Safeguarding",
}
TALK_HELP = {
    "change": "Change talk: the patient's own reasons, wishes or steps towards the change goal.",
    "sustain": "Sustain talk: the case for things staying as they are.",
    "neutral": "Neutral: answers, narrative, the patient's life, no lean either way.",
    "discord": "Discord: friction with you (defensive, dismissive, pushing back).",
}
#: Form labels of the fields the form edits, for placing a loader message in the form.
PLACES = {
    "title": "Persona: Title",
    "brief": "Persona: Brief",
    "change_goal": "Persona: Change goal",
    "difficulty": "Persona: Difficulty",
    "persona.name": "Persona: Name",
    "persona.age": "Persona: Age",
    "persona.context": "Persona: Background",
    "persona.opening_line": "Persona: Opening line",
    "start.stage": "Persona: Stage of change at the start",
}


def parse(text: str) -> dict[str, Any] | None:
    """The document of a YAML text, or None when it is not a YAML mapping (the loader says why)."""
    try:
        data = yaml.safe_load(text) if text.strip() else None
    except yaml.YAMLError:
        return None
    return data if isinstance(data, dict) else None


def dump(data: dict[str, Any]) -> str:
    """The YAML of a document, fields in the order the form and the README use."""
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def blank(scenario_id: str) -> dict[str, Any]:
    """A new scenario with every required field present and empty, for the form to fill."""
    return {
        "id": scenario_id,
        "title": "",
        "change_goal": "",
        "brief": "",
        "persona": {"name": "", "age": 40, "context": "", "opening_line": ""},
        "difficulty": "standard",
        "start": {"stage": "precontemplation", "rapport": 3, "discord": 2, "readiness": 2},
        "topics": {
            GENERAL_TOPIC: {"label": "How things are", "surface": {t: [] for t in TALKS}},
        },
        "facts": {},
        "risk": {kind: "none" for kind in RISK_KINDS},
    }


def _mapping(value: Any) -> dict[str, Any]:
    # Form values are read from documents the loader has not accepted yet: any shape.
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str:
    return "" if value is None else " ".join(str(value).split())


def _line_text(line: Any) -> str:
    return _text(line.get("text")) if isinstance(line, dict) else _text(line)


def place(field: str) -> str:
    """Where in the form a loader message's field is edited ('' if only in the YAML)."""
    parts = field.replace("[", ".").replace("]", "").split(".")
    if field in PLACES:
        return PLACES[field]
    if parts[0] == "facts" and len(parts) > 1:
        names = {"ask": "Example questions", "answer": "Answer", "detail": "Detail"}
        inner = names.get(parts[2], "") if len(parts) > 2 else ""
        return f"Facts: '{parts[1]}'" + (f", {inner}" if inner else "")
    if parts[0] == "risk":
        kinds = [p for p in parts if p in RISK_KINDS]
        return "Risk profile" + (f": {RISK_NAMES[kinds[0]]}" if kinds else "")
    if parts[0] == "topics" and len(parts) > 1:
        rest = [p for p in parts[2:4] if p in LAYERS or p in TALKS]
        return f"Lines: topic '{parts[1]}'" + (f", {' / '.join(rest)}" if rest else "")
    return ""


# Reading the document into form values. Keys are flat strings the page prefixes for
# session state; facts are numbered in file order, so renaming a fact keeps its place.


def persona_values(data: dict[str, Any]) -> dict[str, Any]:
    persona = _mapping(data.get("persona"))
    start = _mapping(data.get("start"))
    age = persona.get("age")
    return {
        "title": _text(data.get("title")),
        "name": _text(persona.get("name")),
        "age": age if isinstance(age, int) and not isinstance(age, bool) else 40,
        "context": _text(persona.get("context")),
        "opening_line": _text(persona.get("opening_line")),
        "brief": _text(data.get("brief")),
        "change_goal": _text(data.get("change_goal")),
        "difficulty": data.get("difficulty")
        if data.get("difficulty") in DIFFICULTY
        else "standard",
        "stage": start.get("stage") if start.get("stage") in STAGES[:3] else STAGES[0],
    }


def facts(data: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    raw = data.get("facts")
    return [(str(k), _mapping(v)) for k, v in _mapping(raw).items()]


def fact_values(fact_id: str, fact: dict[str, Any]) -> dict[str, Any]:
    ask = fact.get("ask")
    return {
        "id": fact_id,
        "ask": "\n".join(_text(a) for a in ask) if isinstance(ask, list) else _text(ask),
        "answer": _text(fact.get("answer")),
        "detail": _text(fact.get("detail")),
    }


def risk_values(data: dict[str, Any]) -> dict[str, Any]:
    risk = _mapping(data.get("risk"))
    answers = _mapping(risk.get("answers"))
    rapport = risk.get("rapport", 5)
    values: dict[str, Any] = {
        "rapport": rapport
        if isinstance(rapport, int | float) and not isinstance(rapport, bool)
        else 5
    }
    for kind in RISK_KINDS:
        level = risk.get(kind, "none")
        values[kind] = level if level in RISK_LEVELS[kind] else "none"
        pair = _mapping(answers.get(kind))
        for key in ("open", "guarded"):
            values[f"{kind}.{key}"] = _text(pair.get(key))
    return values


def topic_ids(data: dict[str, Any]) -> list[str]:
    topics = data.get("topics")
    return [str(t) for t in topics] if isinstance(topics, dict) else []


def topic_values(data: dict[str, Any], topic_id: str, layer: str) -> dict[str, Any]:
    topic = _mapping(_mapping(data.get("topics")).get(topic_id))
    lines = _mapping(topic.get(layer))
    keywords = topic.get("keywords")
    values: dict[str, Any] = {
        "label": _text(topic.get("label")),
        "keywords": ", ".join(_text(k) for k in keywords) if isinstance(keywords, list) else "",
    }
    for talk in TALKS:
        said = lines.get(talk)
        values[talk] = "\n".join(_line_text(x) for x in said) if isinstance(said, list) else ""
    return values


# Writing form values back. Each function returns a new document.


def _lines_of(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def _set_text(target: dict[str, Any], key: str, value: str) -> None:
    target[key] = " ".join(value.split())


def with_persona(data: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(data)
    for key in ("title", "brief", "change_goal"):
        _set_text(out, key, values[key])
    persona = out["persona"] = dict(out.get("persona") or {})
    for key in ("name", "context", "opening_line"):
        _set_text(persona, key, values[key])
    persona["age"] = int(values["age"])
    out["difficulty"] = values["difficulty"]
    start = out["start"] = dict(out.get("start") or {})
    start["stage"] = values["stage"]
    return out


def with_facts(data: dict[str, Any], rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The document with its facts replaced by ``rows`` (the form's, in order).

    Row n edits the n-th fact: what the form does not show (keywords, rapport, topic...)
    stays as it was, even when the fact's id is changed.
    """
    out = copy.deepcopy(data)
    if not rows and "facts" not in data:
        return out  # the loader's warning about missing facts stays
    before = facts(data)
    new: dict[str, Any] = {}
    for n, row in enumerate(rows):
        fact = dict(before[n][1]) if n < len(before) else {}
        fact["ask"] = _lines_of(row["ask"])
        _set_text(fact, "answer", row["answer"])
        if row["detail"].strip():
            _set_text(fact, "detail", row["detail"])
        else:
            fact.pop("detail", None)
        new[" ".join(row["id"].split()) or f"fact_{n + 1}"] = fact
    out["facts"] = new
    return out


def add_fact(data: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(data)
    taken = set(out.get("facts") or {})
    n = len(taken) + 1
    while f"fact_{n}" in taken:
        n += 1
    out["facts"] = {**(out.get("facts") or {}), f"fact_{n}": {"ask": [], "answer": ""}}
    return out


def remove_fact(data: dict[str, Any], index: int) -> dict[str, Any]:
    out = copy.deepcopy(data)
    kept = [item for n, item in enumerate(facts(data)) if n != index]
    out["facts"] = dict(kept)
    return out


def with_risk(data: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(data)
    if "risk" not in data and values == risk_values(data):
        return out  # untouched: the loader's warning about a missing profile stays
    risk = dict(_mapping(out.get("risk")))
    answers = dict(_mapping(risk.get("answers")))
    for kind in RISK_KINDS:
        risk[kind] = values[kind]
        pair = {k: " ".join(values[f"{kind}.{k}"].split()) for k in ("open", "guarded")}
        pair = {k: v for k, v in pair.items() if v}
        if pair:
            answers[kind] = pair
        else:
            answers.pop(kind, None)
    risk["rapport"] = values["rapport"]
    if answers:
        risk["answers"] = answers
    else:
        risk.pop("answers", None)
    out["risk"] = risk
    return out


def with_topic(
    data: dict[str, Any], topic_id: str, layer: str, values: dict[str, Any]
) -> dict[str, Any]:
    """The document with one topic's label, keywords and the lines of one layer replaced.

    A line whose text is unchanged keeps its tags (``short``, a risk kind...); tags are set
    in the YAML view. An emptied talk is removed, an emptied deeper layer too.
    """
    out = copy.deepcopy(data)
    topics = out["topics"] = dict(out.get("topics") or {})
    topic = topics[topic_id] = dict(topics.get(topic_id) or {})
    _set_text(topic, "label", values["label"])
    if not topic["label"]:
        topic.pop("label")
    keywords = [k.strip() for k in values["keywords"].split(",") if k.strip()]
    if keywords or topic_id != GENERAL_TOPIC:
        topic["keywords"] = keywords
    before = _mapping(topic.get(layer))
    lines: dict[str, Any] = {}
    for talk in TALKS:
        old = before.get(talk)
        old = old if isinstance(old, list) else []
        tagged = {_line_text(x): x for x in old if isinstance(x, dict)}
        said = [tagged.get(text, text) for text in _lines_of(values[talk])]
        if said or (topic_id == GENERAL_TOPIC and layer == "surface"):
            lines[talk] = said
    if lines or layer == "surface":
        topic[layer] = lines
    else:
        topic.pop(layer, None)
    return out


def add_topic(data: dict[str, Any], topic_id: str, label: str) -> dict[str, Any]:
    out = copy.deepcopy(data)
    topics = out["topics"] = dict(out.get("topics") or {})
    topics.setdefault(topic_id, {"label": label, "keywords": [], "surface": {}})
    return out
