"""The behaviour coder: a trainee turn in context -> one Coding per thought unit."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace

import numpy as np
from spacy.tokens import Doc

from scoring.calibration import Calibration, load_calibration
from scoring.codes import CODES, REFLECTIONS, when_in_doubt
from scoring.encoder import Encoder
from scoring.head import Head, UnitInput
from scoring.rulecoder import explain, rule_code, rule_probabilities
from scoring.rules import (
    Context,
    advice_permitted,
    context_from_history,
    ends_summary,
    features,
    opens_summary,
)
from scoring.segment import get_nlp, segment_many
from scoring.types import Coding, Turn

log = logging.getLogger(__name__)

_I = {c: i for i, c in enumerate(CODES)}
# Units the rules settle with this confidence skip the encoder (backchannels dominate
# real sessions, and skipping them is most of the batch speed).
_SHORTCUT = 0.85
#: Key of the per-unit flag "this is a clause of a summary" in the rule features.
SUMMARY_CLAUSE = "summary_clause"
#: Codes a summary clause never gets: it gives back what the patient said (MITI 4.2.1 codes
#: a collecting or linking summary as reflections), even when it quotes the patient's own
#: "I need to" or "I should" back as "you need to" or "you should".
_NOT_IN_SUMMARY = [_I[c] for c in ("persuade", "persuade_with_permission", "confront")]


class Coder:
    """Codes trainee turns; rules-only without a head, rules + embeddings + head with one.

    Args:
        encoder: sentence encoder (needed with a head); injectable so tests can fake it.
        head: trained head; ``None`` gives the rules-only coder.
        calibration: what the head's output is corrected with; the committed
            ``scoring/calibration.json`` when ``None`` (``Calibration()`` for none).
    """

    def __init__(
        self,
        encoder: Encoder | None = None,
        head: Head | None = None,
        calibration: Calibration | None = None,
    ) -> None:
        if head is not None and encoder is None:
            raise ValueError("a trained head needs the encoder it was trained with")
        self.encoder = encoder
        self.head = head
        self.calibration = calibration or load_calibration()

    @property
    def mode(self) -> str:
        """``"model"`` when a trained head is used, else ``"rules"``."""
        return "model" if self.head is not None else "rules"

    def code_turn(self, text: str, history: Sequence[Turn] | None = None) -> list[Coding]:
        """Code one trainee turn given the conversation before it.

        Args:
            text: the trainee's turn (any string; empty gives one ``other`` coding).
            history: earlier turns, oldest first (``Turn("patient", ...)`` etc.).

        Returns:
            One :class:`Coding` per thought unit, never empty.
        """
        ctx = context_from_history(list(history or []))
        return self.code_many([text], [ctx])[0]

    def code_rows(
        self, rows: Iterable[tuple[str, str]], batch_size: int = 512
    ) -> list[list[Coding]]:
        """Code ``(text, prev_client_text)`` pairs (the batch CSV shape).

        Args:
            rows: pairs of trainee text and the patient turn before it.
            batch_size: turns per encoder batch.
        """
        rows = list(rows)
        contexts = [context_from_history(None, prev_client=prev or "") for _, prev in rows]
        texts = [text for text, _ in rows]
        out: list[list[Coding]] = []
        for start in range(0, len(rows), batch_size):
            stop = start + batch_size
            out.extend(self.code_many(texts[start:stop], contexts[start:stop]))
        return out

    def code_many(self, texts: Sequence[str], contexts: Sequence[Context]) -> list[list[Coding]]:
        """Code many turns, each with its own context, in one encoder pass."""
        make_doc = get_nlp().make_doc
        unit_lists = segment_many(list(texts))
        results: list[list[Coding | None]] = []
        pending: list[tuple[int, int, UnitInput]] = []
        for t, (units, ctx) in enumerate(zip(unit_lists, contexts, strict=True)):
            row: list[Coding | None] = []
            for u, (unit, feats, item) in enumerate(read_turn(units, ctx, make_doc)):
                if not unit:
                    row.append(_empty())
                    continue
                if self.head is None or item is None:
                    row.append(_rule_coding(unit, feats))
                else:
                    row.append(None)
                    pending.append((t, u, item))
            results.append(row)
        if pending and self.head is not None and self.encoder is not None:
            probs = self.head.predict_proba(self.encoder, [p[2] for p in pending])
            for (t, u, item), p in zip(pending, probs, strict=True):
                p = _split_advice(p, item.feats)
                if item.feats.get(SUMMARY_CLAUSE):
                    p = _as_reflection(p)
                dist = {c: float(p[i]) for i, c in enumerate(CODES)}
                code = when_in_doubt(CODES[self.calibration.code_of(p)], dist)
                results[t][u] = _coding(item.text, code, dist, item.feats, True)
        return [[c for c in row if c is not None] for row in results]


def read_turn(
    units: Sequence[str], ctx: Context, make_doc: Callable[[str], Doc]
) -> list[tuple[str, dict[str, float], UnitInput | None]]:
    """Rule features of each unit of one turn, and the head's input for the unclear ones.

    Shared by the coder and the trainer, so the head is trained on units read exactly as
    it will see them. The head's input is ``None`` for empty units and for units the rules
    settle (backchannels, greetings), which never reach the head.
    """
    out: list[tuple[str, dict[str, float], UnitInput | None]] = []
    in_summary = False
    for unit in units:
        if not unit:
            out.append((unit, {}, None))
            continue
        feats = features(make_doc(unit), ctx)
        # Not a head feature (the head never reads it): whether the unit is a clause of a
        # summary the trainee announced earlier in the turn or opens with it.
        opening = opens_summary(unit)
        in_summary = opening or (in_summary and not ends_summary(feats))
        feats[SUMMARY_CLAUSE] = float(in_summary)
        if feats["permission"] and feats["qmark"]:
            # Asking permission earlier in the same turn licenses the advice after it.
            ctx = replace(ctx, permission=True)
        _, conf = rule_code(feats)
        # A backchannel from the patient gives the head nothing to compare the unit with.
        item = None if conf >= _SHORTCUT else UnitInput(unit, ctx.said, feats)
        out.append((unit, feats, item))
    return out


def _rule_coding(unit: str, feats: dict[str, float]) -> Coding:
    """The rules' code of a unit the head does not see (rules-only coder, backchannels)."""
    code, conf = rule_code(feats)
    probs = rule_probabilities(code, conf)
    if feats.get(SUMMARY_CLAUSE):
        vec = _as_reflection(np.array([probs[c] for c in CODES]))
        probs = {c: float(vec[i]) for i, c in enumerate(CODES)}
        if code in _PRESSURE_LIKE:
            code = when_in_doubt(CODES[int(np.argmax(vec))], probs)
    return _coding(unit, code, probs, feats, False)


