"""Shared fixtures: a rules-only coder, a fast fake-encoder coder, and the shipped coder."""

from __future__ import annotations

from pathlib import Path

import pytest

from scoring.coder import Coder
from scoring.encoder import HashingEncoder
from scoring.training.train import train


@pytest.fixture(scope="session")
def rules_coder() -> Coder:
    """The coder without a trained head."""
    return Coder()


@pytest.fixture(scope="session")
def fake_coder(tmp_path_factory: pytest.TempPathFactory) -> Coder:
    """Rules + a head trained on the real corpus with a tiny hashing encoder (no model)."""
    encoder = HashingEncoder(dim=64)
    out: Path = tmp_path_factory.mktemp("fake_head")
    head = train(encoder=encoder, out_dir=out, progress=False)
    return Coder(encoder=encoder, head=head)


@pytest.fixture(scope="session")
def real_coder() -> Coder:
    """The coder the product ships: models/coder/ (``make coder``); skipped, never trained here."""
    pytest.importorskip("sentence_transformers")
    from scoring.loader import CoderUnavailable, load_coder

    try:
        return load_coder(mode="model")
    except CoderUnavailable as error:
        pytest.skip(str(error))
