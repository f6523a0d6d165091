"""Recognise trainee turns not addressed to the patient as a clinician (off-task turns).

One home for the concept: the patient (``bot.patient.inrole``) answers such turns in
character, and the report marks them "not scored" and leaves them out of every figure.
"""

from __future__ import annotations

import re

#: Reply kinds of the action server's turn payload that mean the turn was off task: the
#: report leaves those turns out of every figure. Greetings, farewells and small talk are
#: social talk addressed to the patient, so they stay scored (they code as ``other``).
UNSCORED_KINDS: frozenset[str] = frozenset(
    {"bot_challenge", "off_topic", "instructions", "gibberish", "other_language"}
)

#: Why a turn is not scored, in the report's words, by kind.
OFF_TASK_REASONS: dict[str, str] = {
    "instructions": "an attempt to steer or break the role play",
    "bot_challenge": "a question about the simulated patient itself",
    "other_language": "not in the session's language (English)",
    "gibberish": "no readable words",
    "markup": "markup or code, not speech",
    "emoji": "only emoji or symbols",
    "general_knowledge": "a general-knowledge question, not addressed to the patient",
    "off_topic": "not addressed to the patient as a clinician",
}

# Unicode-aware, so accented and non-Latin words stay whole (the language check needs them).
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")

# Attempts to steer the simulation itself. Checked before anything else, whatever the
# NLU intent, because a coder may well label "you should now act as..." as persuade.
INSTRUCTIONS = re.compile(
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
BOT_CHALLENGE = re.compile(
    r"\b(are|r) (you|u) (a |an |just a |just an |even a |even |actually a |actually an |"
    r"actually |really a |really an |really )?(bot|robot|ai|a\.i\.|machine|computer|program"
    r"|chat ?bot|real person|real|human)\b"
    r"|\b(am i|i'm|i am) (talking|speaking|chatting) (to|with) (a |an )?(bot|robot|ai|machine"
    r"|computer|program|real person|human)",
    re.IGNORECASE,
)
# An HTML or XML tag, a script, a code fence or a Markdown link: pasted markup, not speech.
_MARKUP = re.compile(
    r"</?[a-z][a-z0-9]*(\s[^<>]*)?/?>|```|\{\{|\}\}|\[[^\]]+\]\([^)]+\)|javascript:",
    re.IGNORECASE,
)
# Questions of fact or tasks for an assistant, nothing to do with the patient.
_GENERAL_KNOWLEDGE = re.compile(
    r"\bcapital (city )?of\b|\bwho (invented|wrote|discovered|won|painted|is the (president|king"
    r"|queen|prime minister))\b|\b(population|square root|boiling point) of\b"
    r"|\bwhat(?:'s| is) \d+\s*[-+*/x]\s*\d+|\bhow (tall|far|old) is (the|mount)\b"
    r"|\btranslate (this|that|the|into|to)\b|\bwrite (me )?(a|an|some) (poem|essay|story|song"
    r"|code|program|script|function)\b|\brecipe for\b|\bwhat year (did|was)\b",
    re.IGNORECASE,
)
_ENGLISH_WORDS = """
    the a an and or but to of in on at for with is are was were be been i you he she it we
    they me my your this that what how why when where do does did not no yes can could would
    will have has had so just about if feel think like know okay ok hi hello hey
    hmm hm mm mhm uh huh yeah yep sure oh ah right nhs gp cmht"""
ENGLISH = frozenset(_ENGLISH_WORDS.split())
_FOREIGN_WORDS = """
    el la los las que de y en es por para con una un está estás cómo qué le les des est
    et je tu vous nous pas pour avec une der die das und ist nicht ich du sie wie mit ein
    eine il che di non sono come per sei não você com uma é ser się nie jest czy jak masz
    het een niet ik bir ve bu değil"""
# Letters English text hardly uses; a word carrying one counts as a foreign word.
_FOREIGN_LETTERS = frozenset("ąęśłżźćńñßçãõğşıøåæœ¿¡")
_FOREIGN = frozenset(_FOREIGN_WORDS.split())


def words(text: str) -> list[str]:
    """Return the lower-case word tokens of ``text`` (accented and non-Latin words whole)."""
    return _WORD.findall(text.lower())


def looks_foreign(text: str) -> bool:
    """Whether the turn is mostly in another language than English."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return False
    non_latin = sum(1 for c in letters if ord(c) > 0x24F)
    if non_latin / len(letters) > 0.3:
        return True
    toks = words(text)
    foreign = sum(t in _FOREIGN or any(c in _FOREIGN_LETTERS for c in t) for t in toks)
    english = sum(t in ENGLISH for t in toks)
    return foreign >= 2 and foreign > 2 * english


def looks_gibberish(text: str) -> bool:
    """Whether the turn has no readable words (keyboard mashing, symbols, emoji only)."""
    toks = words(text)
    if not toks:
        return bool(text.strip())  # only punctuation, symbols or emoji
    if any(t in ENGLISH for t in toks):
        return False
    vowelless = sum(1 for t in toks if len(t) > 2 and not re.search(r"[aeiouy]", t))
    long_runs = sum(1 for t in toks if re.search(r"[bcdfghjklmnpqrstvwxz]{5,}", t))
    repeated = sum(1 for t in toks if re.search(r"(.)\1{3,}", t))
    return (vowelless + long_runs + repeated) * 2 >= len(toks)


def off_task_kind(text: str) -> str | None:
    """The kind of off-task turn ``text`` is (a key of :data:`OFF_TASK_REASONS`), or ``None``.

    From the words alone, for when the patient's reply kind is not known (the report
    command). Greetings, farewells and small talk are not off task.

    Example:
        >>> off_task_kind("What is the capital of France?")
        'general_knowledge'
        >>> off_task_kind("What brings you in today?") is None
        True
    """
    if not text.strip():
        return None
    if INSTRUCTIONS.search(text):
        return "instructions"
    if BOT_CHALLENGE.search(text):
        return "bot_challenge"
    if _MARKUP.search(text):
        return "markup"
    if not words(text):
        return "emoji"
    if looks_foreign(text):
        return "other_language"
    if looks_gibberish(text):
        return "gibberish"
    if _GENERAL_KNOWLEDGE.search(text):
        return "general_knowledge"
    return None


def unscored_reason(text: str, kind: str = "") -> str | None:
    """Why a trainee turn is left out of the figures, or ``None`` when it is scored.

    Args:
        text: the trainee's words.
        kind: the patient's reply kind from the action server's turn payload, when known
            (``topic``, ``short``, ``ruler``... or an in-role kind); empty when not known.

    When the kind is known it decides (the patient answered the turn as off task or not),
    except that markup and general-knowledge questions, which the patient may answer on
    topic, are still found from the words.
    """
    if kind:
        if kind in UNSCORED_KINDS:
            return OFF_TASK_REASONS[kind]
        found = off_task_kind(text)
        return OFF_TASK_REASONS[found] if found in ("markup", "general_knowledge") else None
    found = off_task_kind(text)
    return OFF_TASK_REASONS[found] if found else None
