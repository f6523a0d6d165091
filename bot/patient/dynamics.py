"""How the trainee's coded behaviour moves rapport, discord, readiness, stage and disclosure.

Every rule returns its reasons as plain sentences, so a report can replay why the
patient changed ("turn 7: discord rose 2.0 -> 4.0 after a confrontation").
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, replace

from bot.patient.state import PatientState
from bot.scenario import LAYERS, STAGES, Scenario

PRESSURE = frozenset({"persuade", "confront"})
#: Moves that count as the trainee earning change talk (MITI adherent or neutral, not pushy).
EVOKING = frozenset(
    {"reflection_complex", "reflection_simple", "affirm", "seeking_collaboration",
     "emphasizing_autonomy", "question_open", "persuade_with_permission"}
)  # fmt: skip
#: Moves whose run of consecutive turns pulls out change talk.
REFLECTIVE = frozenset({"reflection_complex", "affirm"})
#: Moves that neither extend nor break such a run (they keep the conversation safe).
KEEPS_RUN = frozenset(
    {"reflection_simple", "seeking_collaboration", "emphasizing_autonomy", "question_open"}
)

# (rapport delta, discord delta, phrase used in reasons). Tuned so that a steady run of
# reflections takes a guarded patient (rapport 3) to the core layer (7) in four or five turns.
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
# How each code tilts the reply (multipliers on the talk weights). Persuasion heard after
# permission counts as persuade_with_permission; pressure never gets here (hard rules).
TALK_TILT: dict[str, dict[str, float]] = {
    "reflection_complex": {"change": 3.0, "neutral": 0.5, "discord": 0.3},
    "affirm": {"change": 2.0, "discord": 0.5},
    "reflection_simple": {"change": 1.3, "neutral": 1.2, "discord": 0.7},
    "emphasizing_autonomy": {"change": 1.5, "sustain": 0.8, "discord": 0.3},
    "seeking_collaboration": {"neutral": 1.5, "discord": 0.5},
    "question_open": {"change": 1.2, "discord": 0.7},
    "question_closed": {"neutral": 2.0, "change": 0.7},
    "giving_information": {"neutral": 2.0, "sustain": 1.2, "change": 0.7},
    "persuade_with_permission": {"neutral": 1.5, "sustain": 1.2},
    "other": {"neutral": 1.5},
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
        calmed: The turn persuaded, but after permission had been asked.
        touchy: A sensitive topic was raised too early this turn.
        reflect_streak: Reflective turns in the current run (simple reflections, open
            questions, seeking collaboration and autonomy keep a run going without counting).
        pressure_streak: Consecutive pressuring turns, this one included.
        reasons: Why rapport and discord moved.
    """

    rapport: float
    discord: float
    pressure: bool
    calmed: bool
    reflect_streak: int
    pressure_streak: int
    reasons: list[str]
    touchy: bool = False


def appraise(state: PatientState, codes: list[str], turn: int) -> Appraisal:
    """Apply the per-code effects of one trainee turn (each code counts once per turn)."""
    permission = "seeking_collaboration" in state.last_codes
    calmed = permission and "persuade" in codes and "confront" not in codes
    effective = ["persuade_with_permission" if calmed and c == "persuade" else c for c in codes]
    d_rapport = sum(EFFECTS.get(c, EFFECTS["other"])[0] for c in effective)
    d_discord = sum(EFFECTS.get(c, EFFECTS["other"])[1] for c in effective)
    pressure = any(c in PRESSURE for c in effective)
    why = f"after {_phrases(codes)}"
    if calmed:
        why += " (heard more calmly: permission had been asked)"
    if pressure and state.pressure_streak:
        # Pushing again on a patient who has already been pushed escalates the friction.
        d_discord += 0.5 * state.pressure_streak
        why += f" ({state.pressure_streak + 1} pushy turns in a row)"
    if d_rapport > 0 and state.discord >= 5:
        d_rapport /= 2  # a patient still bristling warms up more slowly
        why += " (still guarded after earlier friction)"
    elif d_rapport > 0 and state.rapport >= 7:
        d_rapport /= 2  # trust is already high; each further step is smaller
    d_rapport = max(-2.0, min(1.5, d_rapport))
    d_discord = max(-2.0, min(3.0, d_discord))
    rapport = _clamp(state.rapport + d_rapport)
    discord = _clamp(state.discord + d_discord)
    reasons = _moved("rapport", state.rapport, rapport, why, turn)
    reasons += _moved("discord", state.discord, discord, why, turn)
    if pressure or not any(c in REFLECTIVE or c in KEEPS_RUN for c in codes):
        streak = 0
    else:
        streak = state.reflect_streak + any(c in REFLECTIVE for c in codes)
    return Appraisal(
        rapport,
        discord,
        pressure,
        calmed,
        streak,
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
        reflect_streak=ap.reflect_streak if gentle else 0,
        reasons=[*ap.reasons, *_moved("discord", ap.discord, discord, why, turn)],
    )


def choose_talk(
    state: PatientState, ap: Appraisal, codes: list[str], rng: random.Random
) -> tuple[str, str]:
    """Decide whether the reply is change talk, sustain talk, neutral or discord.

    Hard rules first (they make the model predictable for trainees and tests), then
    weights from readiness and the turn's codes, drawn with the session's seeded RNG.

    Returns:
        The talk label and the reason for it.
    """
    if ap.pressure:
        if ap.discord >= 6 or ap.pressure_streak >= 3:
            return "discord", "pushed while friction was already high: the patient pushes back"
        if ap.discord >= 3.5 and "confront" in codes:
            return "discord", "confronted: the patient defends themself"
        return "sustain", "pushed without permission: the patient argues for the status quo"
    reflective = any(c in REFLECTIVE for c in codes)
    if ap.reflect_streak == 2 and ap.discord < 5 and reflective:
        return "change", "reflective listening in a row: the patient voices the side for change"
    readiness = state.readiness
    weights = {
        "change": 0.5 + readiness / 5,
        "sustain": 2.5 - readiness / 5,
        "neutral": 1.0,
        # Discord talk needs friction first: a patient at ease does not snap unprovoked.
        "discord": max(0.0, ap.discord - 2.5) / 3,
    }
    for code in codes:
        for talk, factor in TALK_TILT.get(
            "persuade_with_permission" if code == "persuade" else code, {}
        ).items():
            weights[talk] *= factor
    if ap.reflect_streak > 2 and reflective:
        weights["change"] *= 2  # a long run keeps drawing change talk, but ambivalence remains
    if ap.touchy:
        weights["discord"] += 0.6
        weights["sustain"] *= 1.5
        weights["change"] *= 0.5
    talks = list(weights)
    talk = rng.choices(talks, weights=[weights[t] for t in talks])[0]
    share = weights[talk] / sum(weights.values())
    return (
        talk,
        f"drawn from the patient's ambivalence ({talk} {share:.0%} likely at readiness "
        f"{readiness:.1f})",
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
