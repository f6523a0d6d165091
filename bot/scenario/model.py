"""Typed, immutable view of a validated scenario file."""

from __future__ import annotations

from dataclasses import dataclass, field

from scoring.codes import CODES

#: Stages of change, in order; the patient moves at most one step per turn.
STAGES: tuple[str, ...] = ("precontemplation", "contemplation", "preparation", "action")
#: Disclosure layers, shallow to deep; deeper layers need more rapport.
LAYERS: tuple[str, ...] = ("surface", "concerns", "core")
#: Labels of a patient reply (MITI client language plus discord).
TALKS: tuple[str, ...] = ("change", "sustain", "neutral", "discord")
#: Tags an author may put on a line.
LINE_TAGS: tuple[str, ...] = ("short", "abstinence")
#: Situations the patient answers in character instead of talking about a topic.
IN_ROLE_KINDS: tuple[str, ...] = (
    "greet",
    "small_talk",
    "bot_challenge",
    "off_topic",
    "instructions",
    "gibberish",
    "other_language",
    "farewell",
)
#: MITI behaviour codes a trainee turn can carry: the coder's own list, never a copy.
MITI_CODES: tuple[str, ...] = CODES
#: NLU intents that are not MITI codes; the patient answers them in character.
EXTRA_INTENTS: tuple[str, ...] = ("greet", "bot_challenge", "off_topic", "nlu_fallback", "goodbye")
#: Id of the topic used when the trainee's turn names no topic.
GENERAL_TOPIC = "general"


@dataclass(frozen=True)
class Line:
    """One authored patient line.

    Attributes:
        id: Stable id within the scenario, e.g. ``sleep.surface.change.2``.
        text: What the patient says.
        talk: One of :data:`TALKS`.
        layer: One of :data:`LAYERS` (``in_role`` lines use ``surface``).
        topic: Topic id, or ``in_role.<kind>`` / ``short`` for shared lines.
        tags: Author tags from :data:`LINE_TAGS`.
    """

    id: str
    text: str
    talk: str
    layer: str
    topic: str
    tags: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Topic:
    """A subject the trainee can raise, with the patient's lines about it.

    Attributes:
        id: Identifier, lower snake case.
        label: Human-readable name for reports.
        keywords: Words or phrases whose presence in a trainee turn names the topic.
        phrasings: Example trainee phrasings; their content words also count, weakly.
        lines: Lines by ``(layer, talk)``.
        sensitivity: Rapport (0-10) the patient needs before being asked about this
            topic; raising it earlier causes friction. 0 means any time.
    """

    id: str
    label: str
    keywords: tuple[str, ...]
    phrasings: tuple[str, ...]
    lines: dict[tuple[str, str], tuple[Line, ...]] = field(default_factory=dict)
    sensitivity: float = 0.0

    def all_lines(self) -> list[Line]:
        """Return every line of the topic, in authored order."""
        return [line for group in self.lines.values() for line in group]


@dataclass(frozen=True)
class Persona:
    """Who the patient is.

    Attributes:
        name: First name the patient uses.
        age: Age in years.
        context: A few sentences of background for the trainee and the report.
        opening_line: What the patient says first, before any trainee turn.
    """

    name: str
    age: int
    context: str
    opening_line: str


@dataclass(frozen=True)
class StartState:
    """Initial values of the patient state (all 0-10 scales except stage)."""

    stage: str
    rapport: float
    discord: float
    readiness: float


@dataclass(frozen=True)
class Rules:
    """Per-scenario tuning of the patient model.

    Attributes:
        harm_reduction: The change goal is not abstinence; lines tagged
            ``abstinence`` stay locked until ``abstinence_min_turn``.
        abstinence_min_turn: First trainee turn on which an ``abstinence`` line may be said.
        layer_rapport: Rapport needed to reach each layer beyond ``surface``.
    """

    harm_reduction: bool = False
    abstinence_min_turn: int = 12
    layer_rapport: dict[str, float] = field(default_factory=lambda: {"concerns": 5.0, "core": 7.0})


@dataclass(frozen=True)
class Scenario:
    """A validated simulated patient.

    Attributes:
        id: File stem, e.g. ``reluctant_psychiatric``.
        title: Short title for menus.
        brief: One paragraph the trainee reads before the session.
        change_goal: What MITI change talk is measured against.
        persona: Who the patient is.
        start: Starting state.
        rules: Tuning of the patient model.
        topics: Topics in authored order; always includes ``general``.
        short_answers: Brief lines by talk, for closed questions.
        in_role: Lines by kind from :data:`IN_ROLE_KINDS`.
        ruler: Answers to a readiness ruler question, each with a ``{n}`` placeholder.
        path: File the scenario was loaded from.
    """

    id: str
    title: str
    brief: str
    change_goal: str
    persona: Persona
    start: StartState
    rules: Rules
    topics: dict[str, Topic]
    short_answers: dict[str, tuple[Line, ...]]
    in_role: dict[str, tuple[Line, ...]]
    ruler: tuple[Line, ...] = ()
    path: str = ""

    def line_count(self) -> int:
        """Return the number of topic lines (shared short and in-role lines excluded)."""
        return sum(len(topic.all_lines()) for topic in self.topics.values())

    def lines_by_id(self) -> dict[str, Line]:
        """Return every line of the scenario by id."""
        out: dict[str, Line] = {}
        for topic in self.topics.values():
            out.update((line.id, line) for line in topic.all_lines())
        for group in (*self.short_answers.values(), *self.in_role.values(), self.ruler):
            out.update((line.id, line) for line in group)
        return out
