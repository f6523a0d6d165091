"""The readiness ruler: "on a scale of 0 to 10..." and the classic "why not lower?"."""

from __future__ import annotations

import re

_SCALE = r"(0|zero|1|one)\s*(to|-|–|and)\s*(10|ten)"
_ASK = re.compile(rf"\b{_SCALE}\b|\bout of (10|ten)\b|\bruler\b", re.IGNORECASE)
# Asked right after a ruler answer, this evokes the patient's own reasons for change.
_WHY_NOT_LOWER = re.compile(
    r"\bwhy\b.*\b(not (a |an )?(lower|zero|0|one|1|two|2|three|3)|rather than|instead of"
    r"|and not|higher than|more than)\b",
    re.IGNORECASE,
)


def ruler_move(text: str, last_line_id: str) -> str | None:
    """Classify a ruler turn.

    Args:
        text: The trainee's words.
        last_line_id: Id of the patient's previous line (``ruler.*`` after a ruler answer).

    Returns:
        ``"ask"`` for a scaling question, ``"why_not_lower"`` for the follow-up that asks
        why the number is not lower, or ``None``.
    """
    if last_line_id.startswith("ruler.") and _WHY_NOT_LOWER.search(text):
        return "why_not_lower"
    if _ASK.search(text):
        return "ask"
    return None


def ruler_number(readiness: float) -> int:
    """The number the patient gives: their readiness, rounded half up."""
    return int(readiness + 0.5)