def _empty() -> Coding:
    return Coding(
        text="",
        code="other",
        confidence=1.0,
        reason="other: empty turn",
        probabilities={c: float(c == "other") for c in CODES},
    )


def _coding(text: str, code: str, probs: dict[str, float], feats: dict, by_model: bool) -> Coding:
    reason = explain(code, feats, by_model)
    if feats.get(SUMMARY_CLAUSE) and code in REFLECTIONS:
        reason += "; part of a summary"
    return Coding(
        text=text,
        code=code,
        confidence=round(probs[code], 4),
        reason=reason,
        probabilities=probs,
    )


_PRESSURE_LIKE = frozenset(CODES[i] for i in _NOT_IN_SUMMARY)


def _as_reflection(p: np.ndarray) -> np.ndarray:
    """Move a summary clause's advice and confrontation probability to the reflections.

    It is shared between simple and complex as the head shared the rest (evenly if it gave
    them none), so the report's draws never count a summary clause as pressure either.
    """
    p = p.copy()
    moved = p[_NOT_IN_SUMMARY].sum()
    p[_NOT_IN_SUMMARY] = 0.0
    refl = np.array([_I["reflection_simple"], _I["reflection_complex"]])
    share = p[refl] / p[refl].sum() if p[refl].sum() > 0 else np.array([0.5, 0.5])
    p[refl] += moved * share
    return p / p.sum()


def _split_advice(p: np.ndarray, feats: dict[str, float]) -> np.ndarray:
    """Move advice probability to the persuade code the context allows (MITI 4.2.1).

    Persuade with permission needs permission asked/granted or discountable framing; without
    either it is plain persuade, whatever the wording.
    """
    p = p.copy()
    a, b = _I["persuade"], _I["persuade_with_permission"]
    allowed = advice_permitted(feats)
    src, dst = (a, b) if allowed else (b, a)
    moved = p[src] * (0.9 if allowed and feats["permission_context"] else 0.8)
    p[src] -= moved
    p[dst] += moved
    return p / p.sum()
