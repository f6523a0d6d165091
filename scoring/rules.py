"""Rule features (spaCy PhraseMatcher over a blank English pipeline) and the rules-only coder."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from scoring import lexicon as lx
from scoring.segment import get_nlp
from scoring.types import Turn


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: Phrase groups matched anywhere in a unit.
GROUPS: dict[str, list[str]] = {
    "open_phrase": lx.OPEN_PHRASES,
    "refl_stem": lx.REFLECTION_STEMS,
    "complex_marker": lx.COMPLEX_MARKERS,
    "persuade": lx.PERSUADE,
    "warning": lx.WARNINGS,
    "permission": lx.PERMISSION,
    "discount": lx.DISCOUNT,
    "autonomy": lx.AUTONOMY,
    "seek": lx.SEEK,
    "affirm": lx.AFFIRM,
    "confront": lx.CONFRONT,
    "info": lx.INFO,
    "other_phrase": lx.OTHER_PHRASES,
}
#: Names of the numeric rule features, in the order of :func:`feature_vector`.
FEATURE_NAMES: tuple[str, ...] = (
    *GROUPS,
    "qmark",
    "open_start",
    "closed_start",
    "why_dont",
    "imperative_start",
    "you_start",
    "so_start",
    "feeling_new",
    "feeling_any",
    "overlap",
    "backchannel_only",
    "short",
    "long",
    "has_prev",
    "permission_context",
    "first_person",
    "closed_wh",
    "statement_question",
    "you_share",
    "i_share",
    "generic",
    "number",
)
_WORD = re.compile(r"[a-z']+")
_CLOSED_WH = re.compile(
    r"\b(how (many|much|long|often|old|far)|what time|what dose|when (was|did|is)|"
    r"which (day|days|one|ones)|who do you live)\b"
)
_YOU = _words("you you're you've you'd you'll your yours yourself")
_I_WE = _words("i i'm i've i'd i'll me my we we're we'll we've us our let's")
_GENERIC = _words(
    "people most many some research studies usually typically generally percent per it's "
    "there's there are is can cause risk guidelines"
)
_STOP = _words("""i me my you your it its the a an and or but so to of in on at for with that this
    is are was were be been am do does did have has had not no just really like about
    what how why when where who which there their they them he she we our us very
    can could would will should don't i'm you're it's that's""")


@lru_cache(maxsize=1)
def _matcher() -> PhraseMatcher:
    nlp = get_nlp()
    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    for name, phrases in GROUPS.items():
        matcher.add(name, [nlp.make_doc(p) for p in phrases])
    return matcher


@dataclass(frozen=True)
class Context:
    """What the coder needs to know about the conversation before a unit.

    Attributes:
        prev_client: the patient's latest turn ("" if none).
        permission: permission to give advice was asked (and not refused) or advice requested.
    """

    prev_client: str = ""
    permission: bool = False

    @cached_property
    def said(self) -> str:
        """The patient's turn if it has content to reflect, else "" (after "Yeah.", "Mm-hmm.")."""
        return self.prev_client if says_something(self.prev_client) else ""


def _has(text: str, phrases: list[str]) -> bool:
    padded = f" {text.lower()} "
    return any(f" {p} " in padded or f" {p}," in padded or f" {p}?" in padded for p in phrases)


def context_from_history(history: list[Turn] | None, prev_client: str | None = None) -> Context:
    """Read the patient's last turn and the permission state from the history.

    Args:
        history: turns before the one being coded, oldest first.
        prev_client: overrides the patient's last turn (batch input gives it directly).
    """
    turns = list(history or [])
    if prev_client is None:
        said = [t.text for t in turns[-4:] if t.speaker == "patient"]
        # A reflection gives back what the patient said last in substance: after "Yeah."
        # the turn before it is the one being reflected.
        prev_client = next((t for t in reversed(said) if says_something(t)), "")
        if not prev_client:
            prev_client = next((t.text for t in reversed(turns) if t.speaker == "patient"), "")
    permission = False
    # Only the last few turns count: permission granted long ago does not cover new advice.
    recent = turns[-6:]
    for i, turn in enumerate(recent):
        if turn.speaker == "trainee" and _has(turn.text, lx.PERMISSION):
            reply = next((t.text for t in recent[i + 1 :] if t.speaker == "patient"), "")
            permission = not _has(reply.strip(" .!"), lx.REFUSALS[:4]) or not reply
    prev = prev_client or ""
    if _has(prev, lx.ADVICE_REQUESTS[:10]):
        permission = True
    return Context(prev_client=prev, permission=permission)


_SUMMARY = re.compile(r"\b(" + "|".join(re.escape(p) for p in lx.SUMMARY_OPENERS) + r")\b")


def opens_summary(text: str) -> bool:
    """Tell whether the unit announces a summary ("So, let me see if I've got this: ...")."""
    return bool(_SUMMARY.search(text.lower().replace("’", "'")))


def ends_summary(feats: dict[str, float]) -> bool:
    """Tell whether a unit after a summary's opening is no longer part of the summary.

    A question ("Did I get that right?", "What would you like to do?"), an imperative, or the
    trainee speaking for themselves ("I think you should...") is the trainee's own move.
    """
    own_voice = feats["first_person"] and not feats["refl_stem"]
    return bool(feats["qmark"] or feats["imperative_start"] or own_voice)


