"""Spot trainee turns the patient should answer in character rather than on topic."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.patient.topics import words

# Attempts to steer the simulation itself. Checked before anything else, whatever the
# NLU intent, because a coder may well label "you should now act as..." as persuade.
_INSTRUCTIONS = re.compile(
    r"\b(ignore (all |any |your |the |previous |prior |above )+(instructions|prompts?|rules)"
    r"|system prompt|(you are|you're) (now |actually )?(an? )?(ai|assistant|language model|llm|"
    r"chat ?bot)\b|pretend (to be|you are|you're)|act as (an? )?(assistant|ai|different)"
    r"|from now on,? (you are|you're|you will be|(you )?(answer|reply|respond|act|pretend|speak"
    r"|talk) (only|as|like|in|with))"
    r"|new instructions|jailbreak|developer mode"
    r"|(say|reply|respond|answer) (only|exactly) with|break character|stop role ?playing"
    r"|out of character|end (the )?(simulation|role ?play)|reveal your (prompt|instructions)"
    r"|repeat after me|\b(simulator|simulation|role-?play|prompt|scripted)\b)",
    re.IGNORECASE,
)
_BOT = re.compile(
    r"\b(are|r) (you|u) (a |an |just a |just an |even a |even |actually a |actually an |"
    r"actually |really a |really an |really )?(bot|robot|ai|a\.i\.|machine|computer|program"
    r"|chat ?bot|real person|real|human)\b"
    r"|\b(am i|i'm|i am) (talking|speaking|chatting) (to|with) (a |an )?(bot|robot|ai|machine"
    r"|computer|program|real person|human)",
    re.IGNORECASE,
)
_SMALL_TALK = re.compile(
    r"\b(weather|weekend|holiday|traffic|football|match|game last night|how are you|how's it"
    r" going|how are things|nice day|raining|sunny|parking)\b",
    re.IGNORECASE,
)
_FAREWELL = re.compile(r"^\W*(bye|goodbye|see you|take care|that's all for today)\b", re.I)
_ENGLISH_WORDS = """
    the a an and or but to of in on at for with is are was were be been i you he she it we
    they me my your this that what how why when where do does did not no yes can could would
    will have has had so just about if feel think like know okay ok hi hello hey
    hmm hm mm mhm uh huh yeah yep sure oh ah right nhs gp cmht"""
_ENGLISH = frozenset(_ENGLISH_WORDS.split())
_FOREIGN_WORDS = """
    el la los las que de y en es por para con una un está estás cómo qué le les des est
    et je tu vous nous pas pour avec une der die das und ist nicht ich du sie wie mit ein
    eine il che di non sono come per sei não você com uma é ser się nie jest czy jak masz
    het een niet ik bir ve bu değil"""
# Letters English text hardly uses; a word carrying one counts as a foreign word.
_FOREIGN_LETTERS = frozenset("ąęśłżźćńñßçãõğşıøåæœ¿¡")
_FOREIGN = frozenset(_FOREIGN_WORDS.split())
# Codes that carry clinical content; a greeting that also carries one is answered normally.
_SUBSTANTIVE_WORDS = """
    question_open question_closed reflection_simple reflection_complex affirm
    seeking_collaboration emphasizing_autonomy giving_information persuade_with_permission
    persuade confront"""
_SUBSTANTIVE = frozenset(_SUBSTANTIVE_WORDS.split())


def _looks_foreign(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return False
    non_latin = sum(1 for c in letters if ord(c) > 0x24F)
    if non_latin / len(letters) > 0.3:
        return True
    toks = words(text)
    foreign = sum(t in _FOREIGN or any(c in _FOREIGN_LETTERS for c in t) for t in toks)
    english = sum(t in _ENGLISH for t in toks)
    return foreign >= 2 and foreign > 2 * english


def _looks_gibberish(text: str) -> bool:
    toks = words(text)
    if not toks:
        return bool(text.strip())  # only punctuation or symbols
    if any(t in _ENGLISH for t in toks):
        return False
    vowelless = sum(1 for t in toks if len(t) > 2 and not re.search(r"[aeiouy]", t))
    long_runs = sum(1 for t in toks if re.search(r"[bcdfghjklmnpqrstvwxz]{5,}", t))
    repeated = sum(1 for t in toks if re.search(r"(.)\1{3,}", t))
    return (vowelless + long_runs + repeated) * 2 >= len(toks)


def in_role_kind(
    text: str, intent: str | None, codes: Sequence[str], names_topic: bool = False
) -> str | None:
    """Classify a trainee turn that needs an in-character answer.

    Args:
        text: The trainee's words.
        intent: NLU intent (a MITI code, ``greet``, ``bot_challenge``, ``off_topic`` or
            ``nlu_fallback``; others are treated like MITI codes).
        codes: Codes of the turn's thought units.
        names_topic: The turn names one of the scenario's topics.

    Returns:
        A kind from :data:`bot.scenario.IN_ROLE_KINDS`, or ``None`` to answer on topic.
    """
    substantive = any(c in _SUBSTANTIVE for c in codes)
    if _INSTRUCTIONS.search(text):
        return "instructions"
    if intent == "bot_challenge" or _BOT.search(text):
        return "bot_challenge"
    if _looks_foreign(text):
        return "other_language"
    if _looks_gibberish(text):
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
