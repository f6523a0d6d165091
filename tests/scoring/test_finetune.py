"""Fine-tuning the encoder: it learns, it is renamed, and it survives a save and a load."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from scoring.corpus import load_corpus

pytest.importorskip("sentence_transformers")

from scoring.encoder import FINE_TUNED_NAME, MiniLMEncoder  # noqa: E402
from scoring.training.finetune import fine_tune  # noqa: E402


@pytest.mark.slow
def test_fine_tune_lowers_the_loss_renames_and_round_trips(tmp_path: Path) -> None:
    # A small slice of two easily told apart codes keeps this to seconds.
    examples = [e for e in load_corpus() if e.code in ("question_open", "giving_information")]
    examples = examples[:48] + examples[-48:]
    encoder = MiniLMEncoder()
    before = encoder.encode(["What brings you here today?"])
    static_before = encoder.static.copy()

    losses = fine_tune(
        encoder, [e.text for e in examples], [e.code for e in examples], epochs=3, progress=False
    )

    assert losses[-1] < losses[0]
    assert encoder.name == FINE_TUNED_NAME
    after = encoder.encode(["What brings you here today?"])
    assert not np.allclose(before, after)
    # The word-piece embeddings stay frozen, so the cheap context vectors do not move.
    np.testing.assert_array_equal(static_before, encoder.static)
    encoder.save(tmp_path / "encoder")
    again = MiniLMEncoder(path=tmp_path / "encoder", name=FINE_TUNED_NAME)
    np.testing.assert_allclose(again.encode(["What brings you here today?"]), after, atol=1e-5)


def test_fine_tune_refuses_mismatched_input() -> None:
    encoder = MiniLMEncoder()
    with pytest.raises(ValueError, match="as many codes as texts"):
        fine_tune(encoder, ["one", "two"], ["other"], progress=False)
    with pytest.raises(ValueError, match="at least one text"):
        fine_tune(encoder, [], [], progress=False)


@pytest.mark.slow
def test_load_coder_uses_the_encoder_saved_with_the_heads(tmp_path: Path) -> None:
    from scoring.corpus import CORPUS_DIR
    from scoring.encoder import ENCODER_FOLDER
    from scoring.loader import CoderUnavailable, load_coder, load_trained
    from scoring.training.train import train

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for code in ("affirm", "confront"):  # two small files keep the heads quick to fit
        (corpus / f"{code}.yml").write_text((CORPUS_DIR / f"{code}.yml").read_text())
    encoder = MiniLMEncoder()
    encoder.mark_fine_tuned()  # same weights, new name: train() leaves it as it is
    train(
        encoder=encoder,
        out_dir=tmp_path / "coder",
        corpus_dir=corpus,
        dialogue_dir=None,
        progress=False,
    )

    # The heads name a fine-tuned encoder that was not saved beside them: not loadable.
    with pytest.raises(CoderUnavailable, match="make coder"):
        load_trained(tmp_path / "coder")

    encoder.save(tmp_path / "coder" / ENCODER_FOLDER)
    coder = load_coder(mode="model", model_dir=tmp_path / "coder")
    assert coder.encoder is not None and coder.encoder.name == FINE_TUNED_NAME
    assert coder.head is not None and coder.head.meta["encoder"] == FINE_TUNED_NAME
