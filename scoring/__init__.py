"""MITI 4.2.1 behaviour coder and session fidelity report (a library: no Rasa, no Streamlit).

Example:
    >>> from scoring import Turn, load_coder, session_report
    >>> coder = load_coder(mode="rules")
    >>> codings = coder.code_turn("What brings you here today?", history=[])
    >>> codings[0].code
    'question_open'
    >>> session_report([codings]).counts["question_open"]
    1
"""

from scoring.coder import Coder
from scoring.codes import (
    CODES,
    EVAL_LABEL,
    MI_ADHERENT,
    MI_NON_ADHERENT,
    PRESSURE,
    turn_code,
    turn_code_of,
)
from scoring.loader import CoderUnavailable, load_coder
from scoring.report import FidelityReport, Figure, session_report
from scoring.types import Coding, Turn

__all__ = [
    "CODES",
    "EVAL_LABEL",
    "MI_ADHERENT",
    "MI_NON_ADHERENT",
    "PRESSURE",
    "Coder",
    "CoderUnavailable",
    "Coding",
    "FidelityReport",
    "Figure",
    "Turn",
    "load_coder",
    "session_report",
    "turn_code",
    "turn_code_of",
]
