"""One patient turn: from the coded trainee turn to a reply and a new state."""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.patient.answers import Answer, answer_fact, answer_permission, answer_risk
from bot.patient.dynamics import (
    EFFECTS,
    Appraisal,
    TalkTable,
    appraise,
    choose_talk,
    move_of,
    move_readiness,
    open_layers,
    touch_sensitive_topic,
)
from bot.patient.inrole import in_role_kind
from bot.patient.ruler import ruler_move, ruler_number
from bot.patient.select import (
    Rank,
    choose_heard_out,
    choose_in_role,
    choose_line,
    choose_ruler,
    risk_of,
)
from bot.patient.state import MAX_USED, PatientState
from bot.patient.understand import Encode, fit_to_turn, understand
from bot.scenario import GENERAL_TOPIC, LAYERS, Line, Scenario


class CodingLike(Protocol):
    """What the patient reads from a ``scoring.Coding``: only its code."""

    @property
    def code(self) -> str: ...


@dataclass(frozen=True)
class PatientReply:
    """The patient's answer to one trainee turn.

    Attributes:
        text: What the patient says.
        talk: ``change``, ``sustain``, ``neutral`` or ``discord`` (from the line's metadata).
        state: State after the turn.
        changes: Why the state changed this turn, one sentence each.
        line_id: Id of the line said.
        topic: Topic of the reply (``in_role.<kind>`` for in-character answers).
        layer: Disclosure layer of the line.
        kind: ``topic``, ``short``, ``ruler``, ``fact``, ``risk``, ``permission`` or the
            in-role kind (``greet``, ``bot_challenge``...).
        fact: Id of the fact the reply answered, or ``""``.
        risk: Risk kind the reply disclosed or answered about (a risk the patient carries),
            or ``""``; a report notes whether the trainee followed it up.
        permission: ``yes``, ``reluctant`` or ``no`` when the reply answered a request to
            share, else ``""``.
    """

    text: str
    talk: str
    state: PatientState
    changes: list[str] = field(default_factory=list)
    line_id: str = ""
    topic: str = GENERAL_TOPIC
    layer: str = LAYERS[0]
    kind: str = "topic"
    fact: str = ""
    risk: str = ""
    permission: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable payload (the state as :meth:`PatientState.to_dict`)."""
        return {
            "text": self.text,
            "talk": self.talk,
            "changes": list(self.changes),
            "line_id": self.line_id,
            "topic": self.topic,
            "layer": self.layer,
            "kind": self.kind,
            "fact": self.fact,
            "risk": self.risk,
            "permission": self.permission,
            "state": self.state.to_dict(),
        }


def _codes(codings: Sequence[CodingLike]) -> list[str]:
    # MITI counts each code once per volley; keep the trainee's order for the reasons.
    codes = [c.code for c in codings if getattr(c, "code", None) in EFFECTS]
    return list(dict.fromkeys(codes)) or ["other"]


def _after(state: PatientState, line: Line, talk: str, **changes: Any) -> PatientState:
    counts = dict(state.talk_counts)
    counts[talk] = counts.get(talk, 0) + 1
    used = (*state.used, line.id)[-MAX_USED:]
    return state.evolve(
        turn=state.turn + 1, used=used, last_talk=talk, talk_counts=counts, **changes
    )


def _in_role(
    scenario: Scenario, state: PatientState, kind: str, codes: list[str], rng: random.Random
) -> PatientReply:
    turn = state.turn + 1
    line = choose_in_role(scenario, state, kind, rng)
    changes = [f"turn {turn}: no change: answered in character ({kind.replace('_', ' ')})"]
    discord = state.discord
    streak = state.off_topic_streak + (kind not in ("greet", "farewell"))
    if streak >= 3:
        # A patient kept off task for several turns gets impatient, as a real one would.
        discord = min(10.0, discord + 0.5)
        changes = [
            f"turn {turn}: discord rose {state.discord:.1f} -> {discord:.1f} after "
            f"{streak} off-task turns in a row"
        ]
    new = _after(
        state,
        line,
        line.talk,
        discord=discord,
        off_topic_streak=streak,
        last_codes=tuple(codes),
        pressure_streak=0,
        permission="",
    )
    return PatientReply(line.text, line.talk, new, changes, line.id, line.topic, line.layer, kind)


def _ruler_answer(
    scenario: Scenario, state: PatientState, ap: Appraisal, codes: list[str], rng: random.Random
) -> PatientReply | None:
    # The patient reports the readiness the model holds, so the ruler is an honest window
    # on the state; answering it changes nothing but the relationship effects of the turn.
    line = choose_ruler(scenario, state, rng)
    if line is None:
        return None
    turn = state.turn + 1
    number = ruler_number(state.readiness)
    text = re.sub(r"\b([Aa]) (8|11|18)\b", r"\1n \2", line.text.replace("{n}", str(number)))
    changes = [
        *ap.reasons,
        f"turn {turn}: readiness ruler: the patient said {number} (readiness "
        f"{state.readiness:.1f})",
    ]
    new = _after(
        state, line, "neutral",
        rapport=ap.rapport, discord=ap.discord, last_codes=tuple(codes),
        pressure_streak=0, off_topic_streak=0, permission="",
    )  # fmt: skip
    return PatientReply(text, "neutral", new, changes, line.id, state.topic, line.layer, "ruler")


def _topic(
    scenario: Scenario,
    state: PatientState,
    found: str | None,
    codes: list[str],
    usable: int,
    turn: int,
) -> tuple[str, list[str]]:
    current = state.topic if state.topic in scenario.topics else GENERAL_TOPIC
    if found is not None:
        if found != current:
            label = scenario.topics[found].label
            return found, [f"turn {turn}: topic moved to '{label}' (raised by the trainee)"]
        return found, []
    if "question_open" not in codes:
        return current, []
    # An open question that names no topic invites the patient to bring up something new,
    # unless the current topic still has things to say at this depth.
    cur = scenario.topics.get(current)
    layers = LAYERS[: usable + 1]
    if (
        cur is not None
        and current != GENERAL_TOPIC
        and any(
            line.id not in state.used
            for (layer, _), lines in cur.lines.items()
            if layer in layers
            for line in lines
        )
    ):
        return current, []
    for topic_id in scenario.topics:
        if topic_id != GENERAL_TOPIC and topic_id not in state.topics_seen:
            label = scenario.topics[topic_id].label
            return topic_id, [f"turn {turn}: open question: the patient brought up '{label}'"]
    return current, []


def respond(
    scenario: Scenario,
    state: PatientState,
    codings: Sequence[CodingLike],
    text: str = "",
    intent: str | None = None,
    *,
    encode: Encode | None = None,
    talk_table: TalkTable | None = None,
) -> PatientReply:
    """Answer one trainee turn. Pure: ``state`` is not changed; the reply holds the new one.

    Every code of the turn moves the state; the reply answers the turn's last question when
    it has one (a fact, a risk question, a request to share), else talks about the topic
    the turn raised, with the talk drawn as real clients' talk runs (see
    :func:`bot.patient.dynamics.choose_talk`).

    Args:
        scenario: The patient.
        state: State before the turn (from :func:`start_state` or a previous reply).
        codings: One ``scoring.Coding`` (or anything with ``.code`` and ``.text``) per
            thought unit.
        text: The trainee's words.
        intent: NLU intent of the turn: ``trainee_turn``, or ``bot_challenge``,
            ``off_topic``, ``nlu_fallback`` (answered in role when the turn bears it out).
        encode: Sentence encoder to read the turn's meaning (words only when ``None``).
        talk_table: Talk table to use instead of the shipped one (calibration).

    Returns:
        The reply, its talk label, the new state and the reasons for every change.

    Raises:
        ValueError: ``state`` belongs to another scenario.
    """
    if state.scenario_id != scenario.id:
        raise ValueError(f"state of scenario {state.scenario_id!r} used with {scenario.id!r}")
    turn = state.turn + 1
    # Seeded per turn (string seeds hash deterministically), so replays give the same session.
    rng = random.Random(f"{scenario.id}:{state.seed}:{turn}")
    codes = _codes(codings)
    und = understand(scenario, text, codings, state.topic, encode)
    told_to_stop = scenario.rules.harm_reduction and und.urges_stop
    if told_to_stop:
        # Leave to share was asked (MITI codes it so), but the leave given does not cover
        # being told to stop when stopping is not the patient's goal: the righting reflex
        # draws resistance all the same.
        codes = ["persuade" if c == "persuade_with_permission" else c for c in codes]
    addressed = und.topic is not None or bool(und.fact or und.risk or und.permission)
    kind = in_role_kind(text, intent, codes, addressed)
    if kind is not None:
        return _in_role(scenario, state, kind, codes, rng)
    ap = appraise(
        state.evolve(permission="") if told_to_stop else state, codes, turn, scenario.difficulty
    )
    ap = touch_sensitive_topic(scenario, state, ap, codes, und.topic, turn)
    ruler = None if ap.pressure else ruler_move(text, state.used[-1] if state.used else "")
    if ruler == "ask":
        answer = _ruler_answer(scenario, state, ap, codes, rng)
        if answer is not None:
            return answer
    if und.risk and not ap.pressure:
        return _answered(scenario, state, ap, codes, answer_risk(scenario, ap, und.risk))
    if und.permission and not ap.pressure:
        return _answered(scenario, state, ap, codes, answer_permission(scenario, state, ap, rng))
    if ruler == "why_not_lower" and ap.discord < 5:
        talk, talk_reason = "change", "asked why the ruler number is not lower: own reasons"
    else:
        talk, talk_reason = choose_talk(
            state, ap, codes, move_of(codings) if codings else "other", und, rng, talk_table
        )
    short = und.closed or set(codes) - {"other"} == {"question_closed"}
    fact = scenario.facts.get(und.fact) if und.fact else None
    told = answer_fact(scenario, state, ap, fact, talk, closed=short) if fact else None
    if told is not None and not told.more:
        talk, talk_reason = told.line.talk, told.reason
    usable, reached, layer_reasons = open_layers(scenario, state, ap, turn)
    topic_id, topic_reasons = _topic(scenario, state, und.topic, codes, usable, turn)
    rank: Rank | None = None
    if encode is not None and und.meaning is not None:
        reader = encode  # bound for the closure (mypy cannot narrow `encode` inside it)

        def rank(lines: Sequence[Line]) -> list[float]:
            return fit_to_turn(scenario, reader, und, lines)

    if talk == "neutral" and und.evokes and told is None and not short and not ap.pressure:
        # A neutral line is a detail of the patient's life, which would not answer "what
        # worries you?" or "what do you like about it?". Measured on the AnnoMI replay
        # (benchmarks/client_dynamics.py), this leaves the talk mix as it was.
        reason = f"asked for {und.evokes} talk, the patient answers the question"
        talk, talk_reason = und.evokes, f"{talk_reason}; {reason}"
    readiness, stage, ready_reasons = move_readiness(state, ap, codes, talk, turn)
    moved = state.evolve(stage=stage)
    line: Line | None = None
    if (told is None or told.more) and ap.pressure and talk == "neutral":
        line = choose_heard_out(scenario, moved, rng)
    if line is None and (told is None or told.more):
        line = choose_line(
            scenario, moved, topic_id, talk, usable,
            short=short, turn=turn, rng=rng, raised=und.topic, rank=rank,
        )  # fmt: skip
    if (
        line is not None
        and line.topic not in (topic_id, GENERAL_TOPIC)
        and (line.topic in scenario.topics)
    ):
        # .get: a state saved before an educator removed a topic must still load.
        old = scenario.topics.get(topic_id)
        topic_reasons.append(
            f"turn {turn}: nothing new to say about '{old.label if old else topic_id}': "
            f"drifted to '{scenario.topics[line.topic].label}'"
        )
        topic_id = line.topic
    seen = state.topics_seen
    if topic_id != GENERAL_TOPIC and topic_id not in seen:
        seen = (*seen, topic_id)
    changes = [*topic_reasons, *ap.reasons, *ready_reasons, *layer_reasons]
    if told_to_stop:
        changes.insert(0, f"turn {turn}: told to stop using, which is not the patient's goal")
    if told is not None and told.more:
        changes.append(f"turn {turn}: {told.reason}")
    changes.append(f"turn {turn}: {talk} talk: {talk_reason}")
    said = [x for x in (told.text if told else "", line.text if line else "") if x]
    # The topic line, when there is one, gives the reply its label and joins the lines used.
    if line is not None:
        used_line = line
    else:
        assert told is not None, "no topic line is chosen only when a fact answers the turn"
        used_line = told.line
    facts_told = state.facts_told
    if told is not None and told.told and told.fact not in facts_told:
        facts_told = (*facts_told, told.fact)
    risk = risk_of(line) if line is not None else ""
    new = _after(
        state, used_line, talk,
        stage=stage, rapport=ap.rapport, discord=ap.discord, readiness=readiness,
        layer=reached, topic=topic_id, topics_seen=seen, last_codes=tuple(codes),
        pressure_streak=ap.pressure_streak, off_topic_streak=0, permission="",
        facts_told=facts_told,
    )  # fmt: skip
    if told is not None:
        kind_out = "fact"
    elif short and line is not None and ("short" in line.tags or line.id.startswith("short_")):
        kind_out = "short"
    else:
        kind_out = "topic"
    return PatientReply(
        " ".join(said), talk, new, changes, used_line.id, topic_id, used_line.layer, kind_out,
        fact=told.fact if told is not None else "", risk=risk,
    )  # fmt: skip


def _answered(
    scenario: Scenario, state: PatientState, ap: Appraisal, codes: list[str], answer: Answer
) -> PatientReply:
    """A reply that answers a risk question or a request to share (neutral talk)."""
    turn = state.turn + 1
    line = answer.line
    changes = [*ap.reasons, f"turn {turn}: {answer.reason}"]
    new = _after(
        state, line, "neutral",
        rapport=ap.rapport, discord=ap.discord, last_codes=tuple(codes),
        pressure_streak=0, off_topic_streak=0, permission=answer.permission,
    )  # fmt: skip
    return PatientReply(
        line.text, "neutral", new, changes, line.id, state.topic, line.layer, answer.kind,
        risk=answer.risk if scenario.risk.present(answer.risk) else "",
        permission=answer.permission,
    )  # fmt: skip
