"""Numbers fitted on expert-coded sessions that the coder applies to its own output.

They live in ``scoring/calibration.json``, committed with their provenance: they were
fitted on the AnnoMI development split (``make calibrate``, grouped by transcript), which
users do not have, so the shipped coder carries what was learnt from it as numbers only.
Without the file the coder runs uncalibrated and says so in the log.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from scoring.codes import CODES, PRESSURE

log = logging.getLogger(__name__)

CALIBRATION_FILE = Path(__file__).with_name("calibration.json")
_PRESSURE_INDEX = [CODES.index(c) for c in sorted(PRESSURE)]


@dataclass(frozen=True)
class Calibration:
    """What the coder corrects with.

    Attributes:
        pressure_min: a unit is coded persuade or confront only when the two together have
            at least this probability; a less certain unit takes its best other code.
            Pressure changes the patient and the session's grade, so it must be sure.
        provenance: how and on what the numbers were fitted, with their held-out figures.
    """

    pressure_min: float = 0.0
    provenance: dict | None = None

    def code_of(self, probs: np.ndarray) -> int:
        """Index of the code for a unit's probabilities (in :data:`CODES` order)."""
        best = int(np.argmax(probs))
        if CODES[best] in PRESSURE and probs[_PRESSURE_INDEX].sum() < self.pressure_min:
            masked = probs.copy()
            masked[_PRESSURE_INDEX] = -1.0
            best = int(np.argmax(masked))
        return best


@lru_cache(maxsize=4)
def load_calibration(path: Path = CALIBRATION_FILE) -> Calibration:
    """The committed calibration, or none (every threshold at 0) if the file is missing."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        log.warning("no %s: the coder runs uncalibrated", path.name)
        return Calibration()
    return Calibration(float(data["pressure_min"]), data.get("provenance"))
