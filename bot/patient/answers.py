"""Answers to what the trainee asked: a fact of the patient's life, a risk, leave to share."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from bot.patient.dynamics import Appraisal
from bot.patient.state import PatientState
from bot.scenario import Line, Scenario
from bot.scenario.model import Fact
from scoring.risk import RISK_LABELS

# Permission: friction this high and the patient will not hear advice now; rapport this high
# and low friction and they agree readily; in between they agree grudgingly.
REFUSE_DISCORD = 5.0
AGREE_RAPPORT = 4.5
AGREE_DISCORD = 3.0
# A risk is talked about openly only while friction stays below this, whatever the rapport.
RISK_OPEN_DISCORD = 5.0
_OPENERS = ("I", "I'm", "I've", "I'd", "I'll")


@dataclass(frozen=True)
class FactAnswer:
    """The patient's answer to a question about one fact.

    Attributes:
        fact: Id of the fact.
        line: The answer, detail or deflection said (its talk is the answer's).
        text: What the patient says (the line, or "Like I said, ..." when told before).
        told: The fact was told (``False``: deflected for now).
        more: An open question, answered with the fact and then a line of the drawn talk.
        reason: Why, for the reply's list of changes.
    """

    fact: str
    line: Line
    text: str
    told: bool
    more: bool
    reason: str


@dataclass(frozen=True)
class Answer:
    """An answer to a risk question or to a request to share.

    Attributes:
        line: What is said, as a line (its id goes into the state's used lines).
        kind: ``risk`` or ``permission``.
        reason: Why, for the reply's list of changes.
        risk: The risk kind asked about, or ``""``.
        permission: ``yes``, ``reluctant`` or ``no``, or ``""``.
    """

    line: Line
    kind: str
    reason: str
    risk: str = ""
    permission: str = ""


def _again(text: str, scenario: Scenario) -> str:
    # Told twice, a fact stays the same fact: "Like I said, fourteen."
    first = text.split(" ", 1)[0].rstrip(".,!?")
    proper = first in _OPENERS or re.search(
        rf"(?<!^)(?<![.!?] )\b{re.escape(first)}\b",
        (f"{scenario.brief} {scenario.persona.context}"),
    )
    return "Like I said, " + (text if proper else text[:1].lower() + text[1:])


def answer_fact(
    scenario: Scenario,
    state: PatientState,
    ap: Appraisal,
    fact: Fact,
    talk: str,
    *,
    closed: bool,
) -> FactAnswer:
    """Answer a question about ``fact``, guarded while rapport is below what it needs.

    A guarded answer deflects in character and never denies a true fact; a fact already
    told is told the same way again.

    Args:
        scenario: The patient.
        state: State before the reply.
        ap: How the patient took the turn (its rapport decides what is told).
        fact: The fact asked for.
        talk: The talk drawn for this reply.
        closed: The question was closed: a short, direct answer and nothing more.
    """
    if ap.rapport < fact.rapport or (fact.rapport > 0 and ap.discord >= RISK_OPEN_DISCORD):
        line = fact.line("deflect")
        return FactAnswer(
            fact.id,
            line,
            line.text,
            told=False,
            more=False,
            reason=f"kept '{fact.id}' back for now (rapport {ap.rapport:.1f}, needs "
            f"{fact.rapport:.1f}; discord {ap.discord:.1f})",
        )
    if fact.id in state.facts_told:
        # Asked again: the same fact, briefly, and then something new.
        line = fact.line("answer")
        return FactAnswer(
            fact.id,
            line,
            _again(line.text, scenario),
            told=True,
            more=True,
            reason=f"asked again about '{fact.id}': the same answer, briefly",
        )
    line = fact.line("answer" if closed else "detail")
    return FactAnswer(
        fact.id,
        line,
        line.text,
        told=True,
        # Pushed, the patient answers and then argues back (the drawn talk follows).
        more=ap.pressure
        or (not closed and fact.talk == "neutral" and talk in ("change", "sustain")),
        reason=f"answered the question with the fact '{fact.id}'",
    )


def answer_risk(scenario: Scenario, ap: Appraisal, kind: str) -> Answer:
    """Answer a direct risk question as the scenario's risk profile says.

    A risk the patient does not carry is denied in their words; one they do carry is
    talked about openly once rapport allows and friction is low, and before then hedged,
    never denied.
    """
    profile = scenario.risk
    label = RISK_LABELS[kind]
    if not profile.present(kind):
        how = (
            "guarded"
            if "guarded" in profile.answers[kind] and ap.rapport < profile.rapport
            else "open"
        )
        reason = f"asked directly about {label}: none in the risk profile"
    elif ap.rapport >= profile.rapport and ap.discord < RISK_OPEN_DISCORD:
        how = "open"
        reason = f"asked directly about {label}: answered openly (rapport {ap.rapport:.1f})"
    else:
        how = "guarded"
        reason = (
            f"asked directly about {label}: guarded answer (rapport {ap.rapport:.1f}, needs "
            f"{profile.rapport:.1f}; discord {ap.discord:.1f})"
        )
    return Answer(profile.line(kind, how), "risk", reason, risk=kind)


def answer_permission(
    scenario: Scenario, state: PatientState, ap: Appraisal, rng: random.Random
) -> Answer:
    """Answer a request to share information or advice: yes, grudgingly, or not now.

    The answer is remembered for one turn: advice heard after a yes lands more calmly,
    and information pressed on after a no lands as pressure (see ``appraise``).
    """
    if ap.discord >= REFUSE_DISCORD:
        how = "no"
    elif ap.rapport >= AGREE_RAPPORT and ap.discord < AGREE_DISCORD:
        how = "yes"
    else:
        how = "reluctant"
    lines = scenario.permission.get(how, ())
    fresh = [line for line in lines if line.id not in state.used] or list(lines)
    line = rng.choice(fresh)
    reason = (
        f"asked leave to share: the patient said {how} (rapport {ap.rapport:.1f}, "
        f"discord {ap.discord:.1f})"
    )
    return Answer(line, "permission", reason, permission=how)
