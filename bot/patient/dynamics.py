"""How the trainee's coded behaviour moves rapport, discord, readiness, stage and disclosure.

Every rule returns its reasons as plain sentences, so a report can replay why the
patient changed ("turn 7: discord rose 2.0 -> 4.0 after a confrontation").
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from bot.patient.state import PatientState
from bot.patient.understand import Understanding
from bot.scenario import LAYERS, STAGES, Scenario
from bot.scenario.model import DIFFICULTY
from scoring.codes import EVAL_LABEL, dominant_code

PRESSURE = frozenset({"persuade", "confront"})
#: Moves that count as the trainee earning change talk (MITI adherent or neutral, not pushy).
EVOKING = frozenset(
    {"reflection_complex", "reflection_simple", "affirm", "seeking_collaboration",
     "emphasizing_autonomy", "question_open", "persuade_with_permission"}
)  # fmt: skip
#: Moves that make a patient feel deeply understood (readiness counts double after them).
REFLECTIVE = frozenset({"reflection_complex", "affirm"})
#: Real clients' next talk by their previous talk and the clinician's move (AnnoMI).
TALK_TABLE_PATH = Path(__file__).with_name("talk_table.json")

# (rapport delta, discord delta, phrase used in reasons). At standard difficulty a steady run
# of reflections takes a guarded patient (rapport 3) to the core layer (7) in four or five
# turns; a scenario's difficulty scales every gain (see DIFFICULTY).
EFFECTS: dict[str, tuple[float, float, str]] = {
    "reflection_complex": (1.0, -1.0, "a complex reflection"),
    "reflection_simple": (0.5, -0.5, "a simple reflection"),
    "affirm": (1.0, -0.5, "an affirmation"),
    "seeking_collaboration": (0.5, -0.5, "seeking collaboration"),
    "emphasizing_autonomy": (0.5, -1.5, "emphasising autonomy"),
    "question_open": (0.25, 0.0, "an open question"),
    "question_closed": (0.0, 0.0, "a closed question"),
    "giving_information": (0.0, 0.0, "giving information"),
    "persuade_with_permission": (0.0, 0.25, "advice given with permission"),
    "persuade": (-0.5, 1.5, "persuading without permission"),
    "confront": (-1.5, 2.0, "a confrontation"),
    "other": (0.0, 0.0, "a neutral remark"),
}
#: Readiness needed to enter each stage after the first, and the earliest turn for it.
STAGE_ENTRY: dict[str, tuple[float, int]] = {
    "contemplation": (4.0, 1),
    "preparation": (6.5, 8),
    "action": (8.5, 14),
}
# Stage drops back only when readiness falls this far below the entry level (hysteresis).
STAGE_SLACK = 1.5


def _clamp(value: float) -> float:
    return round(min(10.0, max(0.0, value)), 2)


def _phrases(codes: Iterable[str]) -> str:
    names = [EFFECTS[c][2] for c in codes if c in EFFECTS]
    return " and ".join(names) if names else "a neutral remark"


def _moved(name: str, before: float, after: float, why: str, turn: int) -> list[str]:
    if abs(after - before) < 1e-9:
        return []
    verb = "rose" if after > before else "fell"
    return [f"turn {turn}: {name} {verb} {before:.1f} -> {after:.1f} {why}"]


@dataclass(frozen=True)
class Appraisal:
    """How the patient took the trainee's turn, before choosing what to say.

    Attributes:
        rapport: Rapport after the turn.
        discord: Discord after the turn.
        pressure: The turn pushed without permission.
        calmed: The turn persuaded, but after the patient had agreed to hear it.
        pressure_streak: Consecutive pressuring turns, this one included.
        reasons: Why rapport and discord moved.
        touchy: A sensitive topic was raised too early this turn.
    """

    rapport: float
    discord: float
    pressure: bool
    calmed: bool
    pressure_streak: int
    reasons: list[str]
    touchy: bool = False


def appraise(
    state: PatientState, codes: list[str], turn: int, difficulty: str = "standard"
) -> Appraisal:
    """Apply the per-code effects of one trainee turn (each code counts once per turn).

    Args:
        state: State before the turn (its ``permission`` says whether the patient agreed
            to hear information or advice on the turn before).
        codes: The turn's codes, each once.
        turn: The turn's number, for the reasons.
        difficulty: The scenario's difficulty: every gain in rapport and every easing of
            discord is scaled by :data:`bot.scenario.model.DIFFICULTY`.
    """
    agreed = state.permission in ("yes", "reluctant")
    refused = state.permission == "no"
    calmed = agreed and "persuade" in codes and "confront" not in codes
    effective = ["persuade_with_permission" if calmed and c == "persuade" else c for c in codes]
    if refused and "giving_information" in effective and "persuade" not in effective:
        # Told anyway after saying no: the information lands as a push.
        effective = ["persuade" if c == "giving_information" else c for c in effective]
    d_rapport = sum(EFFECTS.get(c, EFFECTS["other"])[0] for c in effective)
    d_discord = sum(EFFECTS.get(c, EFFECTS["other"])[1] for c in effective)
    pressure = any(c in PRESSURE for c in effective)
    why = f"after {_phrases(codes)}"
    if calmed:
        why += " (heard more calmly: the patient had agreed to hear it)"
    if refused and pressure:
        d_discord += 0.5
        why += " (after the patient had said no to hearing it)"
    if pressure and state.pressure_streak:
        # Pushing again on a patient who has already been pushed escalates the friction.
        d_discord += 0.5 * state.pressure_streak
        why += f" ({state.pressure_streak + 1} pushy turns in a row)"
    if d_rapport > 0 and state.discord >= 5:
        d_rapport /= 2  # a patient still bristling warms up more slowly
        why += " (still guarded after earlier friction)"
    elif d_rapport > 0 and state.rapport >= 7:
        d_rapport /= 2  # trust is already high; each further step is smaller
    pace = DIFFICULTY.get(difficulty, 1.0)
    if d_rapport > 0:
        d_rapport *= pace
    if d_discord < 0:
        d_discord *= pace
    d_rapport = max(-2.0, min(1.5, d_rapport))
    d_discord = max(-2.0, min(3.0, d_discord))
    rapport = _clamp(state.rapport + d_rapport)
    discord = _clamp(state.discord + d_discord)
    reasons = _moved("rapport", state.rapport, rapport, why, turn)
    reasons += _moved("discord", state.discord, discord, why, turn)
    return Appraisal(
        rapport,
        discord,
        pressure,
        calmed,
        state.pressure_streak + 1 if pressure else 0,
        reasons,
    )


def touch_sensitive_topic(
    scenario: Scenario,
    state: PatientState,
    ap: Appraisal,
    codes: list[str],
    raised: str | None,
    turn: int,
) -> Appraisal:
    """Add friction when the trainee raises a sensitive topic before rapport allows it.

    Timing is part of technique: the same question about an overdose or a body lands
    differently at rapport 3 and at rapport 7. Only the turn that raises the topic counts.
    """
    topic = scenario.topics.get(raised) if raised else None
    if topic is None or raised == state.topic or ap.rapport >= topic.sensitivity:
        return ap
    # Reflecting what the patient has already let show stings less than probing for it.
    gentle = any(c in REFLECTIVE or c == "reflection_simple" for c in codes)
    discord = _clamp(ap.discord + (0.5 if gentle else 1.0))
    why = (
        f"after '{topic.label}' was raised before rapport allowed it "
        f"(rapport {ap.rapport:.1f} < {topic.sensitivity:.1f})"
    )
    return replace(
        ap,
        discord=discord,
        touchy=not gentle,
        reasons=[*ap.reasons, *_moved("discord", ap.discord, discord, why, turn)],
    )


#: A talk table: ``table[previous talk][move] = {"change": p, "neutral": p, "sustain": p}``.
TalkTable = Mapping[str, Mapping[str, Mapping[str, float]]]
#: Moves of the table: the evaluation labels of the MITI codes (see ``scoring.EVAL_LABEL``).
MOVES: tuple[str, ...] = tuple(dict.fromkeys(EVAL_LABEL.values()))
# How far the patient's own readiness leans the odds of change against sustain talk: by this
# factor per point away from readiness 3, about where the shipped patients start.
READINESS_LEAN = 1.2
# Tilts on the real clients' odds for what the turn said, beyond its code (multipliers on the
# change and sustain weights). The talk table is fitted with these in place, so they shape
# which turns draw change talk without moving the overall mix away from real clients'.
TILTS: dict[str, tuple[float, float]] = {
    "reflected both sides": (2.0, 0.5),
    "reflected the side for change": (1.6, 0.8),
    "reflected the side against change": (0.7, 1.3),
    "asked an evocative question": (1.8, 0.8),
    "asked what the status quo gives": (0.8, 1.8),
    "affirmed or emphasised autonomy": (1.3, 0.8),
    # A single piece of unasked-for advice is sometimes just heard out ("Maybe."), so one push
    # tilts hard towards sustain talk and never draws change talk (the righting reflex meets
    # resistance); confrontation and a second push in a row are rules.
    "pushed without permission": (0.0, 3.0),
}


@lru_cache(maxsize=1)
def talk_table() -> TalkTable:
    """The shipped talk table (``bot/patient/talk_table.json``)."""
    data = json.loads(TALK_TABLE_PATH.read_text(encoding="utf-8"))
    table: TalkTable = data["table"]
    return table


def move_of(codings: Sequence[Any]) -> str:
    """The turn's move as the talk table names it: the evaluation label of its main code."""
    units = [
        (c.code, len(str(getattr(c, "text", "")).split()), getattr(c, "probabilities", {}) or {})
        for c in codings
        if c.code in EVAL_LABEL
    ]
    return EVAL_LABEL[dominant_code(units)] if units else "other"


