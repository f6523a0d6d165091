"""The behaviour coder: a trainee turn in context -> one Coding per thought unit."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace

import numpy as np
from spacy.tokens import Doc

from scoring.codes import CODES, when_in_doubt
from scoring.encoder import Encoder
from scoring.head import Head, UnitInput
from scoring.rulecoder import explain, rule_code, rule_probabilities
from scoring.rules import Context, advice_permitted, context_from_history, features
from scoring.segment import get_nlp, segment_many
from scoring.types import Coding, Turn

log = logging.getLogger(__name__)

_I = {c: i for i, c in enumerate(CODES)}
# Units the rules settle with this confidence skip the encoder (backchannels dominate
# real sessions, and skipping them is most of the batch speed).
_SHORTCUT = 0.85


class Coder:
    """Codes trainee turns; rules-only without a head, rules + embeddings + head with one.

    Args:
        encoder: sentence encoder (needed with a head); injectable so tests can fake it.
        head: trained head; ``None`` gives the rules-only coder.
    """

    def __init__(self, encoder: Encoder | None = None, head: Head | None = None) -> None:
        if head is not None and encoder is None:
            raise ValueError("a trained head needs the encoder it was trained with")
        self.encoder = encoder
        self.head = head

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
                code, conf = rule_code(feats)
                if self.head is None or item is None:
                    row.append(_coding(unit, code, rule_probabilities(code, conf), feats, False))
                else:
                    row.append(None)
                    pending.append((t, u, item))
            results.append(row)
        if pending and self.head is not None and self.encoder is not None:
            probs = self.head.predict_proba(self.encoder, [p[2] for p in pending])
            for (t, u, item), p in zip(pending, probs, strict=True):
                p = _split_advice(p, item.feats)
                dist = {c: float(p[i]) for i, c in enumerate(CODES)}
                code = when_in_doubt(CODES[int(np.argmax(p))], dist)
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
    for unit in units:
        if not unit:
            out.append((unit, {}, None))
            continue
        feats = features(make_doc(unit), ctx)
        if feats["permission"] and feats["qmark"]:
            # Asking permission earlier in the same turn licenses the advice after it.
            ctx = replace(ctx, permission=True)
        _, conf = rule_code(feats)
        # A backchannel from the patient gives the head nothing to compare the unit with.
        item = None if conf >= _SHORTCUT else UnitInput(unit, ctx.said, feats)
        out.append((unit, feats, item))
    return out


def _empty() -> Coding:
    return Coding(
        text="",
        code="other",
        confidence=1.0,
        reason="other: empty turn",
        probabilities={c: float(c == "other") for c in CODES},
    )


def _coding(text: str, code: str, probs: dict[str, float], feats: dict, by_model: bool) -> Coding:
    return Coding(
        text=text,
        code=code,
        confidence=round(probs[code], 4),
        reason=explain(code, feats, by_model),
        probabilities=probs,
    )


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
