"""The patient's explicit, inspectable state, small enough to live in a Rasa slot."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from bot.scenario import GENERAL_TOPIC, LAYERS, STAGES, TALKS, Scenario

#: Lines remembered as used; a session never gets near this, it only bounds the slot.
MAX_USED = 300


@dataclass(frozen=True)
class PatientState:
    """Where the simulated patient stands after a number of trainee turns.

    All scales run from 0 to 10. The state is immutable: :func:`bot.patient.respond`
    returns a new one.

    Attributes:
        scenario_id: Scenario the state belongs to.
        seed: Seed of the session; with the turn it fixes every random choice.
        turn: Trainee turns answered so far.
        stage: Stage of change, one of :data:`bot.scenario.STAGES`.
        rapport: How safe and understood the patient feels.
        discord: Friction in the relationship.
        readiness: The patient's own 0-10 readiness ruler.
        layer: Deepest disclosure layer reached so far.
        topic: Topic of the last reply.
        topics_seen: Topics talked about, in order first reached.
        used: Ids of lines said, oldest first (never texts, to keep the slot small).
        last_talk: Label of the last reply.
        last_codes: Codes of the last trainee turn.
        pressure_streak: Consecutive trainee turns with persuade or confront.
        reflect_streak: Complex reflections and affirmations in the current run of
            non-pushy turns (see :mod:`bot.patient.dynamics`).
        off_topic_streak: Consecutive in-role (off-task) turns.
        talk_counts: Replies so far by talk label.
        permission: How the patient answered a request to share on the last turn (``yes``,
            ``reluctant`` or ``no``), ``""`` when there was none.
        facts_told: Facts the patient has told, in order (told again the same way).
    """

    scenario_id: str
    seed: int = 0
    turn: int = 0
    stage: str = STAGES[0]
    rapport: float = 3.0
    discord: float = 1.0
    readiness: float = 2.0
    layer: str = LAYERS[0]
    topic: str = GENERAL_TOPIC
    topics_seen: tuple[str, ...] = ()
    used: tuple[str, ...] = ()
    last_talk: str = "neutral"
    last_codes: tuple[str, ...] = ()
    pressure_streak: int = 0
    reflect_streak: int = 0
    off_topic_streak: int = 0
    talk_counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TALKS, 0))
    permission: str = ""
    facts_told: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable copy (tuples become lists)."""
        out = asdict(self)
        for key, value in out.items():
            if isinstance(value, tuple):
                out[key] = list(value)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PatientState:
        """Rebuild a state from :meth:`to_dict` output.

        Unknown keys are ignored and missing ones take their defaults, so a state stored
        by an older version of the bot still loads.

        Raises:
            ValueError: ``data`` is not a mapping, has no ``scenario_id`` or holds an
                impossible stage, layer or scale value.
        """
        if not isinstance(data, dict) or "scenario_id" not in data:
            raise ValueError("patient state must be a mapping with a 'scenario_id'")
        known = {f.name for f in fields(cls)}
        kwargs = {k: v for k, v in data.items() if k in known}
        for key in ("topics_seen", "used", "last_codes", "facts_told"):
            if key in kwargs:
                kwargs[key] = tuple(kwargs[key])
        state = cls(**kwargs)
        if state.stage not in STAGES or state.layer not in LAYERS:
            raise ValueError(f"impossible stage or layer: {state.stage!r}, {state.layer!r}")
        for scale in ("rapport", "discord", "readiness"):
            value = getattr(state, scale)
            if not isinstance(value, int | float) or not 0 <= value <= 10:
                raise ValueError(f"{scale} must be a number from 0 to 10, got {value!r}")
        return state

    def layer_index(self) -> int:
        """Return the index of :attr:`layer` in :data:`bot.scenario.LAYERS`."""
        return LAYERS.index(self.layer)

    def stage_index(self) -> int:
        """Return the index of :attr:`stage` in :data:`bot.scenario.STAGES`."""
        return STAGES.index(self.stage)

    def disclosure(self) -> dict[str, Any]:
        """Summarise how much the patient has disclosed, for reports.

        Returns:
            ``layer`` (deepest reached), ``topics`` (in the order reached) and
            ``lines_by_layer`` (topic lines said per layer).
        """
        by_layer = dict.fromkeys(LAYERS, 0)
        for line_id in self.used:
            parts = line_id.split(".")
            # Topic line ids are "<topic>.<layer>.<talk>.<n>"; shared lines have other shapes.
            if len(parts) == 4 and parts[1] in by_layer and parts[0] != "in_role":
                by_layer[parts[1]] += 1
        return {"layer": self.layer, "topics": list(self.topics_seen), "lines_by_layer": by_layer}

    def change_share(self) -> float:
        """Return the share of replies so far that were change talk."""
        total = sum(self.talk_counts.values())
        return self.talk_counts.get("change", 0) / total if total else 0.0

    def evolve(self, **changes: Any) -> PatientState:
        """Return a copy with ``changes`` applied (a typed :func:`dataclasses.replace`)."""
        return replace(self, **changes)


def start_state(scenario: Scenario, seed: int = 0) -> PatientState:
    """Return the state of a new session with ``scenario``.

    Args:
        scenario: The patient.
        seed: Session seed; the same seed and trainee turns give the same replies.
    """
    return PatientState(
        scenario_id=scenario.id,
        seed=int(seed),
        stage=scenario.start.stage,
        rapport=scenario.start.rapport,
        discord=scenario.start.discord,
        readiness=scenario.start.readiness,
    )
