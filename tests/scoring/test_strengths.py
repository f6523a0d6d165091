"""Strengths: the best-coded turns, varied, never a turn that also pressed the patient."""

from __future__ import annotations

from dataclasses import replace

from scoring.session import SessionTurn, build_report
from scoring.strengths import strengths
from scoring.suggest import Suggestion
from scoring.types import Coding


def c(text: str, code: str, confidence: float = 0.9) -> Coding:
    return Coding(text, code, confidence, "", {code: confidence})


def test_different_skills_come_before_a_second_example_and_pressure_never_counts() -> None:
    turns = [
        (1, [c("What brings you in?", "question_open")]),
        (2, [c("Sleep has been hard.", "reflection_simple")]),
        (3, [c("You care a lot about Kayla.", "reflection_complex")]),
        (4, [c("You've come despite doubts.", "affirm"), c("You must stop.", "persuade")]),
        (5, [c("It's worrying you.", "reflection_complex")]),
        (6, [c("Maybe it matters?", "reflection_complex", 0.4)]),  # too unsure to praise
    ]
    found = strengths(turns)
    assert [(s.turn, s.code) for s in found] == [
        (1, "question_open"),
        (2, "reflection_simple"),
        (3, "reflection_complex"),
    ]
    # Without enough kinds, a second example of the best one fills the place.
    assert [s.turn for s in strengths(turns[2:])] == [3, 5]
    assert all(s.why for s in found)


def test_the_turns_most_worth_reworking_put_pressure_first_and_keep_turn_order() -> None:
    weak = ["question_closed", "persuade", "reflection_simple", "question_closed", "confront"]
    turns = [SessionTurn(f"turn {n}", [c(f"turn {n}", code)]) for n, code in enumerate(weak, 1)]
    report = build_report(turns)
    offered = [
        Suggestion(n, f"turn {n}", code, "better", "question_open", "why")
        for n, code in enumerate(weak, 1)
    ]
    report = replace(report, suggestions=offered)
    assert [(s.turn, s.weak_code) for s in report.worth_reworking()] == [
        (1, "question_closed"),
        (2, "persuade"),
        (5, "confront"),
    ]
    assert [s["code"] for s in report.to_dict()["strengths"]] == ["reflection_simple"]
