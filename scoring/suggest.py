"""Better responses for weak turns, each checked by the coder before it is shown.

For a closed question, a simple reflection, advice without permission or a confrontation,
the report offers what a skilled clinician might have said *to that patient line*: a
reflection built from the patient's own words, or an exemplary turn of the project's
MI-consistent practice dialogues (``corpus/dialogues/``) whose patient line is most like
this one and whose words fit this patient. A candidate is shown only if the coder codes it
as the intended MI-consistent behaviour, it gives no order ("you need to / you should"),
and, in a harm-reduction scenario, it does not steer towards abstinence.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from scoring.codes import MI_NON_ADHERENT, turn_code_of
from scoring.dialogues import DIALOGUE_DIR
from scoring.lexicon import BURDEN, FEELINGS
from scoring.types import Coding, Turn

#: Weak codes, worst first, and the MI-consistent codes to offer instead, in order of choice.
TARGETS: dict[str, tuple[str, ...]] = {
    "confront": ("reflection_complex", "reflection_simple", "emphasizing_autonomy"),
    "persuade": ("seeking_collaboration", "emphasizing_autonomy", "reflection_complex"),
    "question_closed": ("question_open",),
    "reflection_simple": ("reflection_complex",),
}
WEAK_CODES: tuple[str, ...] = tuple(TARGETS)

WHY: dict[tuple[str, str], str] = {
    ("question_closed", "question_open"): (
        "A closed question gets a yes or no; an open one invites the patient to explore, "
        "which is where change talk comes from."
    ),
    ("reflection_simple", "reflection_complex"): (
        "A complex reflection adds the meaning or feeling under what the patient said and "
        "moves the conversation on."
    ),
}
_WHY_TARGET = {
    "reflection_complex": (
        "Reflecting what the patient said, with the meaning under it, invites them to go on; "
        "pushing invites them to defend the way things are."
    ),
    "reflection_simple": (
        "Reflecting what the patient said shows you heard it; correcting or warning invites "
        "them to argue back."
    ),
    "seeking_collaboration": (
        "Asking permission before giving information keeps the patient in charge and makes "
        "it easier to hear."
    ),
    "emphasizing_autonomy": (
        "Putting the choice with the patient lowers resistance; pressure draws sustain talk."
    ),
    "question_open": "An open question invites the patient's own reasons instead of yours.",
}

#: Coder calls per weak turn at most (each is one pass of the coder).
MAX_TRIES = 6

# Orders and pushes are never offered, whatever the scenario.
_DIRECTIVE = re.compile(
    r"\b(you (really )?(need|have|ought) to|you (really )?(should|must)|you've got to"
    r"|you'd better|why don't you|you can't keep)\b",
    re.IGNORECASE,
)
# In harm reduction abstinence is not the goal the trainee should steer to.
_ABSTINENCE = re.compile(
    r"\b(stop(ping|ped)?|quit(ting)?|give (it )?up|giving (it )?up|abstin\w*|abstain\w*"
    r"|clean|sober|sobriety|come off|coming off|get off|getting off|detox\w*|rehab"
    r"|cut (it )?out|never (use|using)|completely)\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
# Content words that occur across many topics of the dialogues but still name specifics.
_NOT_GENERAL_WORDS = """
    blood book eight four three hours home morni night sleep table thurs week weeks month
    year years minut days today drink stop stopp"""
_NOT_GENERAL = frozenset(_NOT_GENERAL_WORDS.split())


@dataclass(frozen=True)
class Suggestion:
    """A better response to one weak turn."""

    turn: int
    original: str
    weak_code: str
    suggestion: str
    target_code: str
    why: str

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict."""
        return asdict(self)


@dataclass(frozen=True)
class _Exemplars:
    prev: list[str]
    text: list[str]
    code: list[str]
    general: frozenset[str]


def _stems(text: str) -> set[str]:
    return {w[:5] for w in _WORD.findall(text.lower()) if len(w) >= 4}


