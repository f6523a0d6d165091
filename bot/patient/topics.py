"""Work out which scenario topic a trainee turn raises, from keywords and phrasings."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.scenario import GENERAL_TOPIC, Scenario

# Unicode-aware, so accented and non-Latin words stay whole (the language check needs them).
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
# Words too common to say anything about the topic of a clinical conversation.
_STOP_WORDS = """
    a about after again all also am an and any are as at be been being but by can
    could did do does doing don't for from get got had has have having he her here him
    his how i i'm if in into is it it's its just know let like me more most much my no
    not now of on one or other our out over really right say see she so some something
    still such tell than that that's the their them then there these they thing things
    think this those through to too up us very want was way we well were what what's when
    where which while who why will with would you you're your yourself feel feeling going
    lot mean okay sounds bit kind sort time times"""
STOP = frozenset(_STOP_WORDS.split())


def words(text: str) -> list[str]:
    """Return the lower-case word tokens of ``text``."""
    return _WORD.findall(text.lower())


@dataclass(frozen=True)
class _Index:
    keywords: dict[str, tuple[tuple[str, ...], ...]]
    vocab: dict[str, frozenset[str]]


# Built once per scenario object; keyed by id() with the object kept to guard against reuse.
_indexes: dict[int, tuple[Scenario, _Index]] = {}


def _index(scenario: Scenario) -> _Index:
    hit = _indexes.get(id(scenario))
    if hit is not None and hit[0] is scenario:
        return hit[1]
    keywords = {
        t.id: tuple(tuple(words(k)) for k in t.keywords if words(k))
        for t in scenario.topics.values()
    }
    vocab = {
        t.id: frozenset(w for p in t.phrasings for w in words(p) if w not in STOP and len(w) > 3)
        for t in scenario.topics.values()
    }
    index = _Index(keywords, vocab)
    if len(_indexes) > 64:
        _indexes.clear()
    _indexes[id(scenario)] = (scenario, index)
    return index


# Endings a keyword may take, so "sleep" covers "sleeping" and "sleepless" without a stemmer
# while "thin" does not cover "things".
_SUFFIXES = frozenset(
    {"s", "es", "d", "ed", "ing", "er", "ers", "y", "ly", "less", "ness", "ful", "al", "ally"}
)


def inflects(token: str, keyword: str) -> bool:
    if token == keyword:
        return True
    if len(keyword) < 4 or not token.startswith(keyword[:-1]):
        return False
    rest = token[len(keyword) :]
    if token.startswith(keyword) and rest in _SUFFIXES:
        return True
    if keyword.endswith("e"):  # binge -> binging, cope -> coping
        return token[len(keyword) - 1 :] in _SUFFIXES
    # stop -> stopped, run -> running: a doubled final consonant before the ending
    return rest[:1] == keyword[-1] and rest[1:] in _SUFFIXES


def _matches(keyword: tuple[str, ...], tokens: list[str]) -> bool:
    if len(keyword) == 1:
        return any(inflects(tok, keyword[0]) for tok in tokens)
    n = len(keyword)
    return any(tuple(tokens[i : i + n]) == keyword for i in range(len(tokens) - n + 1))


def topic_scores(scenario: Scenario, text: str) -> dict[str, float]:
    """Score every topic (``general`` excluded) for a trainee turn.

    A keyword or key phrase counts 2 (longer phrases a little more); each content word
    shared with the topic's example phrasings counts 0.5, at most 1.5 in all.
    """
    tokens = words(text)
    content = {t for t in tokens if t not in STOP and len(t) > 3}
    index = _index(scenario)
    scores: dict[str, float] = {}
    for topic_id in scenario.topics:
        if topic_id == GENERAL_TOPIC:
            continue
        score = sum(
            2.0 + 0.5 * (len(k) - 1) for k in index.keywords[topic_id] if _matches(k, tokens)
        )
        score += min(1.5, 0.5 * len(content & index.vocab[topic_id]))
        if score:
            scores[topic_id] = score
    return scores


def detect_topic(scenario: Scenario, text: str, current: str | None = None) -> str | None:
    """Return the topic a trainee turn raises, or ``None`` if it names none.

    Ties go to ``current`` (staying on topic), then to the topic authored first.
    """
    scores = topic_scores(scenario, text)
    if not scores:
        return None
    best = max(scores.values())
    if best < 1.0:
        return None
    if current in scores and scores[current] == best:
        return current
    return next(t for t in scenario.topics if scores.get(t) == best)
