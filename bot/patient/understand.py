"""Work out what a trainee turn asks and says: the question, a fact, a risk, permission, a side.

The coder says *how* the trainee spoke (one code per thought unit); this module reads *what*
was said, so the patient can answer the question that was asked. Meaning comes from a
sentence encoder when one is given (the action server passes the packaged all-MiniLM), with
keywords and shared words as a second signal; without an encoder the same rules run on
words alone, which is what the fast unit tests exercise.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from bot.patient.topics import STOP, detect_topic, inflects, words
from bot.scenario import GENERAL_TOPIC, Line, Scenario
from bot.scenario.loader import DEFAULT_ROOT
from scoring.risk import risk_asked

#: ``encode(texts)`` returning one L2-normalised row per text.
Encode = Callable[[list[str]], np.ndarray]

QUESTIONS = frozenset({"question_open", "question_closed"})
REFLECTIONS = frozenset({"reflection_simple", "reflection_complex"})

#: Where the encoded example questions and lines of each scenario are kept between runs
#: (runtime state beside the trained models; override with ``MI_READER_CACHE``).
READER_CACHE = Path(os.environ.get("MI_READER_CACHE", DEFAULT_ROOT.parent / "models" / "reader"))

# Cosine similarity a trainee question needs with a fact's example questions to be taken as
# asking for that fact; a keyword of the fact lowers the bar. Set on the shipped scenarios'
# probes: paraphrases score 0.6-0.9 with all-MiniLM, other questions about the same life
# mostly below 0.5.
FACT_MIN = 0.58
KEYWORD_BONUS = 0.12
# Without an encoder: the share of the question's content words found in one example question.
FACT_MIN_WORDS = 0.6
# A question much closer to a topic's example phrasings than to any fact is a topic question
# ("How have you been sleeping?"), answered with a topic line rather than one fact.
TOPIC_MARGIN = 0.08
# Cosine similarity a turn needs with a topic's mean vector (its phrasings and lines) to be
# taken as about that topic when it names none of its keywords.
TOPIC_MEANING_MIN = 0.45

_PERMISSION = re.compile(
    r"\b(would|could|can|may|might|will|is|would it be)\b[^?.]{0,30}\b(ok|okay|alright|all right"
    r"|fine|possible|helpful|useful)\b[^?.]{0,20}\bif (i|we)\b[^?.]{0,30}\b(share|shared|tell|told"
    r"|give|gave|offer|offered|mention|mentioned|suggest|suggested|explain|explained|add|added"
    r"|pass on|go through|run through|talk(ed)? (you )?through|say|said)\b"
    r"|\b(can|could|may|might) i (share|tell|give|offer|mention|suggest|explain|add|pass on"
    r"|make a suggestion|give you some|run something|go over|talk you through)\b"
    r"|\bdo you mind if i\b|\bwould you mind if i\b"
    r"|\bwould you (like|want|be interested in|be open to)\b[^?.]{0,20}\b(hear|hearing|know|some"
    r" information|some ideas|a suggestion|suggestions|me to (share|tell|explain|go through"
    r"|give))\b"
    r"|\b(is it|would it be) (ok|okay|alright|all right) (for me )?to (share|tell|give|offer"
    r"|mention|suggest|explain)\b",
    re.IGNORECASE,
)
# Questions that invite the patient's own reasons for change (MI's evocative questions) ...
_EVOKES_CHANGE = re.compile(
    r"\bwhat (would|could|might) (be|make|change|happen|it be like)\b[^?]{0,60}\b(better|different"
    r"|change|easier|good)\b|\bhow (would|might|could) (your life|things|life|it)\b[^?]{0,40}"
    r"\b(different|better|change)\b|\bwhat (worries|concerns|bothers|scares|frightens) you\b"
    r"|\bwhat are the (downsides|down sides|not so good|less good|bad things|costs|worst)\b"
    r"|\bwhat (would|do) you (like|want|hope) (to be different|to change|for yourself|instead"
    r"|things to be)\b|\bwhy (would|might) you want\b|\bhow important is\b|\bhow confident\b"
    r"|\bwhat would (need to|have to) (happen|change)\b|\bwhat (would|could) (a|the) first step"
    r"|\bwhat makes (this|it|that|now) (important|the right time)\b|\bif (things|you) (were|could)"
    r"\b[^?]{0,40}\bwhat\b|\bwhere would you like\b|\bwhat (has|had) (worked|helped)\b"
    r"|\bwhat would you (gain|get back)\b",
    re.IGNORECASE,
)
# ... and questions about what the status quo gives them, which draw sustain talk.
_EVOKES_SUSTAIN = re.compile(
    r"\bwhat do you (like|enjoy|love|get)\b[^?]{0,30}\b(about|from|out of)\b"
    r"|\bwhat (are|'s|is) (the )?good (things )?about\b|\bwhat does (it|that|\w+ing) do for you\b"
    r"|\bwhat would you (miss|lose|have to give up)\b|\bwhy (don't|haven't|wouldn't|won't|can't)"
    r" you\b|\bwhat (stops|is stopping|'s stopping|gets in the way|holds you back)\b"
    r"|\bwhy not\b|\bwhat (is|'s) (hard|difficult) about (changing|stopping|cutting)\b",
    re.IGNORECASE,
)
# A reflection that holds both sides of the ambivalence, or overstates the side for staying
# the same (an amplified reflection): both tend to draw the other side out.
_DOUBLE_SIDED = re.compile(
    r"\bpart of you\b.*\b(part of you|another part|other part)\b|\bon (the )?one hand\b"
    r"|\bon the other( hand)?\b|\band (yet|at the same time)\b|\bbut at the same time\b"
    r"|\bbut (also|part of you|another part)\b|\bwhile\b[^.]{0,80}\byou also\b"
    r"|\b(mixed|torn|in two minds|both ways)\b",
    re.IGNORECASE,
)
_AMPLIFIED = re.compile(
    r"\b(nothing|no problem|no reason|no risk) (at all|whatsoever)\b|\babsolutely (no|nothing|fine)"
    r"|\bcompletely (fine|under control|harmless)\b|\bthere'?s no way\b|\bnever (ever )?going to\b"
    r"|\bno (downside|harm) (at all|whatsoever)?\b|\bnothing (needs to|has to|should) change\b",
    re.IGNORECASE,
)
# Telling the patient to stop altogether ("you need to stop using", "you should quit").
_URGES_STOP = re.compile(
    r"\b(need|needs|have|has|got|must|should|ought|gotta|better)\b[^.?!]{0,20}"
    r"\b(stop|quit|give (it |this |that )?up|come off|get off|get clean|stay clean|pack (it )?in)\b"
    r"|^\s*(just )?(stop|quit) (using|drinking|taking|smoking|it)\b",
    re.IGNORECASE,
)
# ... unless what is to stop is a risk of using, which is harm reduction's own advice.
_RISKY_WAY = re.compile(
    r"^\s*(\w+\s+){0,2}?(sharing|alone|on your own|by yourself|reusing|re-using|injecting in)",
    re.IGNORECASE,
)
# A question about someone or something the turn has just named.
_PRONOUN = re.compile(r"\b(she|he|her|him|his|they|them|their|that|this|it)\b", re.IGNORECASE)
# Risk questions a fact of the patient's may answer more exactly than the risk profile's
# general answer (carrying naloxone, using alone); the rest always get the profile's answer.
FACTS_FIRST = frozenset({"overdose", "safeguarding"})
# Words that lean a reflection towards one side when no encoder is at hand.
_CHANGE_LEANING = """
    want wants wish hope hoping better worried worry worries scared frighten frightened ready
    try trying change help helped sick fed tired matter matters important care cares miss
    different able could might"""
_SUSTAIN_LEANING = """
    fine enjoy enjoys like likes helps relax relaxes need needs can't cannot won't don't
    never nothing normal everyone manage managed managing control okay ok"""
_CHANGE_WORDS = frozenset(_CHANGE_LEANING.split())
_SUSTAIN_WORDS = frozenset(_SUSTAIN_LEANING.split())


_reader_lock = threading.Lock()
_readers: list[Encode] = []


def reader() -> Encode:
    """The sentence encoder the action server reads a turn's meaning with (loaded once).

    The packaged all-MiniLM as it ships, not the coder's copy: that one is fine-tuned to
    tell MITI codes apart, which blurs what a question is about. Loaded under a lock: the
    action server's warm-up and a first turn may ask at once, and two torch models loading
    in two threads at once can bring the process down.
    """
    with _reader_lock:
        if not _readers:
            from scoring.encoder import MiniLMEncoder

            _readers.append(MiniLMEncoder().encode)
        return _readers[0]


@dataclass(frozen=True)
class Understanding:
    """What a trainee turn asks and says, beyond its MITI codes.

    Attributes:
        question: The last question of the turn (its text), or ``""``.
        closed: That question is closed.
        fact: Id of the fact the question asks for, or ``None``.
        risk: Risk kind asked about directly, or ``None``.
        permission: The turn asks leave to share information or advice.
        reflected: Side a reflection voiced: ``change``, ``sustain``, ``both`` or ``None``.
        evokes: ``change`` for an evocative question, ``sustain`` for one about what the
            status quo gives, else ``None``.
        topic: Topic the turn raises (the question's, when it names one), or ``None``.
        urges_stop: The turn tells the patient to stop altogether ("you need to quit").
        meaning: Sentence vector of what the reply answers (the question, else the
            reflection, else the whole turn); ``None`` without an encoder.
    """

    question: str = ""
    closed: bool = False
    fact: str | None = None
    risk: str | None = None
    permission: bool = False
    reflected: str | None = None
    evokes: str | None = None
    topic: str | None = None
    urges_stop: bool = False
    meaning: np.ndarray | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class _Index:
    fact_ids: tuple[str, ...]
    fact_vectors: np.ndarray  # one row per example question
    fact_rows: np.ndarray  # fact index of each row
    phrasing_vectors: np.ndarray  # example questions of the topics other than general
    topic_ids: tuple[str, ...]  # topics other than general
    topic_vectors: np.ndarray  # mean of each such topic's phrasings and lines
    side_vectors: dict[str, np.ndarray]  # mean vector of the change and the sustain lines
    line_vectors: dict[str, np.ndarray]  # each topic line's text -> its vector


# Built once per (scenario object, encoder); kept with the object to guard against id reuse.
_indexes: dict[tuple[int, int], tuple[Scenario, _Index]] = {}
_index_lock = threading.Lock()


def _unit(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=-1, keepdims=True)
    return matrix / np.maximum(norms, 1e-9)


def _vectors(texts: list[str], encode: Encode) -> np.ndarray:
    """Encode a scenario's texts, or read them from the cache of an earlier run.

    A scenario has a few hundred texts: seconds to encode on a busy 2-core machine, which a
    restarted action server must not spend again before answering its first turn.
    """
    if not texts:
        return np.zeros((0, 1), dtype=np.float32)
    name = str(getattr(getattr(encode, "__self__", None), "name", type(encode).__name__))
    digest = hashlib.sha256("\n".join([name, *texts]).encode("utf-8")).hexdigest()[:24]
    path = READER_CACHE / f"{digest}.npy"
    try:
        cached = np.load(path)
        if cached.shape[0] == len(texts):
            return cached
    except (OSError, ValueError):
        pass
    vectors = np.asarray(encode(texts), dtype=np.float32)
    try:
        READER_CACHE.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp.npy")
        np.save(partial, vectors)
        os.replace(partial, path)  # readers see the whole file or none
    except OSError:
        pass  # a read-only checkout still works, only more slowly on restart
    return vectors


def _index(scenario: Scenario, encode: Encode) -> _Index:
    # One build at a time: the warm-up and a first turn must not encode the same texts twice.
    with _index_lock:
        return _build_index(scenario, encode)


def _build_index(scenario: Scenario, encode: Encode) -> _Index:
    key = (id(scenario), id(encode))
    hit = _indexes.get(key)
    if hit is not None and hit[0] is scenario:
        return hit[1]
    asks = [(i, text) for i, fact in enumerate(scenario.facts.values()) for text in fact.ask]
    topics = [t for t in scenario.topics.values() if t.id != GENERAL_TOPIC]
    phrasings = [(t.id, p) for t in topics for p in t.phrasings]
    lines = [(t.id, x.talk, x.text) for t in scenario.topics.values() for x in t.all_lines()]
    texts = [t for _, t in asks] + [p for _, p in phrasings] + [x for _, _, x in lines]
    vectors = _vectors(texts, encode)
    n_ask, n_top = len(asks), len(phrasings)
    phrasing_vectors = vectors[n_ask : n_ask + n_top]
    line_vectors = vectors[n_ask + n_top :]

    def mean(rows: list[np.ndarray]) -> np.ndarray:
        return _unit(np.mean(rows, axis=0)) if rows else np.zeros(vectors.shape[1])

    index = _Index(
        fact_ids=tuple(scenario.facts),
        fact_vectors=vectors[:n_ask],
        fact_rows=np.array([i for i, _ in asks], dtype=int),
        phrasing_vectors=phrasing_vectors,
        topic_ids=tuple(t.id for t in topics),
        topic_vectors=np.array(
            [
                mean(
                    [
                        v
                        for (tid, _), v in zip(phrasings, phrasing_vectors, strict=True)
                        if tid == t.id
                    ]
                    + [v for (tid, _, _), v in zip(lines, line_vectors, strict=True) if tid == t.id]
                )
                for t in topics
            ]
        ),
        side_vectors={
            side: mean(
                [v for (_, talk, _), v in zip(lines, line_vectors, strict=True) if talk == side]
            )
            for side in ("change", "sustain")
        },
        line_vectors={text: v for (_, _, text), v in zip(lines, line_vectors, strict=True)},
    )
    if len(_indexes) > 64:
        _indexes.clear()
    _indexes[key] = (scenario, index)
    return index


# Words that say nothing about which part of a life a question is about.
_VAGUE_WORDS = "else anything everything ever lately recently currently usually actually"
_VAGUE = frozenset(_VAGUE_WORDS.split())


@lru_cache(maxsize=8192)
def _content(text: str) -> frozenset[str]:
    # Cached: a scenario's example questions are read again on every turn.
    return frozenset(w for w in words(text) if w not in STOP and w not in _VAGUE and len(w) > 2)


@lru_cache(maxsize=8192)
def _parts(keyword: str) -> tuple[str, ...]:
    return tuple(words(keyword))


def _keyword_hit(keywords: Sequence[str], text: str) -> bool:
    tokens = words(text)
    joined = " ".join(tokens)
    for keyword in keywords:
        parts = _parts(keyword)
        if len(parts) == 1 and any(inflects(tok, parts[0]) for tok in tokens):
            return True
        if len(parts) > 1 and re.search(rf"\b{re.escape(' '.join(parts))}\b", joined):
            return True
    return False


def _fact_by_words(scenario: Scenario, question: str) -> str | None:
    asked = _content(question)
    if not asked:
        return None

    def overlap(examples: Sequence[str]) -> float:
        return max((len(asked & _content(a)) / len(asked) for a in examples), default=0.0)

    best, best_score, best_overlap = None, 0.0, 0.0
    for fact in scenario.facts.values():
        shared = overlap(fact.ask)
        keyword = _keyword_hit(fact.keywords, question)
        # One shared word is too little to go on unless the author made it a keyword.
        if not keyword and max(len(asked & _content(a)) for a in fact.ask) < 2:
            continue
        score = shared + (0.3 if keyword else 0.0)
        if score > best_score:
            best, best_score, best_overlap = fact.id, score, shared
    topic_overlap = overlap([p for t in scenario.topics.values() for p in t.phrasings])
    if best_score < FACT_MIN_WORDS or best_overlap < 0.5 or topic_overlap > best_overlap:
        return None
    return best


def _fact_by_meaning(
    scenario: Scenario, index: _Index, vector: np.ndarray, question: str
) -> str | None:
    if not len(index.fact_vectors):
        return None
    scores = np.full(len(index.fact_ids), -1.0)
    np.maximum.at(scores, index.fact_rows, index.fact_vectors @ vector)
    facts = list(scenario.facts.values())
    boosted = scores + np.array(
        [KEYWORD_BONUS if _keyword_hit(f.keywords, question) else 0.0 for f in facts]
    )
    best = int(np.argmax(boosted))
    if boosted[best] < FACT_MIN:
        return None
    phrasings = index.phrasing_vectors
    topic_best = float((phrasings @ vector).max()) if len(phrasings) else -1.0
    if topic_best > scores[best] + TOPIC_MARGIN:
        return None
    return facts[best].id


def _topic_by_meaning(index: _Index, vector: np.ndarray) -> str | None:
    # A turn that names no topic's keywords can still be about one ("so coming here wasn't
    # your idea"): the topic whose lines and example questions it is closest to, if close.
    if not len(index.topic_ids):
        return None
    sims = index.topic_vectors @ vector
    best = int(np.argmax(sims))
    return index.topic_ids[best] if sims[best] >= TOPIC_MEANING_MIN else None


def _reflected(
    scenario: Scenario, text: str, encode: Encode | None, vector: np.ndarray | None
) -> str | None:
    if not text:
        return None
    if _DOUBLE_SIDED.search(text) or _AMPLIFIED.search(text):
        return "both"
    if encode is not None and vector is not None:
        index = _index(scenario, encode)
        lean = float(vector @ index.side_vectors["change"] - vector @ index.side_vectors["sustain"])
        if abs(lean) >= 0.04:
            return "change" if lean > 0 else "sustain"
        return None
    tokens = set(words(text))
    change, sustain = len(tokens & _CHANGE_WORDS), len(tokens & _SUSTAIN_WORDS)
    if change == sustain:
        return None
    return "change" if change > sustain else "sustain"


def understand(
    scenario: Scenario,
    text: str,
    codings: Sequence[Any],
    current_topic: str | None = None,
    encode: Encode | None = None,
) -> Understanding:
    """Read one trainee turn.

    Args:
        scenario: The patient, whose facts and topics the turn is read against.
        text: The whole turn.
        codings: One coding per thought unit (``.text`` and ``.code``), in order.
        current_topic: The topic of the conversation so far (ties stay on it).
        encode: Sentence encoder for meaning; ``None`` reads words only.

    Returns:
        What the turn asks and says.
    """
    units = [(str(getattr(c, "text", "") or text), c.code) for c in codings] or [(text, "other")]
    questions = [t for t, code in units if code in QUESTIONS]
    question = questions[-1] if questions else ""
    if not question and text.rstrip().endswith("?"):
        # A turn the coder read otherwise can still end in a question mark: answer it.
        question = units[-1][0]
    closed = bool(question) and any(t == question and c == "question_closed" for t, c in units)
    reflection = " ".join(t for t, code in units if code in REFLECTIONS)
    # A risk question often leads in with a statement ("Some people who feel this low think
    # of ending their life. Have you?"): with a question in the turn, the whole turn counts.
    permission = bool(_PERMISSION.search(text))
    risk = None
    if question and not permission:
        risk = risk_asked(question) or risk_asked(text)
    # "How old is she?" is about whoever the turn just named: read it with the whole turn.
    asked = text if question and _PRONOUN.search(question) and text != question else question
    topic = (detect_topic(scenario, question, current_topic) if question else None) or (
        detect_topic(scenario, text, current_topic)
    )
    evokes = None
    if question and _EVOKES_SUSTAIN.search(question):
        evokes = "sustain"
    elif question and _EVOKES_CHANGE.search(question):
        evokes = "change"
    # An evocative question asks for the patient's reasons, not a fact of their life.
    wants_fact = bool(question) and not permission and evokes is None
    fact = None
    reflect_vector = None
    meaning = None
    if encode is not None:
        wanted = [x for x in (asked, reflection) if x] or [text]
        vectors = np.asarray(encode(wanted), dtype=np.float32)
        meaning = vectors[0]
        index = _index(scenario, encode)
        if wants_fact:
            fact = _fact_by_meaning(scenario, index, vectors[0], asked)
        if reflection:
            reflect_vector = vectors[-1]
        if topic is None and fact is None:
            topic = _topic_by_meaning(index, vectors[-1])
    elif wants_fact:
        fact = _fact_by_words(scenario, asked)
    if risk in FACTS_FIRST and (fact is not None or evokes is not None):
        # "Do you carry naloxone?" is best answered by the fact itself, and "what would make
        # it easier to carry naloxone?" asks for reasons, not for a risk assessment.
        risk = None
    elif risk is not None:
        fact = None
    if fact is not None and topic is None:
        fact_topic = scenario.facts[fact].topic
        topic = fact_topic if fact_topic != GENERAL_TOPIC else None
    return Understanding(
        question=question,
        closed=closed,
        fact=fact,
        risk=risk,
        permission=permission,
        reflected=_reflected(scenario, reflection, encode, reflect_vector),
        evokes=evokes,
        topic=topic,
        urges_stop=any(not _RISKY_WAY.search(text[m.end() :]) for m in _URGES_STOP.finditer(text)),
        meaning=meaning,
    )


def fit_to_turn(
    scenario: Scenario, encode: Encode, und: Understanding, lines: Sequence[Line]
) -> list[float]:
    """How well each topic line answers the turn: the cosine of their meanings.

    Lines the scenario's index does not hold (shared short answers) score 0, as do all
    lines when the turn was read without an encoder.
    """
    if und.meaning is None:
        return [0.0] * len(lines)
    vectors = _index(scenario, encode).line_vectors
    return [
        float(vectors[line.text] @ und.meaning) if line.text in vectors else 0.0 for line in lines
    ]
