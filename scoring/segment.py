"""Split a trainee turn into MITI thought units with spaCy's rule-based sentencizer."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import spacy
from spacy.language import Language

#: Longest text the coder reads from one turn; a pasted essay must not stall a session.
MAX_CHARS = 4000
#: Most thought units per turn; the rest of the text joins the last unit.
MAX_UNITS = 12

_SPACES = re.compile(r"\s+")
# Units of fewer than this many word characters (e.g. a lone "so") join the next unit.
_MIN_WORD_CHARS = 2
# A unit made only of these ("So, um.", "And, uh...") is a run-up to the next thought, not a
# thought of its own; backchannels such as "Okay." or "Mm." stay separate (they are `other`).
_RUN_UP = frozenset(
    [
        "so",
        "and",
        "but",
        "um",
        "uh",
        "er",
        "well",
        "like",
        "you",
        "know",
        "i",
        "mean",
        "just",
        "then",
        "now",
    ]
)
_WORDS = re.compile(r"[a-z']+")


@lru_cache(maxsize=1)
def get_nlp() -> Language:
    """Return the shared blank English pipeline with a sentencizer (rules only)."""
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer", config={"punct_chars": [".", "!", "?", ";", "…"]})
    return nlp


def clean(text: Any) -> str:
    """Normalise whitespace and cut overlong input; non-strings become ``""``."""
    if not isinstance(text, str):
        return ""
    # Lone surrogates (from broken UTF-16 upstream) make spaCy's tokenizer raise.
    text = text[:MAX_CHARS].encode("utf-8", "replace").decode("utf-8")
    return _SPACES.sub(" ", text).strip()


def _units_from_sents(sents: list[str]) -> list[str]:
    units: list[str] = []
    carry = ""
    for sent in sents:
        sent = (carry + " " + sent).strip() if carry else sent
        carry = ""
        words = _WORDS.findall(sent.lower())
        tiny = sum(ch.isalnum() for ch in sent) < _MIN_WORD_CHARS
        if (tiny or (words and set(words) <= _RUN_UP)) and not sent.endswith("?"):
            carry = sent
            continue
        units.append(sent)
    if carry:
        if units:
            units[-1] = units[-1] + " " + carry
        else:
            units.append(carry)
    if len(units) > MAX_UNITS:
        units = units[: MAX_UNITS - 1] + [" ".join(units[MAX_UNITS - 1 :])]
    return units


def segment(text: Any) -> list[str]:
    """Split a turn into thought units (sentences, with tiny fragments merged).

    Args:
        text: the trainee's turn.

    Returns:
        The units in order; ``[""]`` for empty or whitespace-only input, never empty.
    """
    return segment_many([text])[0]


def segment_many(texts: list[Any]) -> list[list[str]]:
    """Segment many turns at once (uses ``nlp.pipe`` for speed)."""
    cleaned = [clean(t) for t in texts]
    out: list[list[str]] = []
    for doc in get_nlp().pipe(cleaned, batch_size=256):
        sents = [s.text.strip() for s in doc.sents if s.text.strip()]
        units = _units_from_sents(sents)
        out.append(units or [""])
    return out
