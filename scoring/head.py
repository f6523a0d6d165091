"""The trained heads: features of a unit in context -> probabilities over the MITI codes."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import joblib
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from scoring.codes import CODES, PRIORS
from scoring.encoder import Encoder
from scoring.rules import HEAD_FEATURES as FEATURE_NAMES
from scoring.rules import feature_vector

log = logging.getLogger(__name__)

#: Bump when the feature layout changes, so a stale models/coder/ is not silently misread.
FEATURE_VERSION = 9
#: L2 strength of both heads (see :meth:`Head.fit`).
REG_C = 0.03
#: The fast head's codes at or above this probability skip the transformer.
CASCADE_THRESHOLD = 0.8
SEED = 13


@dataclass
class UnitInput:
    """Everything the head sees about one thought unit.

    Attributes:
        text: the unit.
        prev_client: the patient's last turn ("" if none).
        feats: rule features from :func:`scoring.rules.features`.
    """

    text: str
    prev_client: str
    feats: dict[str, float]


def static_matrix(encoder: Encoder, units: Sequence[UnitInput]) -> np.ndarray:
    """Cheap features of units (no transformer pass).

    Columns: static word-piece embedding of the unit; cosine of unit and patient turn
    (static vectors); rule features. The patient's turn enters only
    through its relation to the unit (similarity, overlap, new feelings), never as its own
    vector: in an authored corpus the patient turns are shared by examples of one code, and
    a head that sees them learns which prompt was used rather than what the trainee did.
    """
    texts = [u.text for u in units]
    unit_static = encoder.encode_context(texts)
    # Identical patient turns (every unit of a turn shares one) are encoded once.
    uniq = sorted({u.prev_client for u in units})
    index = {t: i for i, t in enumerate(uniq)}
    ctx_vecs = encoder.encode_context(uniq)[[index[u.prev_client] for u in units]]
    sim = (unit_static * ctx_vecs).sum(axis=1, keepdims=True)
    rules = np.array([feature_vector(u.feats) for u in units], dtype=np.float32)
    # The unit's position in its turn is left out: authored examples are mostly one-unit
    # turns of a single code, so the head would learn which codes happen to have been
    # written as several sentences, not where behaviours sit in a turn.
    return np.hstack([unit_static, sim, rules]).astype(np.float32)


def full_matrix(encoder: Encoder, units: Sequence[UnitInput], static: np.ndarray) -> np.ndarray:
    """Static features plus the unit's all-MiniLM-L6-v2 sentence embedding."""
    # Each distinct text goes through the transformer once (training repeats texts with
    # other patient turns before them).
    uniq = sorted({u.text for u in units})
    index = {t: i for i, t in enumerate(uniq)}
    vecs = encoder.encode(uniq)[[index[u.text] for u in units]]
    return np.hstack([vecs, static]).astype(np.float32)


def _pipeline(c: float) -> Pipeline:
    return make_pipeline(
        StandardScaler(),
        LogisticRegression(C=c, max_iter=3000, class_weight="balanced", random_state=SEED),
    )


class Head:
    """Two scaled logistic regressions in a cascade, with session priors applied.

    The fast head reads static features only; units it codes with probability below
    :data:`CASCADE_THRESHOLD` go to the full head, which adds the transformer embedding.
    Most units are clear-cut, so most skip the transformer pass (the costly part).
    """

    def __init__(self, fast: Pipeline, full: Pipeline, meta: dict) -> None:
        """Wrap two fitted pipelines and their metadata (encoder name, feature layout...)."""
        self.fast = fast
        self.full = full
        self.meta = meta
        self.prior = np.array([PRIORS[c] for c in CODES])

    @classmethod
    def fit(
        cls, encoder: Encoder, units: Sequence[UnitInput], y: Sequence[str], meta: dict
    ) -> Head:
        """Fit both heads on ``units`` with codes ``y`` (deterministic: fixed seed).

        ``C`` is small (strong L2) on purpose: a few thousand authored sentences in a few
        hundred dimensions are easily separable, and a head that fits them tightly is
        overconfident on real, disfluent session speech.
        """
        start = time.perf_counter()
        static = static_matrix(encoder, units)
        full = full_matrix(encoder, units, static)
        encode_seconds = time.perf_counter() - start
        labels = list(y)
        fast_head = _pipeline(REG_C).fit(static, labels)
        full_head = _pipeline(REG_C).fit(full, labels)
        meta = {
            **meta,
            "encode_seconds": round(encode_seconds, 2),
            "fit_seconds": round(time.perf_counter() - start - encode_seconds, 2),
        }
        return cls(fast_head, full_head, meta)

    def _proba(self, pipeline: Pipeline, x: np.ndarray) -> np.ndarray:
        raw = pipeline.predict_proba(x)
        classes = list(pipeline.classes_)
        out = np.zeros((len(x), len(CODES)), dtype=np.float64)
        for j, code in enumerate(CODES):
            if code in classes:
                out[:, j] = raw[:, classes.index(code)]
        # Balanced training -> rescale by session priors to get posteriors (Bayes).
        out *= self.prior
        return out / out.sum(axis=1, keepdims=True)

    def predict_proba(self, encoder: Encoder, units: Sequence[UnitInput]) -> np.ndarray:
        """Probabilities in :data:`CODES` order for each unit."""
        if not units:
            return np.zeros((0, len(CODES)))
        static = static_matrix(encoder, units)
        probs = self._proba(self.fast, static)
        unsure = np.flatnonzero(probs.max(axis=1) < CASCADE_THRESHOLD)
        if unsure.size:
            full = full_matrix(encoder, [units[i] for i in unsure], static[unsure])
            probs[unsure] = self._proba(self.full, full)
        return probs

    def save(self, folder: Path) -> None:
        """Write ``head.joblib`` and ``meta.json`` into ``folder``."""
        folder.mkdir(parents=True, exist_ok=True)
        joblib.dump({"fast": self.fast, "full": self.full}, folder / "head.joblib")
        (folder / "meta.json").write_text(json.dumps(self.meta, indent=2) + "\n")

    @classmethod
    def load(cls, folder: Path, encoder: Encoder) -> Head:
        """Load a head saved by :meth:`save`, checking it fits this encoder and feature layout.

        Raises:
            ValueError: if the saved head was built for another encoder, feature layout or
                code list.
        """
        meta = json.loads((folder / "meta.json").read_text())
        expected = {
            "encoder": encoder.name,
            "feature_version": FEATURE_VERSION,
            "rule_features": list(FEATURE_NAMES),
            "codes": list(CODES),
        }
        for key, value in expected.items():
            if meta.get(key) != value:
                raise ValueError(f"{folder} is stale: trained with another {key}; retrain it")
        parts = joblib.load(folder / "head.joblib")
        return cls(parts["fast"], parts["full"], meta)


def head_meta(encoder: Encoder, **extra: object) -> dict:
    """Metadata stored beside a head so :meth:`Head.load` can check compatibility."""
    return {
        "encoder": encoder.name,
        "feature_version": FEATURE_VERSION,
        "rule_features": list(FEATURE_NAMES),
        "codes": list(CODES),
        **extra,
    }