@lru_cache(maxsize=2)
def exemplars(root: str = str(DIALOGUE_DIR)) -> _Exemplars:
    """Every thought of the MI-consistent dialogues, with the patient line it answers."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    prev_, text_, code_ = [], [], []
    topics: dict[str, set[str]] = {}
    for path in sorted(Path(root).glob("*.yml")):
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
        consistent = data.get("counsellor") == "mi_consistent"
        prev = ""
        for turn in data.get("turns", []):
            if "patient" in turn:
                prev = str(turn["patient"]).strip()
                continue
            for thought in turn.get("trainee") or []:
                ((code, text),) = thought.items()
                for stem in _stems(str(text)):
                    topics.setdefault(stem, set()).add(str(data.get("topic")))
                if consistent and prev:
                    prev_.append(prev)
                    text_.append(str(text).strip())
                    code_.append(str(code))
    n_topics = len(set().union(*topics.values())) if topics else 1
    general = frozenset(
        s for s, seen in topics.items() if len(seen) >= n_topics / 2 and s not in _NOT_GENERAL
    )
    return _Exemplars(prev_, text_, code_, general)


@lru_cache(maxsize=2)
def _index(root: str = str(DIALOGUE_DIR)) -> tuple[Any, Any]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(stop_words="english", sublinear_tf=True, min_df=1)
    matrix = vectorizer.fit_transform(exemplars(root).prev)
    return vectorizer, matrix


def retrieve(patient_line: str, code: str, context: str = "", k: int = 4) -> list[str]:
    """Exemplary ``code`` turns answering patient lines most like ``patient_line``.

    Only turns whose content words all belong to the patient's words (``patient_line`` and
    ``context``) or are common to most topics of the dialogues are kept, so that a turn
    written for a drinker's liver is not offered to a patient talking about voices.
    """
    ex = exemplars()
    vectorizer, matrix = _index()
    sims = (matrix @ vectorizer.transform([patient_line]).T).toarray().ravel()
    own = _stems(patient_line + " " + context)
    words = set(_WORD.findall(patient_line.lower()))
    out: list[str] = []
    for i in np.argsort(-sims, kind="stable"):
        if ex.code[i] != code:
            continue
        text = ex.text[i]
        if not _fits(text, own, words, ex.general):
            continue
        # A reflection gives back something of what this patient said.
        if code.startswith("reflection") and not (_stems(text) & own) - ex.general:
            continue
        if text not in out:
            out.append(text)
        if len(out) >= k:
            break
    return out


# Written speech keeps its fillers and false starts; a suggestion should read cleanly.
_DISFLUENT = re.compile(r"\b(um+|uh+|erm|er|y'know|i mean)\b|\w-\s|\s-\s|\.\.\.|…", re.I)
# A reply to something else ("No, that's fine...") does not stand on its own.
_ANSWERS = re.compile(r"^(no|yes|yeah|sure|right|i won't|i will|okay|ok)\b", re.IGNORECASE)
_THIRD_PERSON = frozenset(
    ["he", "him", "his", "she", "her", "hers", "they", "them", "their", "theirs"]
)


def _fits(text: str, own: set[str], words: set[str], general: frozenset[str]) -> bool:
    if any(ch.isdigit() for ch in text) or not text[:1].isupper() or len(text.split()) > 25:
        return False
    if _DISFLUENT.search(text) or _ANSWERS.search(text):
        return False
    # "her", "them": someone or something of another patient's story.
    if (set(_WORD.findall(text.lower())) & _THIRD_PERSON) - words:
        return False
    stems = _stems(text)
    return stems <= own | general


# --- reflections built from the patient's words ------------------------------------------

_PERSON = {
    "i": "you",
    "me": "you",
    "my": "your",
    "mine": "yours",
    "myself": "yourself",
    "i'm": "you're",
    "i've": "you've",
    "i'd": "you'd",
    "i'll": "you'll",
    "im": "you're",
    "ive": "you've",
    "am": "are",
    "we": "we",
}
_OPENERS = re.compile(
    r"^(well|look|yeah|yes|no|okay|ok|so|honestly|i mean|i dunno|i don't know|and|but|oh"
    r"|um+|uh+|hmm+)\b[,.]?\s*",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def second_person(clause: str) -> str:
    """The patient's clause as the clinician would say it back ("I'm tired" -> "you're tired")."""
    tokens = re.findall(r"[A-Za-z]+(?:'[A-Za-z]+)?|[^A-Za-z\s]+|\s+", clause)
    out = []
    prev_word = ""
    for token in tokens:
        low = token.lower().replace("\u2019", "'")
        if low in _PERSON:
            word = _PERSON[low]
        elif low == "was" and prev_word == "i":
            word = "were"
        elif low == "wasn't" and prev_word == "i":
            word = "weren't"
        else:
            word = token
        out.append(word)
        if token.strip():
            prev_word = low
    return "".join(out).strip()


