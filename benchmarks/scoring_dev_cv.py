"""What the coder would gain from training on the AnnoMI dev split, by grouped cross-validation.

The shipped coder cannot train on the dev split (users do not have it). This measures a
coder that does: each of five folds fits the heads on the authored corpus plus the dev
transcripts outside the fold (imported as `python -m scoring import-coded` would, `other`
kept as `other`), over the shipped coder's encoder, and codes the transcripts inside the
fold; no transcript is on both sides. No pressure threshold is applied (the committed one
was fitted on all of these rows). Compare with `scoring_bench.py` on the same rows.

Usage (from the repo root, after `make coder`; about five minutes on 2 cores):
    .venv/bin/python benchmarks/scoring_dev_cv.py [--data ../shared/eval/...csv]
        [--dev-only] [--json results/scoring_dev_cv.json]
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.scoring_bench import LABELS4, LABELS7, agreement, per_transcript  # noqa: E402
from scoring import load_coder  # noqa: E402
from scoring.calibration import Calibration  # noqa: E402
from scoring.coder import Coder  # noqa: E402
from scoring.codes import EVAL_CLASS4, EVAL_LABEL, PRESSURE, turn_code_of  # noqa: E402
from scoring.corpus import Example, augment, load_corpus  # noqa: E402
from scoring.dialogues import DIALOGUE_DIR, load_dialogues  # noqa: E402
from scoring.head import Head, UnitInput  # noqa: E402
from scoring.training.calibrate import folds_of, pressure_shares  # noqa: E402
from scoring.training.coded import read_eval, to_records  # noqa: E402
from scoring.training.train import fill_missing_prev, training_units  # noqa: E402


class RememberingEncoder:
    """Wraps an encoder so that the folds encode each text once."""

    def __init__(self, inner) -> None:
        self.inner, self.name, self.dim = inner, inner.name, inner.dim
        self.seen: dict[tuple[str, str], np.ndarray] = {}

    def _vectors(self, kind: str, texts: list[str]) -> np.ndarray:
        new = [t for t in dict.fromkeys(texts) if (kind, t) not in self.seen]
        if new:
            encode = self.inner.encode if kind == "full" else self.inner.encode_context
            for text, vec in zip(new, encode(new), strict=True):
                self.seen[(kind, text)] = vec
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.vstack([self.seen[(kind, t)] for t in texts])

    def encode(self, texts: list[str]) -> np.ndarray:
        return self._vectors("full", texts)

    def encode_context(self, texts: list[str]) -> np.ndarray:
        return self._vectors("context", texts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data", type=Path, default=ROOT.parent / "shared/eval/annomi_dev_therapist.csv"
    )
    parser.add_argument("--dev-only", action="store_true", help="leave the authored corpus out")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    if not args.data.exists():
        print(f"{args.data} not found: nothing to measure", file=sys.stderr)
        return 1
    shipped = load_coder(mode="model")
    encoder = RememberingEncoder(shipped.encoder)
    with args.data.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    dev: dict[str, tuple[list[UnitInput], list[str]]] = defaultdict(lambda: ([], []))
    for rec in to_records(read_eval(args.data), "dev", keep_other=True).records:
        units, codes = training_units([Example(rec["text"], rec["code"], rec["prev"], "dev")])
        dev[rec["transcript_id"]][0].extend(units)
        dev[rec["transcript_id"]][1].extend(codes)
    authored_units: list[UnitInput] = []
    authored_codes: list[str] = []
    if not args.dev_only:
        authored = load_corpus() + load_dialogues(DIALOGUE_DIR)
        authored_units, authored_codes = training_units(fill_missing_prev(augment(authored)))
    fold = folds_of(rows)
    fold_of = {r["transcript_id"]: int(k) for r, k in zip(rows, fold, strict=True)}
    coded: list = [None] * len(rows)
    for k in sorted(set(fold.tolist())):
        units, codes = list(authored_units), list(authored_codes)
        for transcript, (u, c) in dev.items():
            if fold_of[transcript] != k:
                units += u
                codes += c
        head = Head.fit(encoder, units, codes, dict(shipped.head.meta))
        coder = Coder(encoder, head, Calibration())
        held = [i for i in range(len(rows)) if fold[i] == k]
        pairs = [(rows[i]["text"], rows[i]["prev_client_text"]) for i in held]
        for i, units_coded in zip(held, coder.code_rows(pairs), strict=True):
            coded[i] = units_coded
        print(f"fold {k + 1} of {len(set(fold.tolist()))} done", file=sys.stderr)
    pred = [EVAL_LABEL[turn_code_of(units)] for units in coded]
    gold = [r["label"] for r in rows]
    pressed = np.array([any(u.code in PRESSURE for u in units) for units in coded])
    result = {
        "data": str(args.data),
        "trained_on": "dev folds" if args.dev_only else "authored corpus + dev folds",
        "labels7_all": agreement(gold, pred, LABELS7),
        "class4_all": agreement(
            [EVAL_CLASS4[g] for g in gold], [EVAL_CLASS4[p] for p in pred], LABELS4
        ),
        "sessions": per_transcript(rows, pred),
        "pressure": pressure_shares(pressed, rows),
    }
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
