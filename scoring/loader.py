"""Load the trained coder from ``models/coder/`` once per process; never train it here."""

from __future__ import annotations

import json
import logging
import os
import threading
from pathlib import Path

from scoring.coder import Coder

log = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[1]
MODES = ("auto", "model", "rules")
_CACHE: dict[tuple[str, str], Coder] = {}
_LOCK = threading.Lock()


class CoderUnavailable(RuntimeError):
    """No trained coder can be loaded: it is missing, incomplete or built for other code.

    The message names the folder, what is wrong and how to fix it (``make coder``).
    """


def default_model_dir() -> Path:
    """``models/coder/`` under the repository root (override with ``MI_CODER_DIR``)."""
    return Path(os.environ.get("MI_CODER_DIR", REPO_ROOT / "models" / "coder"))


def load_coder(mode: str = "auto", model_dir: str | Path | None = None) -> Coder:
    """Return the cached coder; loading never trains (training takes minutes).

    Args:
        mode: ``"auto"`` or ``"model"`` (the trained coder in ``model_dir``; both raise
            :class:`CoderUnavailable` when it is missing or stale, rather than code
            sessions with a weaker coder that no report would name), or ``"rules"`` (the
            rules-only coder, asked for by name).
        model_dir: where the trained coder lives; defaults to :func:`default_model_dir`.

    Returns:
        A :class:`~scoring.coder.Coder`, the same object on every call with the same args.

    Raises:
        CoderUnavailable: no usable trained coder; the message says to run ``make coder``.
            A failure is not cached: the next call tries again, so a process started before
            ``make coder`` finished picks the coder up once it is there.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    folder = Path(model_dir) if model_dir else default_model_dir()
    key = (mode, str(folder))
    with _LOCK:
        if key not in _CACHE:
            _CACHE[key] = Coder() if mode == "rules" else load_trained(folder)
        return _CACHE[key]


def load_trained(folder: Path) -> Coder:
    """The encoder the heads in ``folder`` were fitted on, and the heads.

    Raises:
        CoderUnavailable: when the folder or one of its files is missing or unreadable, when
            the files were built for another encoder, feature layout or code list, or when
            the encoder cannot load.
    """
    from scoring.encoder import ENCODER_FOLDER, FINE_TUNED_NAME, MiniLMEncoder
    from scoring.head import Head

    try:
        meta = json.loads((folder / "meta.json").read_text())
        if meta.get("encoder") == FINE_TUNED_NAME:
            encoder = MiniLMEncoder(path=folder / ENCODER_FOLDER, name=FINE_TUNED_NAME)
        else:
            encoder = MiniLMEncoder()
        head = Head.load(folder, encoder)
    except (OSError, ValueError, RuntimeError, ImportError, KeyError) as exc:
        raise CoderUnavailable(
            f"no usable trained coder in {folder} ({exc}). Train it with `make coder` "
            "(a few minutes on 2 cores; `python -m scoring train` does the same), "
            "or ask for the rules-only coder by name: load_coder(mode='rules')"
        ) from exc
    log.info("scoring: trained coder loaded from %s", folder)
    return Coder(encoder=encoder, head=head)
