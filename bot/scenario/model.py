"""Typed, immutable view of a validated scenario file."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.scenario.errors import Problem
from scoring.codes import CODES
from scoring.risk import RISK_KINDS

#: Stages of change, in order; the patient moves at most one step per turn.
STAGES: tuple[str, ...] = ("precontemplation", "contemplation", "preparation", "action")
#: Disclosure layers, shallow to deep; deeper layers need more rapport.
LAYERS: tuple[str, ...] = ("surface", "concerns", "core")
#: Labels of a patient reply (MITI client language plus discord).
TALKS: tuple[str, ...] = ("change", "sustain", "neutral", "discord")
#: Tags an author may put on a line: ``short``, ``abstinence``, or a risk kind (the line
#: discloses that risk, so it is said only when the trainee's turn is about its topic).
LINE_TAGS: tuple[str, ...] = ("short", "abstinence", *RISK_KINDS)
#: How fast resistance softens, and the factor on every rapport gain.
DIFFICULTY: dict[str, float] = {"standard": 1.0, "challenging": 0.7, "resistant": 0.5}
#: Levels a risk profile may give each kind; the first is "no such risk".
RISK_LEVELS: dict[str, tuple[str, ...]] = {
    "suicidal_thoughts": ("none", "passive", "plan"),
    "self_harm": ("none", "past", "current"),
    "overdose": ("none", "past", "at_risk"),
    "psychosis": ("none", "past", "current"),
    "safeguarding": ("none", "concern"),
}
#: How the patient can answer a request to share information or advice.
PERMISSION_ANSWERS: tuple[str, ...] = ("yes", "reluctant", "no")
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
    # Not a kind of turn: what the patient says when it merely hears out advice or a warning.
    "heard_out",
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
class Fact:
    """Something the patient knows about their own life and answers when asked.

    Attributes:
        id: Identifier, lower snake case.
        ask: Example trainee questions the fact answers (matched by meaning).
        keywords: Words or phrases that point to the fact in a question.
        answer: The short, direct answer (closed questions).
        detail: A fuller answer for open questions (defaults to ``answer``).
        rapport: Rapport (0-10) needed before the patient tells it.
        deflect: What the patient says before then: dodges, never denies.
        talk: Talk label of the answer.
        topic: Topic the fact belongs to (``general`` when none was given).
    """

    id: str
    ask: tuple[str, ...]
    keywords: tuple[str, ...]
    answer: str
    detail: str
    rapport: float = 0.0
    deflect: str = ""
    talk: str = "neutral"
    topic: str = GENERAL_TOPIC

    def line(self, which: str) -> Line:
        """The fact's ``answer``, ``detail`` or ``deflect`` as a line (id ``fact.<id>.<which>``).

        A deflection is neutral whatever the fact's talk: it tells nothing yet.
        """
        talk = "neutral" if which == "deflect" else self.talk
        return Line(f"fact.{self.id}.{which}", getattr(self, which), talk, LAYERS[0], self.topic)


@dataclass(frozen=True)
class RiskProfile:
    """The risks the patient carries, and how they answer a direct question about each.

    Attributes:
        levels: Level of each kind of :data:`scoring.risk.RISK_KINDS` (``none`` if not given).
        rapport: Rapport needed for the open answers; below it the guarded ones.
        answers: Per kind, ``open`` and ``guarded`` answers in the patient's words.
    """

    levels: dict[str, str] = field(default_factory=lambda: dict.fromkeys(RISK_KINDS, "none"))
    rapport: float = 5.0
    answers: dict[str, dict[str, str]] = field(default_factory=dict)

    def present(self, kind: str) -> bool:
        """Return whether the patient carries this risk (any level but ``none``)."""
        return self.levels.get(kind, "none") != "none"

    def line(self, kind: str, how: str) -> Line:
        """The ``open`` or ``guarded`` answer about ``kind`` (line id ``risk.<kind>.<how>``)."""
        return Line(f"risk.{kind}.{how}", self.answers[kind][how], "neutral", LAYERS[0], "risk")

    def lines(self) -> list[Line]:
        """Every answer of the profile as a line."""
        return [self.line(kind, how) for kind, pair in self.answers.items() for how in pair]


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
        difficulty: A key of :data:`DIFFICULTY`.
        facts: Facts by id, in authored order.
        risk: The risk profile.
        permission: Answers to a request to share, by :data:`PERMISSION_ANSWERS` key.
        warnings: Problems that do not stop the scenario from loading.
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
    difficulty: str = "standard"
    facts: dict[str, Fact] = field(default_factory=dict)
    risk: RiskProfile = field(default_factory=RiskProfile)
    permission: dict[str, tuple[Line, ...]] = field(default_factory=dict)
    warnings: tuple[Problem, ...] = ()

    def line_count(self) -> int:
        """Return the number of topic lines (shared short and in-role lines excluded)."""
        return sum(len(topic.all_lines()) for topic in self.topics.values())

    def lines_by_id(self) -> dict[str, Line]:
        """Return every line of the scenario by id."""
        out: dict[str, Line] = {}
        for topic in self.topics.values():
            out.update((line.id, line) for line in topic.all_lines())
        for group in (
            *self.short_answers.values(),
            *self.in_role.values(),
            *self.permission.values(),
            self.ruler,
            self.risk.lines(),
            [f.line(w) for f in self.facts.values() for w in ("answer", "detail", "deflect")],
        ):
            out.update((line.id, line) for line in group)
        return out

    def risk_disclosures(self) -> dict[str, str]:
        """Return ``{text: risk kind}`` for every line and answer that discloses a risk.

        A report uses it to notice a disclosure in a transcript that carries only text.
        """
        out = {}
        for topic in self.topics.values():
            for line in topic.all_lines():
                for kind in RISK_KINDS:
                    if kind in line.tags:
                        out[line.text] = kind
        for line in self.risk.lines():
            kind = line.id.split(".")[1]
            if self.risk.present(kind):
                out[line.text] = kind
        return out