def previous_talk(state: PatientState) -> str:
    """The patient's last talk as the table knows it (discord counts as sustain)."""
    if state.turn == 0:
        return "start"
    return "sustain" if state.last_talk == "discord" else state.last_talk


def _tilts(codes: list[str], move: str, und: Understanding, ap: Appraisal) -> list[str]:
    found = []
    if move in ("simple_reflection", "complex_reflection") and und.reflected:
        found.append(
            {
                "both": "reflected both sides",
                "change": "reflected the side for change",
                "sustain": "reflected the side against change",
            }[und.reflected]
        )
    if und.evokes == "change":
        found.append("asked an evocative question")
    elif und.evokes == "sustain":
        found.append("asked what the status quo gives")
    if {"affirm", "emphasizing_autonomy"} & set(codes):
        found.append("affirmed or emphasised autonomy")
    if ap.pressure:
        found.append("pushed without permission")
    return found


def choose_talk(
    state: PatientState,
    ap: Appraisal,
    codes: list[str],
    move: str,
    und: Understanding,
    rng: random.Random,
    table: TalkTable | None = None,
) -> tuple[str, str]:
    """Decide whether the reply is change talk, sustain talk, neutral or discord.

    Real clients' talk has momentum and is mostly neutral: the odds start from how real
    clients answered this move after talk like the patient's last (the talk table), then
    lean with the patient's readiness and with what the turn said (what was reflected,
    evocative or status-quo questions, pressure). Hard rules first for confrontation and
    a second push in a row, which always meet resistance.

    Args:
        state: State before the turn.
        ap: How the patient took the turn.
        codes: The turn's codes.
        move: The turn's move (:func:`move_of`).
        und: What the turn asked and said.
        rng: The session's seeded generator.
        table: A talk table to use instead of the shipped one (calibration).

    Returns:
        The talk label and the reason for it.
    """
    if ap.pressure:
        if ap.discord >= 6 or ap.pressure_streak >= 3:
            return "discord", "pushed while friction was already high: the patient pushes back"
        if "confront" in codes:
            if ap.discord >= 3.5:
                return "discord", "confronted: the patient defends themself"
            return "sustain", "confronted: the patient argues for the status quo"
        if ap.pressure_streak >= 2:
            return "sustain", "pushed again without permission: the patient digs in"
    prev = previous_talk(state)
    odds = (table or talk_table())[prev][move]
    weights = {talk: float(odds[talk]) for talk in ("change", "neutral", "sustain")}
    lean = READINESS_LEAN ** (state.readiness - 3)
    weights["change"] *= lean
    weights["sustain"] /= lean
    tilts = _tilts(codes, move, und, ap)
    for name in tilts:
        to_change, to_sustain = TILTS[name]
        weights["change"] *= to_change
        weights["sustain"] *= to_sustain
    total = sum(weights.values())
    # Discord talk needs friction first: a patient at ease does not snap unprovoked.
    weights["discord"] = total * max(0.0, ap.discord - 3.5) / 4
    if ap.touchy:
        weights["discord"] += 0.3 * total
        weights["sustain"] *= 1.5
        weights["change"] *= 0.5
    talks = list(weights)
    talk = rng.choices(talks, weights=[weights[t] for t in talks])[0]
    share = weights[talk] / sum(weights.values())
    why = f" ({', '.join(tilts)})" if tilts else ""
    return (
        talk,
        f"{talk} {share:.0%} likely after {prev} talk and {move.replace('_', ' ')}{why}, at "
        f"readiness {state.readiness:.1f}",
    )


