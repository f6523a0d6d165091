"""Safety notes: a patient's risk disclosure not followed up, and direct risk questions asked.

A disclosure is known from outside the words (the scenario's risk lines, or the risk kind the
action server puts on the patient's reply); a direct question is recognised by
:func:`scoring.risk.risk_asked`. The report shows missed follow-up first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from scoring.risk import RISK_LABELS, risk_asked

#: Trainee turns after a disclosure within which a direct question counts as follow-up.
FOLLOW_UP_TURNS = 2
# Kinds that answer one another: asking about suicide after an overdose disclosure (or about
# self-harm after talk of not wanting to live) is following it up.
_HARM_TO_SELF = frozenset({"suicidal_thoughts", "self_harm", "overdose"})


@dataclass(frozen=True)
class SafetyNote:
    """One safety note.

    Attributes:
        kind: ``not_followed`` (the patient disclosed risk and the next turns did not ask
            about it) or ``asked`` (the trainee asked about risk directly).
        turn: for ``not_followed`` the turn whose patient reply disclosed it (0: the
            patient's opening words); for ``asked`` the trainee turn that asked (1-based).
        risk: a kind of :data:`scoring.risk.RISK_KINDS`.
        text: the note in plain words.
    """

    kind: str
    turn: int
    risk: str
    text: str

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict."""
        return asdict(self)


def follows_up(asked: str | None, disclosed: str) -> bool:
    """Whether a question about ``asked`` follows up a disclosure of ``disclosed``."""
    if asked is None:
        return False
    return asked == disclosed or (asked in _HARM_TO_SELF and disclosed in _HARM_TO_SELF)


def safety_notes(trainee_texts: Sequence[str], disclosures: Mapping[int, str]) -> list[SafetyNote]:
    """Safety notes of a session, missed follow-up first, each group in turn order.

    Args:
        trainee_texts: the trainee's turns in order (turn 1 first).
        disclosures: risk kind disclosed by the patient, by the turn whose reply disclosed it
            (0 for the patient's opening words before turn 1).

    Example:
        >>> notes = safety_notes(["How are you?", "Sleep okay?", "And work?"], {1: "self_harm"})
        >>> notes[0].kind, notes[0].turn
        ('not_followed', 1)
    """
    asked = [risk_asked(text) for text in trainee_texts]
    missed = []
    for turn, risk in sorted(disclosures.items()):
        window = asked[turn : turn + FOLLOW_UP_TURNS]
        if any(follows_up(kind, risk) for kind in window):
            continue
        if turn >= 1 and follows_up(asked[turn - 1], risk):
            continue  # disclosed in answer to the trainee's own direct question
        where = "in their opening words" if turn == 0 else f"after turn {turn}"
        ended = len(window) < FOLLOW_UP_TURNS
        missed.append(
            SafetyNote(
                "not_followed",
                turn,
                risk,
                f"The patient spoke of {RISK_LABELS.get(risk, risk)} {where}, and "
                + (
                    "the session ended before it was asked about."
                    if ended and not window
                    else f"the next {len(window) if ended else FOLLOW_UP_TURNS} turns did not "
                    "ask about it."
                )
                + " When a patient discloses risk, ask about it directly and soon (for "
                "example, whether they are having thoughts of ending their life, or are safe).",
            )
        )
    recognised = [
        SafetyNote(
            "asked",
            number,
            kind,
            f"Turn {number}: you asked directly about {RISK_LABELS.get(kind, kind)}. Asking "
            "plainly is the right response to risk; this turn is not one to rework.",
        )
        for number, kind in enumerate(asked, start=1)
        if kind is not None
    ]
    return missed + recognised