def advice_permitted(feats: dict[str, float]) -> bool:
    """Tell whether advice in this unit is persuasion with permission (MITI 4.2.1).

    Permission asked and not refused, advice the patient asked for, or a discountable
    frame ("it may or may not suit you"); without any of them advice is plain persuasion.
    """
    return bool(feats["permission_context"] or feats["permission"] or feats["discount"])


def _first_content(words: list[str]) -> tuple[str, int]:
    for i, w in enumerate(words):
        if w not in lx.FILLERS:
            return w, i
    return (words[0] if words else ""), 0


def content_words(text: str) -> set[str]:
    """Lower-case words of ``text`` without stop words (for overlap with the client)."""
    return {w for w in _WORD.findall(text.lower()) if w not in _STOP and len(w) > 2}


def says_something(text: str) -> bool:
    """Tell whether a patient turn has content to reflect (not just "Yeah." or "Mm-hmm.").

    In spoken sessions a third of the patient turns before a reflection are backchannels;
    comparing the reflection with them says nothing about simple versus complex.
    """
    return len(content_words(text) - lx.BACKCHANNELS - lx.FILLERS) >= 2


def _stems(words: set[str]) -> set[str]:
    # A five-letter prefix is a crude stem, but enough to see that "drinking" gives back
    # "drink" and "relaxed" gives back "relax": a simple reflection repeats the patient's
    # words in other forms, a complex one brings words of its own.
    return {w[:5] for w in words}


def features(doc: Doc, ctx: Context) -> dict[str, float]:
    """Compute the rule features of one unit.

    Args:
        doc: the unit, tokenised by :func:`scoring.segment.get_nlp`.
        ctx: the conversation context.

    Returns:
        A dict keyed by :data:`FEATURE_NAMES`.
    """
    nlp = get_nlp()
    feats = dict.fromkeys(FEATURE_NAMES, 0.0)
    for match_id, _start, _end in _matcher()(doc):
        feats[nlp.vocab.strings[match_id]] = 1.0
    text = doc.text.lower()
    words = _WORD.findall(text)
    first, idx = _first_content(words)
    feats["qmark"] = float(text.rstrip().endswith("?") or "?" in text)
    feats["open_start"] = float(first in lx.OPEN_STARTS and " don't you" not in text[:30])
    feats["closed_start"] = float(first in lx.CLOSED_STARTS)
    # A "?" on a statement ("So you're worried?") marks tone, not necessarily a question.
    feats["statement_question"] = float(
        feats["qmark"] == 1.0 and not (feats["open_start"] or feats["closed_start"])
    )
    # MITI 3.1.1: a wh-question after one specific fact (how many, when...) is closed.
    feats["closed_wh"] = float(bool(_CLOSED_WH.search(text)))
    feats["why_dont"] = float(bool(re.search(r"\bwhy (don't|not|can't|won't) you\b", text)))
    feats["imperative_start"] = float(first in lx.IMPERATIVE_STARTS and "you" not in words[:idx])
    feats["you_start"] = float(first in {"you", "you're", "you've", "you'd", "your"})
    feats["so_start"] = float(bool(words) and words[0] == "so")
    said = ctx.said
    client_words = content_words(said)
    mine = content_words(text)
    feelings = {w for w in words if w in lx.FEELINGS}
    client_all = set(_WORD.findall(said.lower()))
    feats["feeling_any"] = float(bool(feelings))
    feats["feeling_new"] = float(bool(feelings - client_all) and bool(said))
    mine_stems, client_stems = _stems(mine), _stems(client_words)
    feats["overlap"] = len(mine_stems & client_stems) / len(mine_stems) if mine else 0.0
    feats["backchannel_only"] = float(bool(words) and all(w in lx.BACKCHANNELS for w in words))
    feats["short"] = float(len(words) <= 3)
    feats["long"] = float(len(words) >= 25)
    feats["has_prev"] = float(bool(said))
    feats["permission_context"] = float(ctx.permission)
    feats["first_person"] = float(first in {"i", "i'm", "i've", "i'd", "we", "we're"})
    # Who the unit is about: reflections talk about "you", information about people or
    # things in general, structuring about "I"/"we".
    n = max(len(words), 1)
    feats["you_share"] = min(1.0, 4 * sum(w in _YOU for w in words) / n)
    feats["i_share"] = min(1.0, 4 * sum(w in _I_WE for w in words) / n)
    feats["generic"] = float(any(w in _GENERIC for w in words))
    # Figures (doses, units, risks, results) mark information; they also turn up in simple
    # reflections that give back the patient's own numbers, which overlap separates.
    feats["number"] = float(
        any(ch.isdigit() for ch in text) or any(w in lx.NUMBER_WORDS for w in words)
    )
    return feats


#: Rule features the head sees. Left out: whether a patient turn exists (real sessions
#: nearly always have one, while in the corpus its absence marks a few kinds of groups) and
#: the unit's length (in the corpus, length tells which codes were written long; in speech
#: every behaviour comes in long run-on turns).
HEAD_FEATURES: tuple[str, ...] = tuple(n for n in FEATURE_NAMES if n not in ("has_prev", "long"))


def feature_vector(feats: dict[str, float]) -> list[float]:
    """Order a feature dict as :data:`HEAD_FEATURES` for the trained head."""
    return [feats[name] for name in HEAD_FEATURES]