def move_readiness(
    state: PatientState, ap: Appraisal, codes: list[str], talk: str, turn: int
) -> tuple[float, str, list[str]]:
    """Update readiness and stage from the reply just chosen.

    No self-cure: readiness only rises when the patient voiced change talk in answer to
    an evoking, non-pushy move, by at most one point a turn; stages move one step at a
    time and the later ones need a minimum number of turns.

    Returns:
        New readiness, new stage, and the reasons.
    """
    readiness = state.readiness
    earned = talk == "change" and not ap.pressure and any(c in EVOKING for c in codes)
    if earned:
        # Change talk from a patient who feels deeply understood counts double.
        deep = any(c in REFLECTIVE for c in codes) and ap.rapport >= 7
        gain = 1.0 if deep else 0.5
        readiness = _clamp(readiness + (gain / 2 if readiness >= 7 else gain))
        why = f"after voicing change talk in answer to {_phrases(codes)}"
    elif ap.pressure and talk in ("sustain", "discord"):
        readiness = _clamp(readiness - 0.5)
        why = f"after arguing against change under pressure ({_phrases(codes)})"
    else:
        why = ""
    reasons = _moved("readiness", state.readiness, readiness, why, turn)
    stage = state.stage
    index = STAGES.index(stage)
    if index + 1 < len(STAGES):
        nxt = STAGES[index + 1]
        need, first_turn = STAGE_ENTRY[nxt]
        if readiness >= need and turn >= first_turn:
            stage = nxt
    if stage == state.stage and index > 0:
        need, _ = STAGE_ENTRY[STAGES[index]]
        if readiness < need - STAGE_SLACK:
            stage = STAGES[index - 1]
    if stage != state.stage:
        verb = "advanced" if STAGES.index(stage) > index else "slipped back"
        reasons.append(
            f"turn {turn}: stage {verb} from {state.stage} to {stage} (readiness {readiness:.1f})"
        )
    return readiness, stage, reasons


