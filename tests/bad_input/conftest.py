"""A fast coder for the bad-input tests: rules plus a head trained with a hashing encoder."""

from __future__ import annotations

import pytest

from scoring.coder import Coder
from scoring.encoder import HashingEncoder
from scoring.training.train import train


@pytest.fixture(scope="session")
def coder(tmp_path_factory: pytest.TempPathFactory) -> Coder:
    """The coder's whole pipeline (segmenting, rules, head) without the sentence encoder."""
    encoder = HashingEncoder(dim=64)
    head = train(encoder=encoder, out_dir=tmp_path_factory.mktemp("head"), progress=False)
    return Coder(encoder=encoder, head=head)
