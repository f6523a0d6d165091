"""Spot trainee turns the patient should answer in character rather than on topic.

The off-task checks themselves live in :mod:`scoring.offtask`, which the report uses too.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from scoring.offtask import BOT_CHALLENGE, INSTRUCTIONS, looks_foreign, looks_gibberish, words

#: Rasa's intent for every clinician turn (the coder, not Rasa, decides its MITI codes).
TRAINEE_TURN = "trainee_turn"

_SMALL_TALK = re.compile(
    r"\b(weather|weekend|holiday|traffic|football|match|game last night|how are you|how's it"
    r" going|how are things|nice day|raining|sunny|parking)\b",
    re.IGNORECASE,
)
_FAREWELL = re.compile(r"^\W*(bye|goodbye|see you|take care|that's all for today)\b", re.I)
# Codes that carry clinical content; a greeting that also carries one is answered normally.
_SUBSTANTIVE_WORDS = """
    question_open question_closed reflection_simple reflection_complex affirm
    seeking_collaboration emphasizing_autonomy giving_information persuade_with_permission
    persuade confront"""
_SUBSTANTIVE = frozenset(_SUBSTANTIVE_WORDS.split())


def in_role_kind(
    text: str, intent: str | None, codes: Sequence[str], names_topic: bool = False
) -> str | None:
    """Classify a trainee turn that needs an in-character answer.

    Args:
        text: The trainee's words.
        intent: NLU intent (``trainee_turn``, ``greet``, ``bot_challenge``, ``off_topic``
            or ``nlu_fallback``; others are treated like ``trainee_turn``).
        codes: Codes of the turn's thought units.
        names_topic: The turn names one of the scenario's topics.

    Returns:
        A kind from :data:`bot.scenario.IN_ROLE_KINDS`, or ``None`` to answer on topic.
    """
    substantive = any(c in _SUBSTANTIVE for c in codes)
    if INSTRUCTIONS.search(text):
        return "instructions"
    if intent == "bot_challenge" or BOT_CHALLENGE.search(text):
        return "bot_challenge"
    if looks_foreign(text):
        return "other_language"
    if looks_gibberish(text):
        return "gibberish"
    if intent in ("goodbye", "farewell") or (_FAREWELL.search(text) and not substantive):
        return "farewell"
    if intent == "greet" and not substantive:
        return "greet"
    # The intent classifier and the coder can disagree; a coded move about one of the
    # patient's topics wins, because answering it in character would dodge the trainee.
    if intent == "off_topic" and not (substantive and names_topic):
        return "small_talk" if _SMALL_TALK.search(text) else "off_topic"
    if intent == "nlu_fallback" and not substantive and not names_topic and len(words(text)) > 3:
        return "off_topic"  # short fallbacks are mostly backchannels ("mm, okay"): go on
    return None
