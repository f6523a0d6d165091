"""Better responses for weak turns: closed questions opened, reflections deepened, advice asked for.

Rewrites are templates, not generation: they show the shape of a better response and say
why, and the trainee adapts the words. Nothing here calls a model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.transcript import Transcript

#: Codes with a better alternative, and the drill that practises it.
WEAK_CODES = ("question_closed", "reflection_simple", "persuade", "confront")

_AUX = re.compile(
    r"^(do|does|did|are|is|was|were|have|has|had|can|could|will|would|should)\s+"
    r"(you|it|that|they|he|she|we)\s+(.*)$",
    re.IGNORECASE,
)
_SECOND_PERSON = {
    "you": "you",
    "it": "it",
    "that": "that",
    "they": "they",
    "he": "he",
    "she": "she",
    "we": "we",
}


@dataclass(frozen=True)
class Suggestion:
    """A weak utterance, a better response and why."""

    turn: int
    text: str
    code: str
    better: str
    why: str


def _clean(text: str) -> str:
    return text.strip().rstrip("?.!").strip()


def open_question(text: str) -> str:
    """Rewrites a closed question (yes/no) as an open one."""
    body = _clean(text)
    match = _AUX.match(body)
    if match:
        _aux, subject, rest = match.groups()
        return f"What are your thoughts about whether {subject} {rest}?"
    return f"Tell me more about that: {body[0].lower() + body[1:] if body else 'what'}?"


def deepen_reflection(text: str) -> str:
    """Deepens a simple reflection by adding the feeling or meaning underneath."""
    body = _clean(text)
    if not body:
        return "It sounds as if this matters to you more than you let on."
    return f"{body}, and part of you is wondering what that means for what you want."


def ask_permission(text: str) -> str:
    """Turns advice or a warning into asking permission first and inviting the patient's view."""
    body = _clean(text)
    return (
        "Would it be all right if I shared something that has helped other people? "
        f"{body[0].upper() + body[1:] if body else ''}. You know your situation best: "
        "what do you make of that?"
    )


_WHY = {
    "question_closed": (
        "A closed question invites a yes or no. An open one invites the patient to explore, "
        "which is where change talk comes from (MITI 3.1.1 % open questions)."
    ),
    "reflection_simple": (
        "A simple reflection repeats; a complex one adds the meaning or feeling underneath and "
        "moves the conversation forward (MITI 4.2.1 % complex reflections)."
    ),
    "persuade": (
        "Advice without permission is MI non-adherent and tends to draw sustain talk and "
        "discord. Asking permission first and then the patient's view keeps them in charge."
    ),
    "confront": (
        "Confronting (correcting, warning, labelling) provokes discord. Asking permission and "
        "inviting the patient's view keeps the partnership."
    ),
}

_REWRITE = {
    "question_closed": open_question,
    "reflection_simple": deepen_reflection,
    "persuade": ask_permission,
    "confront": ask_permission,
}


def suggest(code: str, text: str) -> tuple[str, str] | None:
    """A better response and why, or None when the code has no template."""
    rewrite = _REWRITE.get(code)
    return (rewrite(text), _WHY[code]) if rewrite else None


def suggestions(transcript: Transcript) -> list[Suggestion]:
    """One suggestion per weak utterance of the session, in order (``turn`` is 1-based)."""
    out = []
    for number, exchange in enumerate(transcript.exchanges, start=1):
        for coding in exchange.codings:
            found = suggest(coding.code, coding.text)
            if found:
                out.append(Suggestion(number, coding.text, coding.code, *found))
    return out
