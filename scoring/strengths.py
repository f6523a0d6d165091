"""Strengths of a session: the trainee's best turns, named before the turns to rework.

A trainer opens feedback with what went well, tied to the moment it happened. A strength is
a scored turn whose best code is MI-consistent, coded with confidence, and that put no
pressure on the patient in the same breath.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from scoring.codes import MI_NON_ADHERENT
from scoring.types import Coding

#: Codes worth naming as a strength, best first, and what each did for the patient.
WHY: dict[str, str] = {
    "reflection_complex": (
        "A complex reflection: you gave back the meaning under the patient's words, which "
        "invites them to go further."
    ),
    "affirm": (
        "An affirmation: you recognised the patient's effort or strength, which builds the "
        "working relationship."
    ),
    "emphasizing_autonomy": (
        "You left the choice with the patient, which leaves them nothing to push back against."
    ),
    "seeking_collaboration": (
        "You asked for the patient's view or permission, so the work was shared."
    ),
    "question_open": "An open question: it left room for the patient's own reasons.",
    "reflection_simple": "A reflection: it showed the patient you heard what they said.",
}
STRENGTH_CODES: tuple[str, ...] = tuple(WHY)
#: Below this confidence a code is not praised: it may be a miscoding.
MIN_CONFIDENCE = 0.6
MOST = 3


@dataclass(frozen=True)
class Strength:
    """One turn done well: the utterance, its code and why it helps."""

    turn: int
    text: str
    code: str
    why: str

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict."""
        return asdict(self)


def _best(codings: Sequence[Coding]) -> Coding | None:
    if any(c.code in MI_NON_ADHERENT for c in codings):
        return None
    sure = [c for c in codings if c.code in WHY and c.confidence >= MIN_CONFIDENCE]
    return min(sure, key=lambda c: STRENGTH_CODES.index(c.code), default=None)


def strengths(turns: Sequence[tuple[int, Sequence[Coding]]], most: int = MOST) -> list[Strength]:
    """Up to ``most`` strengths, in turn order: the best codes, different kinds first.

    Args:
        turns: (turn number, codings) of the scored turns.

    Example:
        >>> from scoring.types import Coding
        >>> turns = [(1, [Coding("Sleep matters to you.", "reflection_complex", 0.9, "", {})])]
        >>> [(s.turn, s.code) for s in strengths(turns)]
        [(1, 'reflection_complex')]
    """
    found = [(number, best) for number, codings in turns if (best := _best(codings))]
    ranked = sorted(found, key=lambda item: (STRENGTH_CODES.index(item[1].code), item[0]))
    chosen: list[tuple[int, Coding]] = []
    # A different kind of skill is worth more than a second example of the same one.
    for varied in (True, False):
        for number, coding in ranked:
            if len(chosen) >= most or (number, coding) in chosen:
                continue
            if varied and any(c.code == coding.code for _, c in chosen):
                continue
            chosen.append((number, coding))
    return [Strength(n, c.text, c.code, WHY[c.code]) for n, c in sorted(chosen, key=lambda x: x[0])]
