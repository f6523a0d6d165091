"""Replay scripted sessions against a patient and check their expectations."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.patient.engine import CodingLike, PatientReply, respond
from bot.patient.inrole import TRAINEE_TURN
from bot.patient.state import PatientState, start_state
from bot.patient.understand import Encode
from bot.scenario import LAYERS, Scenario
from bot.scenario.dialogues import Dialogue

#: ``code_turn(text, history)`` with history as ``(speaker, text)`` pairs, oldest first.
CodeTurn = Callable[[str, list[tuple[str, str]]], Sequence[CodingLike]]


@dataclass(frozen=True)
class PinnedCoding:
    """A code fixed by a test instead of coming from the coder (shaped like ``Coding``)."""

    text: str
    code: str
    confidence: float = 1.0
    reason: str = "pinned in a test dialogue"


@dataclass
class ReplayResult:
    """The replies of a replayed session and every expectation that failed."""

    replies: list[PatientReply] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    @property
    def final(self) -> PatientState:
        """State after the last turn."""
        return self.replies[-1].state


def replay(
    scenario: Scenario,
    turns: Sequence[tuple[str, Sequence[str] | None]],
    *,
    seed: int = 0,
    code_turn: CodeTurn | None = None,
    intents: Sequence[str | None] | None = None,
    start: dict[str, Any] | None = None,
    encode: Encode | None = None,
) -> list[PatientReply]:
    """Play trainee turns against a fresh patient.

    Args:
        scenario: The patient.
        turns: ``(text, codes)`` per trainee turn; ``codes`` ``None`` asks ``code_turn``.
        seed: Session seed.
        code_turn: Coder for unpinned turns.
        intents: NLU intent per turn (default: ``trainee_turn``).
        start: Start-state values to set (``rapport``, ``discord``, ``readiness``, ``stage``).
        encode: Sentence encoder the patient reads meaning with (words only when ``None``).

    Raises:
        ValueError: A turn has no codes and no coder was given.
    """
    state = start_state(scenario, seed=seed).evolve(**(start or {}))
    history: list[tuple[str, str]] = [("patient", scenario.persona.opening_line)]
    replies = []
    for i, (text, codes) in enumerate(turns):
        if codes is not None:
            codings: Sequence[CodingLike] = [PinnedCoding(text, c) for c in codes]
        elif code_turn is not None:
            codings = code_turn(text, list(history))
        else:
            raise ValueError(f"turn {i + 1} has no pinned code and no coder was given")
        intent = intents[i] if intents is not None and intents[i] else TRAINEE_TURN
        reply = respond(scenario, state, codings, text=text, intent=intent, encode=encode)
        replies.append(reply)
        history += [("trainee", text), ("patient", reply.text)]
        state = reply.state
    return replies


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def check_step(
    expect: dict[str, Any],
    before: PatientState,
    reply: PatientReply,
    tags: frozenset[str] = frozenset(),
) -> list[str]:
    """Return a message for every expectation ``reply`` does not meet."""
    after = reply.state
    out = []
    if "talk" in expect and reply.talk not in _as_list(expect["talk"]):
        out.append(f"talk was {reply.talk}, expected {expect['talk']}")
    if "not_talk" in expect and reply.talk in _as_list(expect["not_talk"]):
        out.append(f"talk was {reply.talk}, expected anything but {expect['not_talk']}")
    for key, test, word in (
        ("rises", lambda a, b: a > b, "rise"),
        ("falls", lambda a, b: a < b, "fall"),
        ("steady", lambda a, b: a == b, "stay the same"),
    ):
        for scale in _as_list(expect.get(key, [])):
            was, now = getattr(before, scale), getattr(after, scale)
            if not test(now, was):
                out.append(f"{scale} went {was:.2f} -> {now:.2f}, expected it to {word}")
    out += check_state(expect, after)
    if "topic" in expect and reply.topic != expect["topic"]:
        out.append(f"topic was {reply.topic}, expected {expect['topic']}")
    if "kind" in expect and reply.kind != expect["kind"]:
        out.append(f"reply kind was {reply.kind}, expected {expect['kind']}")
    bad = tags & set(_as_list(expect.get("no_tags", [])))
    if bad:
        out.append(f"line {reply.line_id} carries forbidden tag(s) {sorted(bad)}")
    for needle in _as_list(expect.get("text_not_contains", [])):
        if needle.lower() in reply.text.lower():
            out.append(f"reply {reply.text!r} contains {needle!r}")
    says = _as_list(expect.get("says", []))
    if says and not any(_says(reply.text, x) for x in says):
        out.append(f"reply {reply.text!r} says none of {says}")
    for word in _as_list(expect.get("says_none", [])):
        if _says(reply.text, word):
            out.append(f"reply {reply.text!r} says {word!r}, which contradicts the persona")
    for key in ("fact", "risk", "permission"):
        if key in expect and getattr(reply, key) != expect[key]:
            out.append(f"{key} was {getattr(reply, key) or 'none'!r}, expected {expect[key]!r}")
    return out


def _says(text: str, words: str) -> bool:
    # Whole words, so "no" does not match "know" and "14" does not match "140".
    return re.search(rf"(?<!\w){re.escape(words.lower())}(?!\w)", text.lower()) is not None


def check_state(expect: dict[str, Any], state: PatientState) -> list[str]:
    """Check the state-level expectations: ``min``, ``max``, ``stage``, ``layer_min``, shares."""
    out = []
    for scale, low in (expect.get("min") or {}).items():
        if getattr(state, scale) < low:
            out.append(f"{scale} is {getattr(state, scale):.2f}, expected at least {low}")
    for scale, high in (expect.get("max") or {}).items():
        if getattr(state, scale) > high:
            out.append(f"{scale} is {getattr(state, scale):.2f}, expected at most {high}")
    if "stage" in expect and state.stage not in _as_list(expect["stage"]):
        out.append(f"stage is {state.stage}, expected {expect['stage']}")
    if "layer_min" in expect and state.layer_index() < LAYERS.index(expect["layer_min"]):
        out.append(f"disclosure reached {state.layer}, expected at least {expect['layer_min']}")
    share = state.change_share()
    if "change_share_min" in expect and share < expect["change_share_min"]:
        out.append(
            f"change talk share {share:.0%}, expected at least {expect['change_share_min']:.0%}"
        )
    if "change_share_max" in expect and share > expect["change_share_max"]:
        out.append(
            f"change talk share {share:.0%}, expected at most {expect['change_share_max']:.0%}"
        )
    return out


def run_dialogue(
    scenario: Scenario,
    dialogue: Dialogue,
    code_turn: CodeTurn | None = None,
    encode: Encode | None = None,
) -> ReplayResult:
    """Replay a test dialogue and collect every failed expectation, with its step and line."""
    turns = [(s.trainee, s.codes) for s in dialogue.steps]
    replies = replay(
        scenario,
        turns,
        seed=dialogue.seed,
        code_turn=code_turn,
        intents=[s.intent for s in dialogue.steps],
        start=dialogue.start,
        encode=encode,
    )
    lines = scenario.lines_by_id()
    result = ReplayResult(replies)
    before = start_state(scenario, seed=dialogue.seed).evolve(**dialogue.start)
    for number, (step, reply) in enumerate(zip(dialogue.steps, replies, strict=True), 1):
        tags = lines[reply.line_id].tags if reply.line_id in lines else frozenset()
        expect = {**dialogue.expect_each, **step.expect}
        for problem in check_step(expect, before, reply, tags):
            result.failures.append(
                f"step {number} (line {step.line}) {step.trainee!r} -> {reply.text!r}: {problem}"
            )
        before = reply.state
    for problem in check_state(dialogue.expect_final, result.final):
        result.failures.append(f"end of dialogue (line {dialogue.line}): {problem}")
    return result