def open_layers(
    scenario: Scenario, state: PatientState, ap: Appraisal, turn: int
) -> tuple[int, str, list[str]]:
    """Work out how deep the patient will disclose this turn.

    Layers open with rapport (thresholds from the scenario), one step per turn; friction
    shuts them again for as long as it lasts, though what was said stays said.

    Returns:
        The deepest layer index usable for this reply, the deepest layer reached so far,
        and the reasons.
    """
    thresholds = scenario.rules.layer_rapport
    allowed = sum(1 for layer in LAYERS[1:] if ap.rapport >= thresholds[layer])
    if ap.discord >= 5:
        allowed = 0
    elif ap.discord >= 3.5:
        allowed = min(allowed, 1)
    reached = state.layer_index()
    new_reached = max(reached, min(allowed, reached + 1))
    usable = min(allowed, new_reached)
    reasons = []
    if new_reached > reached:
        layer = LAYERS[new_reached]
        reasons.append(
            f"turn {turn}: disclosure deepened to '{layer}' (rapport "
            f"{ap.rapport:.1f} >= {thresholds[layer]:.1f})"
        )
    elif usable < reached and state.discord < 3.5 <= ap.discord:
        reasons.append(
            f"turn {turn}: the patient closed up (discord {ap.discord:.1f}, rapport "
            f"{ap.rapport:.1f}): only '{LAYERS[usable]}' lines for now"
        )
    return usable, LAYERS[new_reached], reasons
