"""The MITI 4.2.1 behaviour codes and the groups the report and the benchmark use."""

from __future__ import annotations

from collections.abc import Mapping

#: Every code the coder can emit, in a fixed order (the order of probability vectors).
CODES: tuple[str, ...] = (
    "question_open",
    "question_closed",
    "reflection_simple",
    "reflection_complex",
    "affirm",
    "seeking_collaboration",
    "emphasizing_autonomy",
    "giving_information",
    "persuade_with_permission",
    "persuade",
    "confront",
    "other",
)

QUESTIONS = frozenset({"question_open", "question_closed"})
REFLECTIONS = frozenset({"reflection_simple", "reflection_complex"})
#: MITI 4.2.1 total MI-adherent = Seek + Affirm + Emphasize Autonomy.
MI_ADHERENT = frozenset({"affirm", "seeking_collaboration", "emphasizing_autonomy"})
#: MITI 4.2.1 total MI non-adherent = Confront + Persuade (with permission is in neither).
MI_NON_ADHERENT = frozenset({"persuade", "confront"})
#: What the UI calls "pressure".
PRESSURE = MI_NON_ADHERENT

#: AnnoMI evaluation label of each code (see /shared/eval/README.md).
EVAL_LABEL: dict[str, str] = {
    "question_open": "open_question",
    "question_closed": "closed_question",
    "reflection_simple": "simple_reflection",
    "reflection_complex": "complex_reflection",
    "giving_information": "giving_information",
    "persuade": "advice_or_persuasion",
    "persuade_with_permission": "advice_or_persuasion",
    "affirm": "other",
    "seeking_collaboration": "other",
    "emphasizing_autonomy": "other",
    "confront": "other",
    "other": "other",
}

#: Coarse 4-class view of the evaluation labels.
EVAL_CLASS4: dict[str, str] = {
    "open_question": "question",
    "closed_question": "question",
    "simple_reflection": "reflection",
    "complex_reflection": "reflection",
    "giving_information": "input",
    "advice_or_persuasion": "input",
    "other": "other",
}

#: Expected share of each code among the thought units that reach the trained head in a real
#: practice session. The head is trained with balanced class weights (the authored corpus is
#: not a session sample), so its outputs are rescaled by these priors at inference. Set from
#: the MI coding literature's typical profiles (questions and reflections each about a
#: quarter, little advice); `other` is low because pure backchannels and greetings are settled
#: by the rules before the head. Not fitted to any evaluation data.
PRIORS: dict[str, float] = {
    "question_open": 0.11,
    "question_closed": 0.10,
    "reflection_simple": 0.13,
    "reflection_complex": 0.11,
    "affirm": 0.03,
    "seeking_collaboration": 0.03,
    "emphasizing_autonomy": 0.02,
    "giving_information": 0.10,
    "persuade_with_permission": 0.02,
    "persuade": 0.03,
    "confront": 0.01,
    "other": 0.12,
}

#: Which code stands for a whole turn when a turn holds several thoughts (first wins).
#: Why this order: a reflection is the rarer, more skilled move and the part a turn is
#: built around (a question after it usually just hands the floor back); a question is the
#: move the client answers, so it outranks information; advice outranks neutral information
#: because any push colours the turn; the MITI-only codes and `other` come last.
TURN_PRIORITY: tuple[str, ...] = (
    "reflection_complex",
    "reflection_simple",
    "question_open",
    "question_closed",
    "persuade",
    "persuade_with_permission",
    "confront",
    "giving_information",
    "seeking_collaboration",
    "emphasizing_autonomy",
    "affirm",
    "other",
)


#: MITI 4.2.1's tie-breaks ("when in doubt"): each key loses to the best-scoring of its
#: candidates when the two are close: GI over Persuade, Simple over Complex reflection, Seek
#: over Emphasize Autonomy, and Question or Simple reflection over an adherent code.
_PLAIN = ("question_open", "question_closed", "reflection_simple")
PREFER_IN_DOUBT: dict[str, tuple[str, ...]] = {
    "reflection_complex": ("reflection_simple",),
    "persuade": ("giving_information",),
    "persuade_with_permission": ("giving_information",),
    "emphasizing_autonomy": ("seeking_collaboration", *_PLAIN),
    "seeking_collaboration": _PLAIN,
    "affirm": _PLAIN,
}
#: "In doubt": the leading code scores less than this many times the code preferred to it.
DOUBT_RATIO = 1.5


def when_in_doubt(code: str, score: Mapping[str, float]) -> str:
    """Apply the manual's "when in doubt" preference between two close codes.

    Args:
        code: the leading code.
        score: probabilities or votes keyed by code.
    """
    candidates = PREFER_IN_DOUBT.get(code)
    if not candidates:
        return code
    preferred = max(candidates, key=lambda c: score.get(c, 0.0))
    return preferred if score.get(code, 0.0) < DOUBT_RATIO * score.get(preferred, 0.0) else code


def is_code(code: str) -> bool:
    """Tell whether ``code`` is one of :data:`CODES`."""
    return code in CODES


def dominant_code(units: list[tuple[str, int, dict[str, float]]]) -> str:
    """Pick the code that stands for a whole turn: its dominant behaviour.

    Each unit gives its own code as many votes as it has words; ``other`` (backchannels,
    "okay so") only wins when every unit is coded ``other``; ties go to the code with the
    larger ``words x probability`` sum, then follow :data:`TURN_PRIORITY`. Why: a single
    turn label (as in AnnoMI) names the turn's main behaviour, the behaviour that takes up
    most of the turn is the main one, and the label must be one of the codes the trainee
    sees on the turn's units (a sum of probabilities alone can elect a code no unit has).

    Args:
        units: ``(code, number_of_words, probabilities)`` per thought unit.
    """
    if all(code == "other" for code, _, _ in units):
        return "other"
    votes = dict.fromkeys(CODES, 0.0)
    soft = dict.fromkeys(CODES, 0.0)
    for code, words, probs in units:
        if code == "other":
            continue
        votes[code] += max(words, 1)
        for c in CODES:
            soft[c] += max(words, 1) * probs.get(c, float(c == code))
    votes["other"] = -1.0
    rank = {c: i for i, c in enumerate(TURN_PRIORITY)}
    return max(CODES, key=lambda c: (votes[c], round(soft[c], 6), -rank[c]))


def turn_code_of(codings: list) -> str:
    """:func:`dominant_code` of a turn's :class:`~scoring.types.Coding` list."""
    return dominant_code([(c.code, len(c.text.split()), c.probabilities) for c in codings])


def turn_code(codes: list[str]) -> str:
    """Pick the code that stands for a whole turn, by :data:`TURN_PRIORITY`.

    Args:
        codes: the codes of the turn's thought units (may be empty).

    Returns:
        The highest-priority code present, or ``"other"`` for an empty list.
    """
    present = set(codes)
    for code in TURN_PRIORITY:
        if code in present:
            return code
    return "other"
