"""Drills from the trainee's own weak turns, and coding of their rewrites on submission."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from scoring import Coder, Turn
from trainer_ui.corrections import coded_session
from trainer_ui.store import PracticeSession

#: What each kind of weak utterance should become, and the instruction for the drill.
DRILLS = {
    "question_closed": (
        {"question_open"},
        "Rewrite these closed questions as open ones.",
    ),
    "reflection_simple": (
        {"reflection_complex"},
        "Deepen these simple reflections: add the feeling or meaning underneath.",
    ),
    "persuade": (
        {"seeking_collaboration", "persuade_with_permission", "question_open"},
        "Turn this advice into asking permission or asking for the patient's view.",
    ),
    "confront": (
        {"reflection_complex", "reflection_simple", "seeking_collaboration", "question_open"},
        "Replace these confrontations with a reflection or an invitation.",
    ),
}
SIZE = 3


@dataclass(frozen=True)
class Item:
    """One weak utterance to rewrite, with what the patient had said before it."""

    text: str
    prev: str


@dataclass(frozen=True)
class Drill:
    """A short exercise: rewrite a few of your own weak utterances."""

    code: str
    instruction: str
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Result:
    """How a rewrite was coded."""

    item: Item
    answer: str
    code: str
    reason: str
    passed: bool


def build_drills(sessions: Iterable[PracticeSession], size: int = SIZE) -> list[Drill]:
    """One drill per kind of weak utterance found, newest utterances first."""
    found: dict[str, list[Item]] = {code: [] for code in DRILLS}
    for session in sorted(sessions, key=lambda s: s.started_at, reverse=True):
        coded = coded_session(session)
        if coded is None:
            continue
        # The supervisor's codes: a closed question corrected to open is no drill.
        transcript = coded.transcript
        prev = transcript.opening
        for exchange in transcript.exchanges:
            for coding in exchange.codings:
                items = found.get(coding.code)
                if items is not None and all(i.text != coding.text for i in items):
                    items.append(Item(coding.text, prev))
            prev = exchange.patient_text
    return [
        Drill(code, DRILLS[code][1], tuple(items[:size])) for code, items in found.items() if items
    ]


def grade(drill: Drill, answers: list[str], coder: Coder) -> list[Result]:
    """Codes each rewrite (in the patient's context) and says whether it hit the target."""
    targets = DRILLS[drill.code][0]
    results = []
    for item, answer in zip(drill.items, answers, strict=False):
        if not answer.strip():
            continue
        history = [Turn("patient", item.prev)] if item.prev else []
        codings = coder.code_turn(answer, history=history)
        codes = [c.code for c in codings]
        hit = [c for c in codings if c.code in targets]
        # The weak code must be gone, and at least one unit must be what the drill asks for.
        passed = bool(hit) and drill.code not in codes
        best = hit[0] if hit else codings[0] if codings else None
        results.append(
            Result(
                item,
                answer,
                ", ".join(codes) or "other",
                best.reason if best else "",
                passed,
            )
        )
    return results
