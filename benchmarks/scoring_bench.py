"""Benchmark the MITI coder on the AnnoMI dev split: agreement, session figures and speed.

Usage (from the repo root):
    .venv/bin/python benchmarks/scoring_bench.py [--data ../shared/eval/annomi_dev_therapist.csv]
        [--mode auto|model|rules] [--passes 3] [--json results/scoring_bench.json]
        [--card scoring/reliability.json]

The evaluation data is never copied or trained on, but the coder's pressure threshold
(scoring/calibration.json) is fitted on it: so the figures code each transcript with a
threshold fitted on the other transcripts (5 folds grouped by transcript,
scoring.training.calibrate), and the pressure shares are held-out figures too.

Turn label rule (AnnoMI gives one label per turn, the coder one code per thought unit): the
turn's dominant behaviour, scoring.codes.dominant_code: each unit votes words x probability
for each code, `other` wins only if every unit is `other`, ties by MITI priority
(scoring.codes.TURN_PRIORITY); the code is then mapped to the AnnoMI label with
scoring.codes.EVAL_LABEL.
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import sys
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

import numpy as np
from sklearn.metrics import (
    accuracy_score,
    cohen_kappa_score,
    confusion_matrix,
    f1_score,
    roc_auc_score,
)

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scoring import EVAL_LABEL, Turn, load_coder  # noqa: E402
from scoring.codes import (  # noqa: E402
    EVAL_CLASS4,
    PRESSURE,  # noqa: E402
    turn_code_of,
)
from scoring.reliability import make_card  # noqa: E402
from scoring.training.calibrate import code_by_fold, fit, pressure_shares  # noqa: E402

LABELS7 = [
    "open_question",
    "closed_question",
    "simple_reflection",
    "complex_reflection",
    "giving_information",
    "advice_or_persuasion",
    "other",
]
LABELS4 = ["question", "reflection", "input", "other"]


def agreement(gold: list[str], pred: list[str], labels: list[str]) -> dict:
    """Accuracy, macro-F1, per-label F1, Cohen's kappa and the confusion counts.

    The confusion matrix (rows gold, columns predicted, in ``labels`` order) is an aggregate:
    it says which labels are mixed up without showing any row of the evaluation data.
    """
    per = f1_score(gold, pred, labels=labels, average=None, zero_division=0)
    matrix = confusion_matrix(gold, pred, labels=labels)
    return {
        "n": len(gold),
        "accuracy": round(float(accuracy_score(gold, pred)), 3),
        "macro_f1": round(float(f1_score(gold, pred, labels=labels, average="macro")), 3),
        "kappa": round(float(cohen_kappa_score(gold, pred)), 3),
        "per_label_f1": {lab: round(float(f), 3) for lab, f in zip(labels, per, strict=True)},
        "confusion": {
            lab: dict(zip(labels, map(int, row), strict=True))
            for lab, row in zip(labels, matrix, strict=True)
        },
    }


def session_figures(labels: list[str]) -> tuple[float, float]:
    """R:Q and % complex reflections of one transcript from its per-turn labels."""
    q = sum(lab in ("open_question", "closed_question") for lab in labels)
    sr = labels.count("simple_reflection")
    cr = labels.count("complex_reflection")
    rq = (sr + cr) / q if q else float("nan")
    pct = cr / (sr + cr) if sr + cr else float("nan")
    return rq, pct


def pearson(a: list[float], b: list[float]) -> float:
    """Pearson r over the pairs where both values are defined."""
    pairs = [(x, y) for x, y in zip(a, b, strict=True) if not (np.isnan(x) or np.isnan(y))]
    if len(pairs) < 3:
        return float("nan")
    x, y = np.array(pairs).T
    return round(float(np.corrcoef(x, y)[0, 1]), 3)


def per_transcript(rows: list[dict], pred: list[str]) -> dict:
    """Per-transcript R:Q and %CR from gold and predicted labels, their r, and the AUCs."""
    gold_by, pred_by, quality = defaultdict(list), defaultdict(list), {}
    for row, p in zip(rows, pred, strict=True):
        tid = row["transcript_id"]
        gold_by[tid].append(row["label"])
        pred_by[tid].append(p)
        quality[tid] = row["mi_quality"]
    tids = sorted(gold_by)
    g = [session_figures(gold_by[t]) for t in tids]
    p = [session_figures(pred_by[t]) for t in tids]
    high = [quality[t] == "high" for t in tids]

    def auc(values: list[float]) -> float:
        vals = [0.0 if np.isnan(v) else v for v in values]  # no questions: treat R:Q as 0
        return round(float(roc_auc_score(high, vals)), 3)

    return {
        "transcripts": len(tids),
        "high_quality": sum(high),
        "r_q_pearson": pearson([x[0] for x in g], [x[0] for x in p]),
        "pct_complex_pearson": pearson([x[1] for x in g], [x[1] for x in p]),
        "r_q_auc_high_vs_low_predicted": auc([x[0] for x in p]),
        "r_q_auc_high_vs_low_gold": auc([x[0] for x in g]),
    }


def intervals(rows: list[dict], pred: list[str], draws: int = 1000, seed: int = 0) -> dict:
    """95% intervals of the headline figures, resampling whole transcripts.

    Turns of one session are not independent (one counsellor, one client), so the
    transcripts are what is drawn with replacement; the interval says how much the figures
    could move on another set of sessions like these.
    """
    rng = np.random.default_rng(seed)
    turns_of: dict[str, list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        turns_of[row["transcript_id"]].append(i)
    tids = sorted(turns_of)
    gold = [r["label"] for r in rows]
    rq_gold = [session_figures([gold[i] for i in turns_of[t]])[0] for t in tids]
    rq_pred = [session_figures([pred[i] for i in turns_of[t]])[0] for t in tids]
    draws_of: dict[str, list[float]] = defaultdict(list)
    for _ in range(draws):
        picked = rng.integers(0, len(tids), len(tids))
        idx = [i for t in picked for i in turns_of[tids[t]]]
        g, p = [gold[i] for i in idx], [pred[i] for i in idx]
        g4, p4 = [EVAL_CLASS4[x] for x in g], [EVAL_CLASS4[x] for x in p]
        draws_of["labels7_macro_f1"].append(
            f1_score(g, p, labels=LABELS7, average="macro", zero_division=0)
        )
        draws_of["class4_macro_f1"].append(
            f1_score(g4, p4, labels=LABELS4, average="macro", zero_division=0)
        )
        draws_of["r_q_pearson"].append(
            pearson([rq_gold[t] for t in picked], [rq_pred[t] for t in picked])
        )
    return {
        key: [round(float(np.nanpercentile(v, 2.5)), 3), round(float(np.nanpercentile(v, 97.5)), 3)]
        for key, v in draws_of.items()
    }


#: Confidence bands of the report: below 0.6 a unit is listed as low-confidence.
BANDS = ((0.0, 0.6), (0.6, 0.8), (0.8, 0.95), (0.95, 1.01))


def turn_confidence(codings: list, code: str) -> float:
    """How sure the coder is of a turn's label: its surest unit with the turn's code."""
    return max(c.confidence for c in codings if c.code == code)


def by_confidence(gold: list[str], pred: list[str], confidence: list[float]) -> list[dict]:
    """Share of turns and 7-label accuracy in each confidence band: how to read a confidence."""
    bands = []
    for low, high in BANDS:
        hits = [g == p for g, p, c in zip(gold, pred, confidence, strict=True) if low <= c < high]
        bands.append(
            {
                "from": low,
                "to": min(high, 1.0),
                "share": round(len(hits) / len(gold), 3),
                "accuracy": round(sum(hits) / len(hits), 3) if hits else None,
            }
        )
    return bands


def speed(
    coder, rows: list[dict], pass_seconds: list[float], batch_codes: list[str], n_single: int = 300
) -> dict:
    """Batch throughput of every pass, and single-utterance latency with context.

    The first pass is usually the slowest (torch's start-up costs fall in it), so throughput
    is given per pass: the spread is part of the figure. The app codes one turn at a time,
    the batch command many; ``single_same_as_batch`` is the share of the timed single turns
    coded as the first batch pass coded them.
    """
    lat, same = [], 0
    for row, batch_code in zip(rows[:n_single], batch_codes, strict=False):
        hist = [Turn("patient", row["prev_client_text"])] if row["prev_client_text"] else []
        start = time.perf_counter()
        codings = coder.code_turn(row["text"], history=hist)
        lat.append((time.perf_counter() - start) * 1000)
        same += turn_code_of(codings) == batch_code
    lat.sort()
    rates = [round(len(rows) / s, 1) for s in pass_seconds]
    return {
        "batch_utterances_per_s": rates,
        "batch_utterances_per_s_min_median": [min(rates), statistics.median(rates)],
        "single_p50_ms": round(statistics.median(lat), 2),
        "single_p95_ms": round(lat[int(0.95 * (len(lat) - 1))], 2),
        "single_same_as_batch": round(same / len(lat), 3),
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print (and optionally save) the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data", type=Path, default=ROOT / "../shared/eval/annomi_dev_therapist.csv"
    )
    parser.add_argument("--mode", choices=("auto", "model", "rules"), default="auto")
    parser.add_argument("--passes", type=int, default=3, help="batch passes timed (>= 1)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument(
        "--card",
        type=Path,
        default=None,
        help="also write the reliability card the reports show (scoring/reliability.json)",
    )
    args = parser.parse_args(argv)
    if args.passes < 1:
        parser.error("--passes must be at least 1")
    with args.data.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    start = time.perf_counter()
    coder = load_coder(mode=args.mode)
    load_seconds = time.perf_counter() - start
    pairs = [(r["text"], r["prev_client_text"]) for r in rows]
    pass_seconds, passes, first = [], [], []
    for _ in range(args.passes):
        start = time.perf_counter()
        codings = coder.code_rows(pairs)
        passes.append([turn_code_of(cs) for cs in codings])
        pass_seconds.append(time.perf_counter() - start)
        first = first or codings
    deterministic = all(p == passes[0] for p in passes)
    if not deterministic:
        print("warning: the passes coded some turns differently", file=sys.stderr)
    calibration = None
    if coder.head is not None:
        # The committed pressure threshold was fitted on these rows: the figures code each
        # transcript with a threshold fitted on the other folds' transcripts instead.
        _, thresholds, fold = fit(coder, rows)
        first = code_by_fold(coder, rows, thresholds, fold)
        pressed = np.array([any(u.code in PRESSURE for u in units) for units in first])
        calibration = {
            "cv_pressure_thresholds": thresholds,
            "pressure": pressure_shares(pressed, rows),
        }
    pred = [EVAL_LABEL[turn_code_of(cs)] for cs in first]
    gold = [r["label"] for r in rows]
    strict = [r["strict"].strip().lower() == "true" for r in rows]
    gs = [g for g, s in zip(gold, strict, strict=True) if s]
    ps = [p for p, s in zip(pred, strict, strict=True) if s]
    four = [EVAL_CLASS4[x] for x in gold], [EVAL_CLASS4[x] for x in pred]
    four_s = [EVAL_CLASS4[x] for x in gs], [EVAL_CLASS4[x] for x in ps]
    result = {
        "data": str(args.data),
        "coder_mode": coder.mode,
        # float32 or bfloat16 matrix products (scoring.encoder.coding_precision); None: rules
        "precision": getattr(coder.encoder, "precision", None),
        "labels7_all": agreement(gold, pred, LABELS7),
        "labels7_strict": agreement(gs, ps, LABELS7),
        "class4_all": agreement(*four, LABELS4),
        "class4_strict": agreement(*four_s, LABELS4),
        "sessions": per_transcript(rows, pred),
        "intervals_95": intervals(rows, pred),
        "by_confidence": by_confidence(
            gold,
            pred,
            [turn_confidence(cs, turn_code_of(cs)) for cs in first],
        ),
        "calibration_cross_validated": calibration,
        "deterministic": deterministic,
        "speed": {
            "model_load_s": round(load_seconds, 2),
            **speed(coder, rows, pass_seconds, passes[0]),
        },
    }
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    if args.card:
        meta = coder.head.meta if coder.head is not None else None
        card = make_card(result, meta, args.data.name, date.today())
        args.card.write_text(json.dumps(card, indent=2) + "\n")
        print(f"reliability card written to {args.card}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
