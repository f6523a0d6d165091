"""Coding in bfloat16: chosen per machine or by MI_CODER_PRECISION, and close to float32."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from scoring.corpus import load_corpus
from scoring.encoder import PRECISION_ENV, PRECISIONS, coding_precision


def test_the_setting_chooses_the_precision() -> None:
    assert coding_precision({PRECISION_ENV: "float32"}) == "float32"
    assert coding_precision({PRECISION_ENV: " BFloat16 "}) == "bfloat16"
    assert coding_precision({}) in PRECISIONS


def test_an_unknown_setting_is_logged_and_ignored(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="scoring.encoder"):
        assert coding_precision({PRECISION_ENV: "float16"}) == coding_precision({})
    assert "MI_CODER_PRECISION='float16' ignored" in caplog.text


@pytest.mark.slow
def test_bfloat16_vectors_stay_close_to_float32(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("sentence_transformers")
    import torch

    from scoring.encoder import MiniLMEncoder

    monkeypatch.setenv(PRECISION_ENV, "float32")
    exact = MiniLMEncoder()
    monkeypatch.setenv(PRECISION_ENV, "bfloat16")
    fast = MiniLMEncoder()

    def linears(model: torch.nn.Module) -> int:
        return sum(isinstance(m, torch.nn.Linear) for m in model.modules())

    assert exact._coding_model is exact.model
    assert linears(fast._coding_model) == 0  # every matrix product swapped...
    assert linears(fast.model) == linears(exact.model) > 0  # ...in a copy: training stays exact
    texts = [e.text for e in load_corpus()[::40]] + ["", "Mm-hmm."]
    a, b = exact.encode(texts), fast.encode(texts)
    assert a.dtype == b.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(b, axis=1), 1.0, atol=1e-5)
    assert float((a * b).sum(axis=1).min()) > 0.999


@pytest.mark.slow
def test_encode_gives_the_sentence_transformers_vectors(monkeypatch: pytest.MonkeyPatch) -> None:
    # encode() calls the model's modules itself (for speed); it must stay the same function
    # as SentenceTransformer.encode, in any batch size and with texts out of length order.
    pytest.importorskip("sentence_transformers")
    from scoring.encoder import MiniLMEncoder

    monkeypatch.setenv(PRECISION_ENV, "float32")
    encoder = MiniLMEncoder(batch_size=8)
    texts = [e.text for e in load_corpus()[::97]] + ["", "Mm-hmm.", "word " * 200]
    expected = encoder.model.encode(
        [t or " " for t in texts], normalize_embeddings=True, convert_to_numpy=True
    )
    got = encoder.encode(texts)
    assert got.shape == (len(texts), encoder.dim)
    np.testing.assert_allclose(got, expected, atol=1e-5)
    np.testing.assert_allclose(encoder.encode(texts[3:4]), expected[3:4], atol=1e-5)
