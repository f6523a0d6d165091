"""Fine-tune the sentence encoder on the authored corpus before the heads are fitted.

The packaged all-MiniLM-L6-v2 was trained to place sentences by topic, so "you're worried
about your liver" and "are you worried about your liver?" sit close together. A short
classification fine-tune on the corpus's thought units (mean pooling plus a linear layer
over the MITI codes, class-weighted cross-entropy) teaches it the behaviour, not the topic.
Only the transformer is kept; the linear layer is thrown away and the heads are fitted on
the new embeddings as before.

It is kept cheap so that a first start takes minutes: one epoch over the authored units
(not their augmented copies), the upper three of six layers, units cut at 32 word pieces,
bfloat16 products where the CPU has them; about a minute and a half on two cores, where
two epochs of the whole model on every augmented unit took about sixteen minutes. What that
costs in agreement is measured in docs/scoring.md ("Fine-tuning").
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Sequence

import numpy as np
from tqdm import tqdm

from scoring.codes import CODES
from scoring.encoder import MiniLMEncoder, coding_precision

log = logging.getLogger(__name__)

EPOCHS = 1
LEARNING_RATE = 3e-5
#: The new classification layer starts from nothing, so it learns faster than the encoder.
LAYER_LEARNING_RATE = 1e-3
BATCH_SIZE = 32
#: Share of the steps over which the learning rate warms up from zero.
WARMUP = 0.1
SEED = 13
#: Lower layers (of six) kept as they are, with the word-piece embeddings: their gradients
#: are much of the backward pass, and the behaviour is learnt in the upper layers.
FROZEN_LAYERS = 3
#: Longest unit in word pieces while training: a unit's form sits in its opening words, and
#: nine units in ten are shorter.
TRAIN_MAX_LENGTH = 32


def fine_tune(
    encoder: MiniLMEncoder,
    texts: Sequence[str],
    codes: Sequence[str],
    epochs: int = EPOCHS,
    seed: int = SEED,
    progress: bool = True,
) -> list[float]:
    """Train ``encoder``'s transformer in place to tell the MITI codes apart.

    Args:
        encoder: the encoder to change (renamed by ``mark_fine_tuned`` afterwards).
        texts: thought units.
        codes: the code of each unit, from :data:`scoring.codes.CODES`.
        epochs: passes over the data.
        seed: seeds the shuffling and torch's generator (same data, same weights).
        progress: show a progress bar.

    Returns:
        The mean training loss of each epoch.
    """
    import torch  # heavy: only imported when training

    if len(texts) != len(codes) or not texts:
        raise ValueError("fine_tune needs as many codes as texts, and at least one text")
    # The batches' order from a generator of its own, so the caller's is left alone; torch's
    # global one must be seeded (the new layer's weights and dropout draw from it).
    shuffler = random.Random(seed)
    torch.manual_seed(seed)
    start = time.perf_counter()
    index = {code: i for i, code in enumerate(CODES)}
    labels = np.array([index[c] for c in codes])
    counts = np.bincount(labels, minlength=len(CODES)).astype(float)
    # Balanced class weights, as in the heads: rare codes (confront, autonomy) count as much.
    balanced = len(labels) / (len(CODES) * np.maximum(counts, 1.0))
    weights = torch.tensor(balanced, dtype=torch.float32)
    transformer = encoder.model[0].auto_model
    tokenizer = encoder.model[0].tokenizer
    layer = torch.nn.Linear(encoder.dim, len(CODES))
    for module in [transformer.embeddings, *transformer.encoder.layer[:FROZEN_LAYERS]]:
        module.requires_grad_(False)
    # Matrix products in bfloat16 where the CPU has them natively (as when coding): about
    # twice as fast; the loss and the new layer stay in float32.
    fast = coding_precision() == "bfloat16"
    trained = [p for p in transformer.parameters() if p.requires_grad]
    optimiser = torch.optim.AdamW(
        [
            {"params": trained, "lr": LEARNING_RATE},
            {"params": layer.parameters(), "lr": LAYER_LEARNING_RATE},
        ],
        weight_decay=0.01,
    )
    per_epoch = (len(texts) + BATCH_SIZE - 1) // BATCH_SIZE
    total = epochs * per_epoch
    warmup = max(1, int(WARMUP * total))

    def rate(step: int) -> float:
        # Linear warm-up, then linear decay to zero at the last step.
        return min((step + 1) / warmup, max(0.0, (total - step) / max(1, total - warmup)))

    schedule = torch.optim.lr_scheduler.LambdaLR(optimiser, rate)
    loss_fn = torch.nn.CrossEntropyLoss(weight=weights)
    bar = tqdm(total=total, desc="fine-tuning encoder", unit="batch", disable=not progress)
    losses = []
    transformer.train()
    try:
        for _ in range(epochs):
            order = list(range(len(texts)))
            shuffler.shuffle(order)
            running = 0.0
            for first in range(0, len(order), BATCH_SIZE):
                batch = order[first : first + BATCH_SIZE]
                tokens = tokenizer(
                    [texts[i] or " " for i in batch],
                    padding=True,
                    truncation=True,
                    max_length=TRAIN_MAX_LENGTH,
                    return_tensors="pt",
                )
                with torch.autocast("cpu", dtype=torch.bfloat16, enabled=fast):
                    hidden = transformer(**tokens).last_hidden_state
                hidden = hidden.float()
                mask = tokens["attention_mask"].unsqueeze(-1).float()
                pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1)
                loss = loss_fn(layer(pooled), torch.from_numpy(labels[batch]))
                optimiser.zero_grad()
                loss.backward()
                optimiser.step()
                schedule.step()
                running += float(loss.item())
                bar.update(1)
            losses.append(running / per_epoch)
    finally:
        transformer.requires_grad_(True)
        transformer.eval()
        bar.close()
    encoder.mark_fine_tuned()
    log.info(
        "fine-tuned the encoder on %d units in %.0f s (loss per epoch %s)",
        len(texts),
        time.perf_counter() - start,
        [round(x, 3) for x in losses],
    )
    return losses
