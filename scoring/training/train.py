"""Train the coder (fine-tuned encoder and heads) from the corpus into ``models/coder/``."""

from __future__ import annotations

import hashlib
import logging
import random
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
from tqdm import tqdm

from scoring.coder import read_turn
from scoring.corpus import CORPUS_DIR, Example, augment, load_corpus
from scoring.dialogues import DIALOGUE_DIR, load_dialogues
from scoring.encoder import ENCODER_FOLDER, Encoder, MiniLMEncoder
from scoring.head import Head, UnitInput, head_meta
from scoring.loader import default_model_dir
from scoring.rules import context_from_history, features
from scoring.segment import clean, get_nlp, segment_many
from scoring.training.finetune import EPOCHS, fine_tune
from scoring.training.finetune import SEED as FINE_TUNE_SEED

log = logging.getLogger(__name__)


def corpus_digest(folder: Path = CORPUS_DIR, dialogues: Path | None = DIALOGUE_DIR) -> str:
    """Hash of the corpus files, stored with the head so a stale model is visible."""
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*.yml")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    for path in sorted(dialogues.glob("*.yml")) if dialogues else []:
        digest.update(b"dialogues/" + path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def fill_missing_prev(examples: list[Example], seed: int = 5) -> list[Example]:
    """Give examples written without a patient turn one drawn from the corpus (seeded).

    In real sessions almost every trainee turn follows a patient turn; authored openers
    (greetings, agenda setting, framing) have none. Left empty, "no patient turn" would
    become a cue for those codes that never occurs in practice.
    """
    rng = random.Random(seed)
    pool = sorted({ex.prev_client_text for ex in examples if ex.prev_client_text})
    if not pool:
        return examples
    return [
        ex if ex.prev_client_text else replace(ex, prev_client_text=rng.choice(pool))
        for ex in examples
    ]


def training_units(examples: list[Example]) -> tuple[list[UnitInput], list[str]]:
    """Split each example into thought units and read them the way the coder reads a turn.

    Authored spoken turns often hold several sentences of one behaviour; each sentence the
    coder would send to the head becomes a training unit with the example's code. Units the
    rules settle on their own (a leading "Okay." or "Mm-hmm.") never reach the head, so
    they are left out rather than taught as the example's code.
    """
    make_doc = get_nlp().make_doc
    units: list[UnitInput] = []
    codes: list[str] = []
    segmented = segment_many([ex.text for ex in examples])
    for ex, parts in zip(examples, segmented, strict=True):
        ctx = context_from_history(None, prev_client=ex.prev_client_text)
        items = [item for _, _, item in read_turn(parts, ctx, make_doc) if item is not None]
        if not items and parts[0]:
            # An authored backchannel still teaches the head what `other` looks like.
            text = clean(ex.text)
            items = [UnitInput(text, ctx.said, features(make_doc(text), ctx))]
        units.extend(items)
        codes.extend([ex.code] * len(items))
    return units, codes


class _ProgressEncoder:
    """Wraps an encoder so that encoding the corpus moves a progress bar."""

    def __init__(self, encoder: Encoder, total: int, progress: bool) -> None:
        self.inner = encoder
        self.name = encoder.name
        self.dim = encoder.dim
        self.bar = tqdm(total=total, desc="encoding corpus", unit="text", disable=not progress)

    def encode(self, texts: list[str]) -> np.ndarray:
        out = []
        for i in range(0, len(texts), 256):
            out.append(self.inner.encode(texts[i : i + 256]))
            self.bar.update(len(texts[i : i + 256]))
        return np.vstack(out) if out else self.inner.encode([])

    def encode_context(self, texts: list[str]) -> np.ndarray:
        return self.inner.encode_context(texts)


def _fine_tune_packaged(
    encoder: Encoder, units: list[UnitInput], codes: list[str], epochs: int, progress: bool
) -> tuple[MiniLMEncoder | None, dict]:
    """Fine-tune ``encoder`` if it is the packaged MiniLM.

    Returns:
        The encoder if it was changed (else ``None``), and what to record about it.
    """
    if not isinstance(encoder, MiniLMEncoder) or encoder.name != MiniLMEncoder.name or epochs < 1:
        return None, {}
    # Each distinct (unit, code) pair once: the corpus repeats units with other patient turns.
    pairs = sorted({(u.text, c) for u, c in zip(units, codes, strict=True)})
    start = time.perf_counter()
    losses = fine_tune(
        encoder, [t for t, _ in pairs], [c for _, c in pairs], epochs, progress=progress
    )
    record = {
        "pairs": len(pairs),
        "epochs": epochs,
        "seed": FINE_TUNE_SEED,
        "loss_per_epoch": [round(x, 4) for x in losses],
        "seconds": round(time.perf_counter() - start, 1),
    }
    return encoder, record


def train(
    encoder: Encoder | None = None,
    out_dir: Path | None = None,
    corpus_dir: Path | None = None,
    dialogue_dir: Path | None = DIALOGUE_DIR,
    progress: bool = True,
    epochs: int = EPOCHS,
    added: Sequence[Example] = (),
) -> Head:
    """Fine-tune the encoder and train the heads on the (augmented) authored corpus; save.

    Args:
        encoder: sentence encoder; the packaged MiniLM when ``None``. A packaged MiniLM is
            fine-tuned in place (so the caller's object is the one the head needs); other
            encoders (the hashing fake, an already fine-tuned MiniLM) are used as they are.
        out_dir: where to save (the heads, and the fine-tuned encoder in ``encoder/``);
            ``models/coder/`` when ``None``; nothing saved if it is a non-writable place.
        corpus_dir: corpus folder; ``corpus/trainee/`` when ``None``.
        dialogue_dir: folder of authored dialogues (``corpus/dialogues/``); ``None`` for
            none.
        progress: show progress bars.
        epochs: fine-tuning epochs; 0 keeps the packaged encoder as it is.
        added: further examples trained on with the corpus (supervisors' corrections, see
            :func:`scoring.corpus.load_corrections`); recorded in the metadata.

    Returns:
        The trained :class:`Head`.
    """
    start = time.perf_counter()
    if encoder is None:
        encoder = MiniLMEncoder()
    folder = corpus_dir or CORPUS_DIR
    dialogue = load_dialogues(dialogue_dir) if dialogue_dir else []
    authored = load_corpus(folder) + dialogue
    if not authored:
        raise ValueError(f"no corpus examples under {folder}")
    examples = fill_missing_prev(augment(authored + list(added)))
    units, codes = training_units(examples)
    # The transformer only ever sees the unit, and the augmented copies (fillers, typos) add
    # little to what it learns for their cost: it is fine-tuned on the authored units.
    plain_units, plain_codes = training_units(fill_missing_prev(authored + list(added)))
    tuned, fine_tuning = _fine_tune_packaged(encoder, plain_units, plain_codes, epochs, progress)
    # The head encodes each distinct unit text once.
    tracked = _ProgressEncoder(encoder, len({u.text for u in units}), progress)
    meta = head_meta(
        encoder,
        corpus_digest=corpus_digest(folder, dialogue_dir),
        authored_examples=len(authored),
        dialogue_thoughts=len(dialogue),
        training_examples=len(examples),
        training_units=len(units),
        per_code=dict(Counter(ex.code for ex in authored)),
        added_examples=len(added),
        added_per_code=dict(Counter(ex.code for ex in added)),
        fine_tuning=fine_tuning,
    )
    head = Head.fit(tracked, units, codes, meta)
    tracked.bar.close()
    if out_dir is None:
        out_dir = default_model_dir()
    try:
        # The encoder first: meta.json, written with the heads, is what marks the folder done.
        if tuned is not None:
            tuned.save(out_dir / ENCODER_FOLDER)
        head.save(out_dir)
        log.info("saved trained head to %s", out_dir)
    except OSError as exc:
        log.warning("could not save the trained head to %s: %s", out_dir, exc)
    log.info(
        "trained on %d examples (%d authored) in %.1f s",
        len(examples),
        len(authored),
        time.perf_counter() - start,
    )
    return head
