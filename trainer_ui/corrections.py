"""A session's effective codes: the coder's, with each supervisor correction applied.

Every view of a session (the trainee's report and PDF, progress, the supervisor's lists, the
cohort dashboard and its exports, drills) reads its codes through :func:`coded_session`, so a
correction made on the review page reaches all of them, figures included. Only the agreement
page reads the coder's own codes, to compare them with the supervisors'.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime

from session_record import Transcript
from trainer_ui.store import Override, PracticeSession


@dataclass(frozen=True)
class Correction:
    """A supervisor's code that replaced the coder's for one utterance."""

    coder_code: str
    code: str
    by: str
    at: datetime

    def note(self) -> str:
        """The coder's code and who corrected it when, e.g. for a table cell."""
        return f"coder said {self.coder_code}; corrected by {self.by} on {self.at:%d %b %Y %H:%M}"


@dataclass(frozen=True)
class CodedSession:
    """A transcript with the supervisor's codes, and what each correction replaced.

    Attributes:
        transcript: the session with corrected codes (confidence 1, the reason says so).
        corrections: by (turn, unit), both 0-based as the review page numbers them; only
            corrections that changed a code (one set back to the coder's code is no longer one).
    """

    transcript: Transcript
    corrections: dict[tuple[int, int], Correction] = field(default_factory=dict)

    def correction(self, turn: int, unit: int) -> Correction | None:
        """The correction of one utterance (0-based turn and unit), if any."""
        return self.corrections.get((turn, unit))


def latest_overrides(items: Iterable[Override]) -> dict[tuple[str, int, int], Override]:
    """The newest correction of each (session, turn, unit); older ones stay in the database."""
    latest: dict[tuple[str, int, int], Override] = {}
    for item in items:
        latest[(item.session_id, item.turn, item.unit)] = item
    return latest


def corrected_count(session: PracticeSession) -> int:
    """How many utterances of the session carry a supervisor's code other than the coder's."""
    latest = latest_overrides(session.corrections).values()
    return sum(item.new_code != item.original_code for item in latest)


def apply_overrides(
    transcript: Transcript, session_id: str, items: Iterable[Override]
) -> CodedSession:
    """The transcript with the newest correction of each utterance applied."""
    latest = latest_overrides(items)
    exchanges = []
    corrections = {}
    for turn, exchange in enumerate(transcript.exchanges):
        codings = []
        for unit, coding in enumerate(exchange.codings):
            found = latest.get((session_id, turn, unit))
            if found is None or found.new_code == coding.code:
                codings.append(coding)
                continue
            correction = Correction(coding.code, found.new_code, found.by_name or "?", found.at)
            corrections[(turn, unit)] = correction
            codings.append(
                replace(
                    coding,
                    code=found.new_code,
                    # The supervisor's code is certain: the figures' intervals draw it alone.
                    confidence=1.0,
                    reason=correction.note(),
                    probabilities={found.new_code: 1.0},
                )
            )
        exchanges.append(replace(exchange, codings=codings))
    return CodedSession(replace(transcript, exchanges=exchanges), corrections)


def coded_session(
    session: PracticeSession, transcript: Transcript | None = None
) -> CodedSession | None:
    """A session's transcript (its stored copy unless given) with its corrections applied.

    None when there is no transcript yet (a session that has not ended).
    """
    if transcript is None:
        if not session.snapshot:
            return None
        transcript = Transcript.from_dict(session.snapshot)
    return apply_overrides(transcript, session.id, session.corrections)
