"""Value types shared by the coder, the report and their callers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from scoring.codes import CODES


class Turn(NamedTuple):
    """One turn of the conversation so far.

    Attributes:
        speaker: ``"trainee"`` or ``"patient"``.
        text: what was said.
    """

    speaker: str
    text: str


@dataclass(frozen=True)
class Coding:
    """The code of one thought unit of a trainee turn.

    Attributes:
        text: the thought unit as it appeared in the turn.
        code: one of :data:`scoring.CODES`.
        confidence: probability of ``code`` (0-1).
        reason: a short human-readable reason for the code.
        probabilities: probability of every code in :data:`scoring.CODES` (sums to 1).
    """

    text: str
    code: str
    confidence: float
    reason: str
    probabilities: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"unknown MITI code {self.code!r}; expected one of {CODES}")

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict (the inverse of :meth:`from_dict`)."""
        return {
            "text": self.text,
            "code": self.code,
            "confidence": float(self.confidence),
            "reason": self.reason,
            "probabilities": {k: float(v) for k, v in self.probabilities.items()},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Coding:
        """Rebuild a coding from :meth:`to_dict` output (missing probabilities allowed)."""
        code = str(data["code"])
        confidence = float(data.get("confidence", 1.0))
        probs = data.get("probabilities") or {code: confidence}
        return cls(
            text=str(data.get("text", "")),
            code=code,
            confidence=confidence,
            reason=str(data.get("reason", "")),
            probabilities={str(k): float(v) for k, v in probs.items()},
        )
