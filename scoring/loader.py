"""Build the best available coder once: trained head if present, else train, else rules."""

from __future__ import annotations

import json
import logging
import os
import threading
from pathlib import Path

from scoring.coder import Coder

log = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[1]
_CACHE: dict[tuple[str, str], Coder] = {}
_LOCK = threading.Lock()


def default_model_dir() -> Path:
    """``models/coder/`` under the repository root (override with ``MI_CODER_DIR``)."""
    return Path(os.environ.get("MI_CODER_DIR", REPO_ROOT / "models" / "coder"))


def load_coder(mode: str = "auto", model_dir: str | Path | None = None) -> Coder:
    """Return the cached default coder.

    Args:
        mode: ``"auto"`` (trained head from ``model_dir``; if missing or stale, train one
            from ``corpus/`` now and save it; rules-only if the encoder cannot load),
            ``"model"`` (same, but raise instead of falling back), or ``"rules"``.
        model_dir: where the trained head lives; defaults to :func:`default_model_dir`.

    Returns:
        A :class:`~scoring.coder.Coder`, the same object on every call with the same args.
    """
    folder = Path(model_dir) if model_dir else default_model_dir()
    key = (mode, str(folder))
    with _LOCK:
        if key not in _CACHE:
            _CACHE[key] = _build(mode, folder)
        return _CACHE[key]


def _load_trained(folder: Path) -> Coder:
    """The encoder the heads in ``folder`` were fitted on, and the heads.

    Raises:
        OSError: when the folder or one of its files is missing.
        ValueError: when the files do not belong together (another encoder, feature layout).
    """
    from scoring.encoder import ENCODER_FOLDER, FINE_TUNED_NAME, MiniLMEncoder
    from scoring.head import Head

    meta = json.loads((folder / "meta.json").read_text())
    if meta.get("encoder") == FINE_TUNED_NAME:
        encoder = MiniLMEncoder(path=folder / ENCODER_FOLDER, name=FINE_TUNED_NAME)
    else:
        encoder = MiniLMEncoder()
    head = Head.load(folder, encoder)
    log.info("scoring: trained coder loaded from %s", folder)
    return Coder(encoder=encoder, head=head)


def _build(mode: str, folder: Path) -> Coder:
    if mode == "rules":
        log.info("scoring: rules-only coder (requested)")
        return Coder()
    if mode not in ("auto", "model"):
        raise ValueError(f"mode must be 'auto', 'model' or 'rules', not {mode!r}")
    try:
        try:
            return _load_trained(folder)
        except (OSError, ValueError) as exc:
            log.warning(
                "scoring: no usable trained coder in %s (%s); training one from corpus/ now, "
                "about twenty minutes (run `python -m scoring train` beforehand to skip this)",
                folder,
                exc,
            )
        from scoring.encoder import MiniLMEncoder
        from scoring.train import train

        encoder = MiniLMEncoder()
        head = train(encoder=encoder, out_dir=folder, progress=False)  # fine-tunes `encoder`
        return Coder(encoder=encoder, head=head)
    except Exception as exc:  # noqa: BLE001 - any failure here must leave a working coder
        if mode == "model":
            raise
        log.warning("scoring: falling back to the rules-only coder: %s", exc)
        return Coder()
