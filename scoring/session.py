"""One practice session's report, as the app shows it and ``python -m scoring report`` writes it.

One home for the report's fields and JSON form: the app builds :class:`SessionTurn` items from
its transcript, the command from a JSON-lines file, and both call :func:`build_report`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from scoring.offtask import unscored_reason
from scoring.report import FidelityReport, session_report
from scoring.risk import risk_asked
from scoring.safety import SafetyNote, safety_notes
from scoring.strengths import Strength, strengths
from scoring.suggest import WEAK_CODES, Suggestion, suggest_turn, weakest
from scoring.types import Coding, Turn


@dataclass(frozen=True)
class SessionTurn:
    """One trainee turn, its codes and the patient's reply.

    Attributes:
        text: what the trainee said.
        codings: the coder's codings of its thought units.
        reply: what the patient answered ("" when nothing).
        kind: the patient's reply kind from the action server (``topic``, ``short``,
            ``ruler``, ``fact``, ``risk``, ``permission`` or an in-role kind); "" if unknown.
        risk: the risk kind the reply disclosed ("" for none).
    """

    text: str
    codings: list[Coding]
    reply: str = ""
    kind: str = ""
    risk: str = ""


@dataclass(frozen=True)
class SessionReport:
    """Figures over the scored turns, every utterance, strengths, suggestions, safety notes."""

    fidelity: FidelityReport
    utterances: list[dict[str, Any]]
    suggestions: list[Suggestion]
    safety: list[SafetyNote]
    not_scored: dict[int, str] = field(default_factory=dict)
    strengths: list[Strength] = field(default_factory=list)

    def worth_reworking(self, most: int = 3) -> list[Suggestion]:
        """The suggestions for the weakest turns, in turn order: pressure before questions."""
        ranked = sorted(self.suggestions, key=lambda s: (WEAK_CODES.index(s.weak_code), s.turn))
        return sorted(ranked[:most], key=lambda s: s.turn)

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON (the output of ``python -m scoring report``)."""
        data = self.fidelity.to_dict()
        data["scored_utterances"] = data.pop("utterances")
        return {
            "figures": data.pop("figures"),
            "floors": data.pop("floors"),
            "safety": [note.to_dict() for note in self.safety],
            "strengths": [s.to_dict() for s in self.strengths],
            "suggestions": [s.to_dict() for s in self.suggestions],
            "utterances": self.utterances,
            "not_scored": [{"turn": t, "reason": r} for t, r in sorted(self.not_scored.items())],
            **data,
        }


def scored_turns(turns: Sequence[SessionTurn]) -> list[list[Coding]]:
    """The codings of the turns the figures count: off-task turns are left out."""
    return [t.codings for t in turns if t.codings and unscored_reason(t.text, t.kind) is None]


def build_report(
    turns: Sequence[SessionTurn],
    opening: str = "",
    code_turn: Callable[[str, Sequence[Turn]], list[Coding]] | None = None,
    harm_reduction: bool = False,
    disclosures: Mapping[str, str] | None = None,
    opening_risk: str = "",
) -> SessionReport:
    """Build the report of a session.

    Args:
        turns: the trainee's turns in order.
        opening: the patient's words before the first trainee turn.
        code_turn: the coder (``coder.code_turn``), to check suggestions; without it the
            report has no suggestions.
        harm_reduction: the scenario's change goal is not abstinence.
        disclosures: ``{patient line: risk kind}`` for lines that disclose risk, for turns
            whose ``risk`` is not known (the command's ``--scenario``).
        opening_risk: the risk kind the opening disclosed, if known.
    """
    lines = disclosures or {}
    not_scored = {
        number: reason
        for number, turn in enumerate(turns, start=1)
        if (reason := unscored_reason(turn.text, turn.kind)) is not None
    }
    fidelity = session_report(scored_turns(turns))
    utterances = [
        {
            "turn": number,
            "text": coding.text,
            "code": coding.code,
            "confidence": round(float(coding.confidence), 3),
            "reason": coding.reason,
            "scored": number not in not_scored,
            **({"not_scored_because": not_scored[number]} if number in not_scored else {}),
        }
        for number, turn in enumerate(turns, start=1)
        for coding in turn.codings
    ]
    risks = {0: opening_risk or lines.get(opening.strip(), "")}
    for number, turn in enumerate(turns, start=1):
        risks[number] = turn.risk or lines.get(turn.reply.strip(), "")
    safety = safety_notes([t.text for t in turns], {n: r for n, r in risks.items() if r})
    suggestions = []
    if code_turn is not None:
        used: set[str] = set()
        before = opening
        said = opening
        for number, turn in enumerate(turns, start=1):
            weak = weakest(turn.codings)
            # A direct risk question is the right move, never a turn to rework.
            if weak and number not in not_scored and risk_asked(turn.text) is None:
                found = suggest_turn(code_turn, weak, before, said, harm_reduction, used)
                if found:
                    suggestions.append(Suggestion(number, turn.text, weak, *found))
            before = turn.reply
            said += " " + turn.reply
    scored = [(n, t.codings) for n, t in enumerate(turns, start=1) if n not in not_scored]
    return SessionReport(fidelity, utterances, suggestions, safety, not_scored, strengths(scored))
