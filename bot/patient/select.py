"""Pick the patient's next line: right topic, talk and layer, never a repeat while others remain."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Sequence

from bot.patient.state import PatientState
from bot.scenario import GENERAL_TOPIC, LAYERS, STAGES, Line, Scenario
from scoring.risk import RISK_KINDS

#: Scores how well each line answers the trainee's turn (see
#: :func:`bot.patient.understand.fit_to_turn`).
Rank = Callable[[Sequence[Line]], list[float]]
#: A deeper layer's line wins a near tie: what the patient has come to trust the trainee with.
LAYER_BONUS = 0.04
#: Lines this close to the best fit are equally good answers; one is drawn at random.
NEAR_TIE = 0.03


def risk_of(line: Line) -> str:
    """The risk kind a line discloses, or ``""``."""
    return next((kind for kind in RISK_KINDS if kind in line.tags), "")


def _allowed(
    line: Line, scenario: Scenario, state: PatientState, turn: int, raised: str | None
) -> bool:
    if risk_of(line) and line.topic != raised:
        # A risk disclosure is never volunteered out of nowhere: only when the trainee's own
        # turn is about that part of the patient's life.
        return False
    if "abstinence" not in line.tags:
        return True
    # Agreeing to stop completely needs a patient who is preparing to change, and in harm
    # reduction never comes early, however well the trainee is doing.
    if STAGES.index(state.stage) < STAGES.index("preparation"):
        return False
    return not scenario.rules.harm_reduction or turn >= scenario.rules.abstinence_min_turn


def _pick(candidates: list[Line], state: PatientState, rng: random.Random) -> Line | None:
    fresh = [line for line in candidates if line.id not in state.used]
    if fresh:
        return rng.choice(fresh)
    if not candidates:
        return None
    # Everything was said already: repeat the line said longest ago.
    order = {line_id: i for i, line_id in enumerate(state.used)}
    return min(candidates, key=lambda line: order.get(line.id, -1))


def _topic_lines(scenario: Scenario, topic_id: str, talk: str, layers: Iterable[str]) -> list[Line]:
    topic = scenario.topics.get(topic_id)
    if topic is None:
        return []
    return [line for layer in layers for line in topic.lines.get((layer, talk), ())]


def ranked_pool(
    scenario: Scenario,
    state: PatientState,
    topic_id: str,
    talk: str,
    usable_layer: int,
    *,
    turn: int,
    raised: str | None = None,
) -> list[Line]:
    """The unused full lines of the topic and of ``general`` at every usable layer.

    What a ranked choice weighs against the turn: the line that answers it best may sit at
    any layer the patient will disclose now, or be one of the general lines.
    """
    topics = [topic_id] if topic_id == GENERAL_TOPIC else [topic_id, GENERAL_TOPIC]
    layers = LAYERS[: usable_layer + 1]
    return [
        line
        for topic in topics
        for line in _topic_lines(scenario, topic, talk, layers)
        if "short" not in line.tags
        and line.id not in state.used
        and _allowed(line, scenario, state, turn, raised)
    ]


def best_fit(lines: Sequence[Line], rank: Rank, rng: random.Random) -> Line:
    """The line that answers the turn best (deeper layers win near ties)."""
    scores = [
        fit + LAYER_BONUS * LAYERS.index(line.layer)
        for line, fit in zip(lines, rank(lines), strict=True)
    ]
    top = max(scores)
    return rng.choice([line for line, s in zip(lines, scores, strict=True) if s >= top - NEAR_TIE])


def choose_line(
    scenario: Scenario,
    state: PatientState,
    topic_id: str,
    talk: str,
    usable_layer: int,
    *,
    short: bool,
    turn: int,
    rng: random.Random,
    raised: str | None = None,
    rank: Rank | None = None,
) -> Line:
    """Choose one line.

    Order of preference: unused lines of the topic at the deepest usable layer, then
    shallower layers, then the ``general`` topic, then other topics; once every candidate
    was said, the one of the topic said longest ago. Closed questions (``short``) prefer
    lines tagged ``short`` and then the scenario's ``short_answers``. With ``rank``, the
    unused lines of the topic and of ``general`` compete on how well they answer the turn
    (:func:`ranked_pool`, :func:`best_fit`) before that order applies.

    Args:
        scenario: The patient.
        state: State before this reply (its ``used`` list and stage matter).
        topic_id: Topic to talk about.
        talk: Talk label the line must carry.
        usable_layer: Deepest layer index the patient will disclose now.
        short: The trainee asked only a closed question.
        turn: The turn being answered.
        rng: The session's seeded random generator.
        raised: The topic the trainee's turn raised, if any (risk lines need it).
        rank: Scores lines by how well they answer the turn; ``None``: the order alone.
    """
    layers = list(reversed(LAYERS[: usable_layer + 1]))

    def ok(lines: Iterable[Line]) -> list[Line]:
        return [line for line in lines if _allowed(line, scenario, state, turn, raised)]

    def fresh(lines: Iterable[Line]) -> list[Line]:
        return [line for line in ok(lines) if line.id not in state.used]

    if short:
        tagged = [x for x in _topic_lines(scenario, topic_id, talk, layers) if "short" in x.tags]
        # Only unused short lines; once they run out a full line beats a repeated one.
        pool = fresh(tagged) or fresh(scenario.short_answers.get(talk, ()))
        if pool:
            return rng.choice(pool)
    if rank is not None:
        pool = ranked_pool(scenario, state, topic_id, talk, usable_layer, turn=turn, raised=raised)
        if pool:
            return best_fit(pool, rank, rng)
    # Other topics come last: drifting is better than repeating, but only just.
    order = [
        topic_id,
        GENERAL_TOPIC,
        *(t for t in scenario.topics if t not in (topic_id, GENERAL_TOPIC)),
    ]
    # Clipped answers ("Not great.") fit closed questions; elsewhere only as a last resort.
    for topic in order:
        for allow_short in (False, True):
            for layer in layers:
                unused = [
                    x
                    for x in fresh(_topic_lines(scenario, topic, talk, [layer]))
                    if allow_short or "short" not in x.tags
                ]
                if unused:
                    return rng.choice(unused)
    pool = ok(_topic_lines(scenario, topic_id, talk, layers))
    pool += ok(_topic_lines(scenario, GENERAL_TOPIC, talk, layers))
    line = _pick(pool, state, rng)
    if line is None:  # the schema guarantees general surface lines for every talk
        line = _pick(_topic_lines(scenario, GENERAL_TOPIC, talk, ["surface"]), state, rng)
    assert line is not None, "scenario without general surface lines passed validation"
    return line


def choose_ruler(scenario: Scenario, state: PatientState, rng: random.Random) -> Line | None:
    """Choose an answer template for a readiness ruler question (``None`` if none exist)."""
    return _pick(list(scenario.ruler), state, rng)


def choose_in_role(scenario: Scenario, state: PatientState, kind: str, rng: random.Random) -> Line:
    """Choose an in-character line of ``kind`` (falls back to ``off_topic``)."""
    lines = list(scenario.in_role.get(kind) or scenario.in_role.get("off_topic", ()))
    line = _pick(lines, state, rng)
    if line is None:  # defaults always provide off_topic lines
        line = _pick(list(scenario.topics[GENERAL_TOPIC].lines[("surface", "neutral")]), state, rng)
    assert line is not None
    return line


def choose_heard_out(scenario: Scenario, state: PatientState, rng: random.Random) -> Line | None:
    """A brief neutral answer to advice the patient merely hears out ("Yeah. I know.").

    From the scenario's ``in_role.heard_out`` lines: short answers ("Sometimes.") answer
    questions, and a topic's lines would read as not having heard the advice at all.
    """
    fresh = [x for x in scenario.in_role.get("heard_out", ()) if x.id not in state.used]
    return rng.choice(fresh) if fresh else None
