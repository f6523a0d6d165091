"""Supervisor review: coder-supervisor agreement, and corrections as training data."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from scoring import CODES
from session_record import Transcript
from trainer_ui.corrections import latest_overrides
from trainer_ui.store import Override


@dataclass(frozen=True)
class CodeAgreement:
    """Agreement on one code, treating it as yes/no for every reviewed utterance."""

    code: str
    support: int
    kappa: float | None
    f1: float | None


def cohen_kappa(pairs: Sequence[tuple[str, str]]) -> float | None:
    """Cohen's kappa of (coder, supervisor) labels; None when undefined (no pairs, one label)."""
    n = len(pairs)
    if not n:
        return None
    observed = sum(a == b for a, b in pairs) / n
    labels = {a for a, _ in pairs} | {b for _, b in pairs}
    expected = sum(
        (sum(a == label for a, _ in pairs) / n) * (sum(b == label for _, b in pairs) / n)
        for label in labels
    )
    if expected >= 1.0:
        return None
    return (observed - expected) / (1.0 - expected)


def per_code(pairs: Sequence[tuple[str, str]]) -> list[CodeAgreement]:
    """Kappa and F1 of each code (supervisor as truth), for codes that occur at all."""
    rows = []
    for code in CODES:
        binary = [(a == code, b == code) for a, b in pairs]
        support = sum(b for _, b in binary)
        predicted = sum(a for a, _ in binary)
        if not support and not predicted:
            continue
        hits = sum(a and b for a, b in binary)
        f1 = 2 * hits / (support + predicted) if support + predicted else None
        kappa = cohen_kappa([(str(a), str(b)) for a, b in binary])
        rows.append(CodeAgreement(code, support, kappa, f1))
    return rows


def reviewed_pairs(
    sessions: Iterable[tuple[str, Transcript, bool]], items: Iterable[Override]
) -> list[tuple[str, str]]:
    """(coder code, supervisor code) for every utterance a supervisor has looked at.

    Args:
        sessions: (session id, coder's transcript, marked reviewed) triples.
        items: all corrections of those sessions.

    An utterance counts as looked at when it was corrected, or when its whole session was
    marked reviewed (then an uncorrected code means the supervisor agreed).
    """
    latest = latest_overrides(items)
    pairs = []
    for session_id, transcript, reviewed in sessions:
        for turn, exchange in enumerate(transcript.exchanges):
            for unit, coding in enumerate(exchange.codings):
                found = latest.get((session_id, turn, unit))
                if found is not None:
                    pairs.append((found.original_code, found.new_code))
                elif reviewed:
                    pairs.append((coding.code, coding.code))
    return pairs


def corrections_jsonl(items: Iterable[Override], previous: dict[tuple[str, int], str]) -> str:
    """Corrections as training data: one JSON object per line, the supervisor's code as label.

    Args:
        items: corrections (only the newest per utterance is used).
        previous: the patient's words before each (session id, turn), the coder's context.
    """
    lines = []
    for item in latest_overrides(items).values():
        if item.new_code == item.original_code:
            continue
        record = {
            "text": item.text,
            "code": item.new_code,
            "prev": previous.get((item.session_id, item.turn), ""),
            "coder_code": item.original_code,
            "source": "supervisor correction",
            "corrected_at": item.at.isoformat(),
        }
        lines.append(json.dumps(record, ensure_ascii=False))
    return "\n".join(lines) + ("\n" if lines else "")


def patient_context(session_id: str, transcript: Transcript) -> dict[tuple[str, int], str]:
    """What the patient said just before each trainee turn (the coder's history)."""
    context = {}
    before = transcript.opening
    for turn, exchange in enumerate(transcript.exchanges):
        context[(session_id, turn)] = before
        before = exchange.patient_text
    return context