def _clauses(patient_line: str) -> list[str]:
    """The patient's sentences worth giving back, most content first; none that speak to 'you'."""
    sentences = []
    for sentence in _SENTENCE.split(patient_line.strip()):
        sentence = sentence.strip().rstrip(".!?…").strip()
        while True:
            trimmed = _OPENERS.sub("", sentence)
            if trimmed == sentence:
                break
            sentence = trimmed
        words = _WORD.findall(sentence.lower())
        if len(words) < 4 or "?" in sentence or {"you", "your", "you're"} & set(words):
            continue
        sentences.append(sentence)
    return sorted(sentences, key=lambda s: -len(_stems(s)))


# What the patient said is a burden ("weighing on you") or something they value ("matters
# to you"): the meaning added must be the one under their words.
_BURDEN = BURDEN | (FEELINGS - {"hopeful", "proud", "relieved"})


def built_reflections(patient_line: str, code: str) -> list[str]:
    """Reflections of the patient's own words: double-sided or with the feeling under them."""
    out = []
    for clause in _clauses(patient_line)[:2]:
        said = second_person(clause)
        said = said[:1].lower() + said[1:] if not said.startswith("I ") else said
        if code == "reflection_simple":
            out.append(f"So {said}.")
            continue
        halves = re.split(r",?\s+but\s+", said, maxsplit=1)
        if len(halves) == 2 and all(len(h.split()) >= 2 for h in halves):
            out.append(f"On the one hand {halves[0]}, and on the other hand {halves[1]}.")
        burden = set(_WORD.findall(said.lower())) & _BURDEN
        meaning = "that has been weighing on you" if burden else "that matters to you"
        out.append(f"It sounds like {said}, and {meaning}.")
    return out


# --- choosing -------------------------------------------------------------------------------


def acceptable(text: str, harm_reduction: bool) -> bool:
    """No order, and no abstinence push in harm reduction."""
    if _DIRECTIVE.search(text):
        return False
    return not (harm_reduction and _ABSTINENCE.search(text))


Code = Callable[[str, Sequence[Turn]], list[Coding]]


def _codes_as(codings: list[Coding], target: str) -> bool:
    return turn_code_of(codings) == target and not any(c.code in MI_NON_ADHERENT for c in codings)


def suggest_turn(
    code_turn: Code,
    weak_code: str,
    patient_line: str,
    context: str = "",
    harm_reduction: bool = False,
    used: set[str] | None = None,
) -> tuple[str, str, str] | None:
    """A checked better response to a turn coded ``weak_code``: (text, target code, why)."""
    used = used if used is not None else set()
    history = [Turn("patient", patient_line)] if patient_line else []
    tries = 0
    for target in TARGETS.get(weak_code, ()):
        candidates = []
        if target.startswith("reflection") and patient_line:
            candidates += built_reflections(patient_line, target)
        candidates += retrieve(patient_line, target, context)
        for text in candidates:
            if text in used or not acceptable(text, harm_reduction):
                continue
            if tries >= MAX_TRIES:
                return None
            tries += 1
            if _codes_as(code_turn(text, history), target):
                used.add(text)
                why = WHY.get((weak_code, target), _WHY_TARGET[target])
                return text, target, why
    return None


def weakest(codings: Sequence[Coding]) -> str | None:
    """The turn's weakest code with a better alternative, or ``None``."""
    codes = {c.code for c in codings}
    return next((code for code in WEAK_CODES if code in codes), None)
