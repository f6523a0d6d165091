"""Compares the simulated patient's talk dynamics with real clients' and fits its talk table.

Usage (from the repo root):
    .venv/bin/python benchmarks/client_dynamics.py [--eval ../shared/eval] [--json PATH]
        [--fit] [--folds 5] [--iterations 6]

What it measures (AnnoMI development split, see ../shared/eval/README.md):

1. The real table: per transcript, ordered by utterance, each client turn that answers a
   therapist turn gives ``prev`` (the client's previous talk label, ``start`` for the first),
   ``move`` (the label of the last therapist turn before it, the one answered) and ``next``
   (its own label). P(next | prev, move) with counts, the talk mix, and the change-talk share
   of high- vs low-quality transcripts. Client turns with no therapist turn since the
   previous client turn (18 of 1,883) count in the mix, not in the table.
2. The simulated table: every transcript's therapist turns, coded once by the project's coder
   (cached in /tmp), replayed in process against every shipped scenario; ``prev`` is the
   patient's own previous talk (discord counted as sustain), ``move`` the therapist turn's
   gold label, ``next`` the patient's talk.
3. ``--fit``: the shipped table (bot/patient/talk_table.json) is fitted so that the replay
   matches the real table, reported by cross-validation grouped by transcript, then refitted
   on every transcript. Only counts and probabilities are written, never text.

The project installs, trains and runs without the evaluation folder; without it this script
says so and exits 0.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import inspect
import json
import pickle
import random
import statistics
import sys
import time
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.patient.dynamics import MOVES, move_of  # noqa: E402
from scoring import Coding, Turn  # noqa: E402
from scoring.codes import turn_code_of  # noqa: E402

EVAL_DIR = ROOT.parent / "shared" / "eval"
TABLE_PATH = ROOT / "bot" / "patient" / "talk_table.json"
CACHE_DIR = Path("/tmp")

TALKS = ("change", "neutral", "sustain")
PREVS = ("start", "change", "neutral", "sustain")
#: Sparse cells are pulled toward their move's marginal by this many pseudo-turns.
PSEUDO = 10.0
#: A cell is judged against its target only with at least this many real turns.
MIN_CELL = 20
SOURCE = {
    "corpus": "AnnoMI (Wu et al., ICASSP 2022; Future Internet 15(3):110, 2023)",
    "repository": "github.com/uccollab/AnnoMI",
    "commit": "4293664",
    "split": "project development split (49 transcripts: 40 high-, 9 low-quality MI)",
}

Counts = dict[str, dict[str, Counter[str]]]
Table = dict[str, dict[str, dict[str, float]]]


# --- the evaluation rows -------------------------------------------------------------------


@dataclass(frozen=True)
class Utterance:
    """One turn of a transcript: ``therapist`` or ``client``, with its gold label."""

    speaker: str
    uid: int
    text: str
    label: str


@dataclass(frozen=True)
class Transcript:
    """A coded session: its id, MI quality and turns in order."""

    id: str
    quality: str
    turns: tuple[Utterance, ...]


def load_transcripts(eval_dir: Path) -> list[Transcript]:
    """Read both CSVs and merge them into transcripts ordered by utterance id."""
    rows: dict[str, list[Utterance]] = defaultdict(list)
    quality: dict[str, str] = {}
    for speaker in ("client", "therapist"):
        with (eval_dir / f"annomi_dev_{speaker}.csv").open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                tid = row["transcript_id"]
                quality[tid] = row["mi_quality"]
                uid = int(row["utterance_id"])
                rows[tid].append(Utterance(speaker, uid, row["text"], row["label"]))
    return [
        Transcript(tid, quality[tid], tuple(sorted(rows[tid], key=lambda u: u.uid)))
        for tid in sorted(rows, key=lambda t: (len(t), t))
    ]


def real_steps(transcript: Transcript) -> list[tuple[str, str, str]]:
    """``(prev, move, next)`` of every client turn that answers a therapist turn."""
    steps = []
    prev, move = "start", None
    for turn in transcript.turns:
        if turn.speaker == "therapist":
            move = turn.label
            continue
        if move is not None:
            steps.append((prev, move, turn.label))
        prev, move = turn.label, None
    return steps


def client_labels(transcript: Transcript) -> list[str]:
    """Every client talk label of the transcript, in order."""
    return [t.label for t in transcript.turns if t.speaker == "client"]


# --- tables --------------------------------------------------------------------------------


def empty_counts() -> Counts:
    """Zero counts for every ``prev`` x ``move`` cell."""
    return {p: {m: Counter() for m in MOVES} for p in PREVS}


def count(steps: Iterable[tuple[str, str, str]]) -> Counts:
    """Tally ``(prev, move, next)`` triples."""
    out = empty_counts()
    for prev, move, nxt in steps:
        out[prev][move][nxt] += 1
    return out


def _dist(counter: Mapping[str, float]) -> dict[str, float]:
    total = sum(counter.get(t, 0) for t in TALKS)
    if not total:
        return {t: 1 / len(TALKS) for t in TALKS}
    return {t: counter.get(t, 0) / total for t in TALKS}


def smoothed(counts: Counts, pseudo: float = PSEUDO) -> Table:
    """P(next | prev, move) with every cell pulled toward its move's marginal.

    A cell with ``n`` turns gets ``(n_t + pseudo * marginal_t) / (n + pseudo)``; the move's
    marginal (over every ``prev``) is itself pulled toward the overall mix the same way, so a
    move seldom seen still gets a sensible row.
    """
    overall: Counter[str] = Counter()
    for p in PREVS:
        for m in MOVES:
            overall.update(counts[p][m])
    mix = _dist(overall)
    table: Table = {p: {} for p in PREVS}
    for m in MOVES:
        marginal: Counter[str] = Counter()
        for p in PREVS:
            marginal.update(counts[p][m])
        n_m = sum(marginal.values())
        prior = {t: (marginal[t] + pseudo * mix[t]) / (n_m + pseudo) for t in TALKS}
        for p in PREVS:
            cell = counts[p][m]
            n = sum(cell.values())
            table[p][m] = {t: (cell[t] + pseudo * prior[t]) / (n + pseudo) for t in TALKS}
    return table


def raw(counts: Counts) -> Table:
    """Unsmoothed P(next | prev, move) (uniform where a cell is empty)."""
    return {p: {m: _dist(counts[p][m]) for m in MOVES} for p in PREVS}


def cell_n(counts: Counts, prev: str, move: str) -> int:
    """Number of turns in one cell."""
    return sum(counts[prev][move].values())


def mix_of(labels: Iterable[str]) -> dict[str, float]:
    """Share of each talk type (discord counted as sustain)."""
    tally = Counter("sustain" if t == "discord" else t for t in labels)
    return _dist(tally)


def quality_change(per_transcript: Mapping[str, list[str]], quality: Mapping[str, str]) -> dict:
    """Change-talk share by MI quality: pooled over turns, and change / (change + sustain)."""
    out: dict[str, dict[str, float]] = {}
    for q in ("high", "low"):
        labels = [
            "sustain" if t == "discord" else t
            for tid, talk in per_transcript.items()
            if quality[tid] == q
            for t in talk
        ]
        c, s = labels.count("change"), labels.count("sustain")
        out[q] = {
            "change_share": c / len(labels) if labels else 0.0,
            "change_of_valenced": c / (c + s) if c + s else 0.0,
            "turns": len(labels),
        }
    return out


def compare(sim: Counts, real: Counts, min_n: int = MIN_CELL) -> dict[str, Any]:
    """Per-cell |sim - real| over cells with at least ``min_n`` real turns: max and mean."""
    sim_t, real_t = raw(sim), raw(real)
    diffs = {}
    for p in PREVS:
        for m in MOVES:
            if cell_n(real, p, m) >= min_n and cell_n(sim, p, m) > 0:
                diffs[f"{p}|{m}"] = max(abs(sim_t[p][m][t] - real_t[p][m][t]) for t in TALKS)
    worst = max(diffs, key=lambda k: diffs[k]) if diffs else ""
    return {
        "cells": len(diffs),
        "max": max(diffs.values(), default=0.0),
        "mean": statistics.mean(diffs.values()) if diffs else 0.0,
        "worst_cell": worst,
        "per_cell": diffs,
    }


def noise_floor(real: Counts, draws: int = 400, seed: int = 0, min_n: int = MIN_CELL) -> float:
    """Expected max cell difference of a perfect simulator, from the real counts' own noise.

    Each judged cell's real turns are redrawn from its observed shares (parametric
    bootstrap); the figure is the mean over draws of the largest |redrawn - observed|.
    """
    rng = random.Random(seed)
    real_t = raw(real)
    cells = [(p, m) for p in PREVS for m in MOVES if cell_n(real, p, m) >= min_n]
    worst = []
    for _ in range(draws):
        top = 0.0
        for p, m in cells:
            n = cell_n(real, p, m)
            probs = [real_t[p][m][t] for t in TALKS]
            drawn = Counter(rng.choices(TALKS, weights=probs, k=n))
            top = max(top, *(abs(drawn[t] / n - real_t[p][m][t]) for t in TALKS))
        worst.append(top)
    return statistics.mean(worst)


# --- the coder's codes of the therapist turns ----------------------------------------------


class NoCoder(RuntimeError):
    """The trained coder is missing (loading it would train one: about twenty minutes)."""


def _coder_meta() -> Path:
    from scoring.loader import default_model_dir

    meta = default_model_dir() / "meta.json"
    if not meta.exists():
        raise NoCoder(f"no trained coder at {meta.parent}: run `make coder` first")
    return meta


def coded_turns(transcripts: Sequence[Transcript]) -> dict[str, list[Coding]]:
    """Codings of every therapist turn, keyed ``transcript:utterance``; cached in /tmp.

    Each turn is coded with the transcript before it as history (clients as ``patient``,
    therapists as ``trainee``), as the action server codes a trainee turn.
    """
    data_key = hashlib.sha1(
        "".join(f"{t.id}:{u.uid}:{u.text}" for t in transcripts for u in t.turns).encode()
    ).hexdigest()[:10]
    meta = _coder_meta()
    coder_key = hashlib.sha1(meta.read_bytes()).hexdigest()[:10]
    cache = CACHE_DIR / f"client_dynamics_codings_{coder_key}_{data_key}.json"
    if cache.exists():
        stored = json.loads(cache.read_text())
        return {k: [Coding.from_dict(c) for c in v] for k, v in stored.items()}
    from scoring import load_coder

    coder = load_coder(mode="model", model_dir=meta.parent)
    out: dict[str, list[Coding]] = {}
    started = time.perf_counter()
    for number, transcript in enumerate(transcripts, 1):
        history: list[Turn] = []
        for turn in transcript.turns:
            if turn.speaker == "therapist":
                key = f"{transcript.id}:{turn.uid}"
                out[key] = coder.code_turn(turn.text, history=list(history))
            speaker = "trainee" if turn.speaker == "therapist" else "patient"
            history.append(Turn(speaker, turn.text))
        print(f"  coded {number}/{len(transcripts)} transcripts", end="\r", file=sys.stderr)
    took = time.perf_counter() - started
    print(f"  coded {len(out)} therapist turns in {took:.0f} s", file=sys.stderr)
    cache.write_text(json.dumps({k: [c.to_dict() for c in v] for k, v in out.items()}))
    return out


#: A MITI code for each gold label, for replays with a perfect coder (``--gold-codes``).
GOLD_CODE = {
    "open_question": "question_open",
    "closed_question": "question_closed",
    "simple_reflection": "reflection_simple",
    "complex_reflection": "reflection_complex",
    "giving_information": "giving_information",
    "advice_or_persuasion": "persuade",
    "other": "other",
}


def gold_codings(transcripts: Sequence[Transcript]) -> dict[str, list[Coding]]:
    """One coding per therapist turn carrying its gold label: what a perfect coder would say."""
    return {
        f"{t.id}:{u.uid}": [Coding(u.text, GOLD_CODE[u.label], 1.0, "gold label")]
        for t in transcripts
        for u in t.turns
        if u.speaker == "therapist"
    }


# --- the replay ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SimStep:
    """One simulated patient reply to one therapist turn."""

    scenario: str
    transcript: str
    prev: str
    gold: str
    predicted: str
    talk: str


def session_seed(scenario_id: str, transcript_id: str) -> int:
    """Stable across runs and machines (``hash`` of a str is salted per process)."""
    return zlib.crc32(f"{scenario_id}:{transcript_id}".encode())


class MemoEncoder:
    """The packaged all-MiniLM, as the action server hands it to the patient, memoised.

    A replay asks for the same therapist turns and scenario phrasings again and again (four
    scenarios, every fitting round); each text is encoded once and kept in /tmp.
    """

    def __init__(self) -> None:
        from scoring.encoder import MiniLMEncoder

        self.path = CACHE_DIR / "client_dynamics_vectors.pkl"
        self.vectors: dict[str, Any] = {}
        if self.path.exists():
            self.vectors = pickle.loads(self.path.read_bytes())
        self.encoder = MiniLMEncoder()
        self.misses = 0

    def __call__(self, texts: list[str]) -> Any:
        import numpy as np

        missing = [t for t in dict.fromkeys(texts) if t not in self.vectors]
        if missing:
            self.misses += len(missing)
            for text, row in zip(missing, self.encoder.encode(missing), strict=True):
                self.vectors[text] = row
        return np.stack([self.vectors[t] for t in texts]) if texts else np.zeros((0, 1))

    def save(self) -> None:
        """Keep the vectors for the next run."""
        if self.misses:
            self.path.write_bytes(pickle.dumps(self.vectors))
            self.misses = 0


ENCODE: MemoEncoder | None = None


def _engine() -> tuple[Any, Any, Any, dict[str, bool]]:
    from bot.patient import respond, start_state
    from bot.scenario import list_scenarios

    params = inspect.signature(respond).parameters
    takes = {name: name in params for name in ("talk_table", "encode")}
    return respond, start_state, list_scenarios, takes


def simulate(
    transcripts: Sequence[Transcript],
    codings: Mapping[str, list[Coding]],
    table: Table | None,
    scenarios: Sequence[str] | None = None,
) -> list[SimStep]:
    """Replay every transcript's therapist turns against every scenario, in process."""
    from bot.scenario import load_scenario

    respond, start_state, list_scenarios, takes = _engine()
    extra: dict[str, Any] = {}
    if takes["talk_table"] and table is not None:
        extra["talk_table"] = table
    if takes["encode"] and ENCODE is not None:
        extra["encode"] = ENCODE
    steps = []
    for scenario_id in scenarios or list_scenarios():
        scenario = load_scenario(scenario_id)
        for transcript in transcripts:
            state = start_state(scenario, seed=session_seed(scenario_id, transcript.id))
            prev = "start"
            for turn in transcript.turns:
                if turn.speaker != "therapist":
                    continue
                coded = codings[f"{transcript.id}:{turn.uid}"]
                intent = turn_code_of(list(coded))
                reply = respond(scenario, state, coded, text=turn.text, intent=intent, **extra)
                talk = "sustain" if reply.talk == "discord" else reply.talk
                move = move_of(coded)
                steps.append(SimStep(scenario_id, transcript.id, prev, turn.label, move, talk))
                prev, state = talk, reply.state
    if ENCODE is not None:
        ENCODE.save()
    return steps


def sim_counts(steps: Iterable[SimStep], key: str = "gold") -> Counts:
    """Tally simulated replies by ``prev`` and the gold (or predicted) move."""
    return count((s.prev, getattr(s, key), s.talk) for s in steps)


# --- fitting -------------------------------------------------------------------------------


def _normalise(cell: Mapping[str, float], floor: float = 0.01) -> dict[str, float]:
    clipped = {t: max(floor, min(1.0, cell[t])) for t in TALKS}
    total = sum(clipped.values())
    return {t: v / total for t, v in clipped.items()}


def fit(
    transcripts: Sequence[Transcript],
    codings: Mapping[str, list[Coding]],
    iterations: int = 6,
    damping: float = 0.8,
    log: bool = True,
) -> tuple[Table, list[dict[str, float]]]:
    """Fit the engine's table so the replay of ``transcripts`` matches their real clients.

    Start from the real table keyed by the coder's predicted move (which absorbs the coder's
    confusions), then repeat: replay, and move every cell (prev, predicted move) by the mean
    of (real - simulated) over the gold moves the replayed turns of that cell carry, times
    ``damping``; clip at 0.01 and renormalise. Keeps the iterate with the smallest error.
    """
    real = count(s for t in transcripts for s in real_steps(t))
    real_t = smoothed(real)
    pred_real: list[tuple[str, str, str]] = []
    for t in transcripts:
        answered = _answered_moves(t, codings)
        pred_real += [(p, answered[i], n) for i, (p, _, n) in enumerate(real_steps(t))]
    table = smoothed(count(pred_real))
    real_neutral = mix_of(r for t in transcripts for r in client_labels(t))["neutral"]
    best: tuple[float, Table] | None = None
    history = []
    for it in range(iterations + 1):
        steps = simulate(transcripts, codings, table)
        sim = sim_counts(steps)
        score = compare(sim, real)
        err = score["max"] + abs(mix_of(s.talk for s in steps)["neutral"] - real_neutral)
        history.append({"iteration": it, "max": score["max"], "mean": score["mean"], "error": err})
        if log:
            print(
                f"    iteration {it}: max cell diff {score['max']:.3f}, mean {score['mean']:.3f}",
                file=sys.stderr,
            )
        if best is None or err < best[0]:
            best = (err, table)
        if it == iterations:
            break
        sim_t = smoothed(sim)
        weights: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
        for s in steps:
            weights[(s.prev, s.predicted)][s.gold] += 1
        new: Table = {p: {} for p in PREVS}
        for p in PREVS:
            for m in MOVES:
                w = weights.get((p, m))
                if not w:
                    new[p][m] = table[p][m]
                    continue
                total = sum(w.values())
                delta = {
                    t: sum(w[g] * (real_t[p][g][t] - sim_t[p][g][t]) for g in w) / total
                    for t in TALKS
                }
                new[p][m] = _normalise({t: table[p][m][t] + damping * delta[t] for t in TALKS})
        table = new
    assert best is not None
    return best[1], history


def _answered_moves(transcript: Transcript, codings: Mapping[str, list[Coding]]) -> list[str]:
    # The coder's move for each client turn of real_steps, in the same order.
    out, move = [], None
    for turn in transcript.turns:
        if turn.speaker == "therapist":
            move = move_of(codings[f"{transcript.id}:{turn.uid}"])
            continue
        if move is not None:
            out.append(move)
        move = None
    return out


def limits(
    transcripts: Sequence[Transcript], codings: Mapping[str, list[Coding]]
) -> dict[str, dict[str, float]]:
    """How far the table can steer each cell past the engine's own rules.

    Replays with a table that asks for one talk type in every cell (98%); the share the
    patient then gives in each cell (keyed by gold move) is the most of that talk the engine
    lets any table reach there: what is missing was overruled by pressure rules, readiness,
    tilts, discord or answers that are always neutral (facts asked, risk, permission).
    """
    out: dict[str, dict[str, float]] = defaultdict(dict)
    for talk in TALKS:
        table = {
            p: {m: _normalise({t: 0.98 if t == talk else 0.0 for t in TALKS}) for m in MOVES}
            for p in PREVS
        }
        sim = raw(sim_counts(simulate(transcripts, codings, table)))
        for p in PREVS:
            for m in MOVES:
                out[f"{p}|{m}"][talk] = round(sim[p][m][talk], 3)
    return dict(out)


def folds(transcripts: Sequence[Transcript], k: int, seed: int = 0) -> list[list[Transcript]]:
    """Split transcripts into ``k`` groups, high- and low-quality spread evenly."""
    out: list[list[Transcript]] = [[] for _ in range(k)]
    for q in ("high", "low"):
        group = [t for t in transcripts if t.quality == q]
        random.Random(seed).shuffle(group)
        for i, t in enumerate(group):
            out[i % k].append(t)
    return out


def cross_validate(
    transcripts: Sequence[Transcript],
    codings: Mapping[str, list[Coding]],
    k: int = 5,
    iterations: int = 6,
) -> dict[str, Any]:
    """Fit on k-1 folds, replay the held-out fold; no transcript on both sides.

    Cell differences are given per fold (cells with >= MIN_CELL real turns in that fold) and
    pooled (every held-out replay together against the real table of all transcripts, cells
    with >= MIN_CELL real turns): the pooled figure is the one the target is judged on.
    """
    held_steps: list[SimStep] = []
    per_fold = []
    for number, held in enumerate(folds(transcripts, k), 1):
        train = [t for t in transcripts if t not in held]
        print(f"  fold {number}/{k}: fit on {len(train)}, hold out {len(held)}", file=sys.stderr)
        table, _ = fit(train, codings, iterations=iterations)
        steps = simulate(held, codings, table)
        held_steps += steps
        real = count(s for t in held for s in real_steps(t))
        score = compare(sim_counts(steps), real)
        sim_mix = mix_of(s.talk for s in steps)
        real_mix = mix_of(r for t in held for r in client_labels(t))
        per_fold.append(
            {
                "held_out": [t.id for t in held],
                "max_cell_diff": score["max"],
                "mean_cell_diff": score["mean"],
                "cells": score["cells"],
                "mix_diff": max(abs(sim_mix[t] - real_mix[t]) for t in TALKS),
                "neutral": sim_mix["neutral"],
                "noise_floor_max_cell_diff": noise_floor(real, draws=200),
            }
        )
    return {"folds": per_fold, **figures(transcripts, held_steps)}


def figures(transcripts: Sequence[Transcript], steps: Sequence[SimStep]) -> dict[str, Any]:
    """Real vs simulated: table per cell, talk mix, neutral share, high vs low change."""
    real = count(s for t in transcripts for s in real_steps(t))
    sim = sim_counts(steps)
    real_t, sim_t = raw(real), raw(sim)
    quality = {t.id: t.quality for t in transcripts}
    real_mix = mix_of(r for t in transcripts for r in client_labels(t))
    sim_mix = mix_of(s.talk for s in steps)
    per_sim: dict[str, list[str]] = defaultdict(list)
    for s in steps:
        per_sim[s.transcript].append(s.talk)
    score = compare(sim, real)
    return {
        "cells": {
            f"{p}|{m}": {
                "real_n": cell_n(real, p, m),
                "real": {t: round(real_t[p][m][t], 3) for t in TALKS},
                "sim_n": cell_n(sim, p, m),
                "sim": {t: round(sim_t[p][m][t], 3) for t in TALKS},
            }
            for p in PREVS
            for m in MOVES
        },
        "max_cell_diff": round(score["max"], 3),
        "mean_cell_diff": round(score["mean"], 3),
        "cells_judged": score["cells"],
        "noise_floor_max_cell_diff": round(noise_floor(real), 3),
        "worst_cell": score["worst_cell"],
        "mix_real": {t: round(v, 3) for t, v in real_mix.items()},
        "mix_sim": {t: round(v, 3) for t, v in sim_mix.items()},
        "mix_diff": round(max(abs(sim_mix[t] - real_mix[t]) for t in TALKS), 3),
        "neutral_sim": round(sim_mix["neutral"], 3),
        "quality_real": quality_change({t.id: client_labels(t) for t in transcripts}, quality),
        "quality_sim": quality_change(per_sim, quality),
    }


def print_figures(title: str, fig: Mapping[str, Any]) -> None:
    """The table real vs simulated, per cell with n, then the mix and the quality contrast."""
    print(f"\n{title}")
    head = ("prev", "move", "n real", "real c/n/s", "n sim", "sim c/n/s")
    print("{:8} {:21} {:>6}  {:>16}  {:>6}  {:>16}  diff".format(*head))
    for key, cell in fig["cells"].items():
        prev, move = key.split("|")
        if not cell["real_n"] and not cell["sim_n"]:
            continue
        r = "/".join(f"{cell['real'][t]:.2f}" for t in TALKS)
        s = "/".join(f"{cell['sim'][t]:.2f}" for t in TALKS)
        diff = max(abs(cell["real"][t] - cell["sim"][t]) for t in TALKS)
        mark = "" if cell["real_n"] >= MIN_CELL else "  (few)"
        print(
            f"{prev:8} {move:21} {cell['real_n']:>6}  {r:>16}  {cell['sim_n']:>6}  {s:>16}  "
            f"{diff:.2f}{mark}"
        )
    print(
        f"cells with >= {MIN_CELL} real turns: {fig['cells_judged']}; |sim - real| max "
        f"{fig['max_cell_diff']:.3f} ({fig['worst_cell']}), mean {fig['mean_cell_diff']:.3f}; "
        f"a perfect simulator would show about {fig['noise_floor_max_cell_diff']:.3f} "
        "(sampling noise of the real cells)"
    )
    mr, ms = fig["mix_real"], fig["mix_sim"]
    print(
        "talk mix c/n/s: real "
        + "/".join(f"{mr[t]:.2f}" for t in TALKS)
        + ", sim "
        + "/".join(f"{ms[t]:.2f}" for t in TALKS)
        + f"; max diff {fig['mix_diff']:.3f}; neutral share (sim) {fig['neutral_sim']:.3f}"
    )
    for side in ("real", "sim"):
        q = fig[f"quality_{side}"]
        print(
            f"change talk {side:4}: high-quality {q['high']['change_share']:.3f} "
            f"(of change+sustain {q['high']['change_of_valenced']:.3f}), low-quality "
            f"{q['low']['change_share']:.3f} ({q['low']['change_of_valenced']:.3f})"
        )


def load_table(path: Path = TABLE_PATH) -> Table | None:
    """The shipped table's probabilities (``None`` when the file is absent)."""
    if not path.exists():
        return None
    data = json.loads(path.read_text())["table"]
    return {p: {m: {t: float(data[p][m][t]) for t in TALKS} for m in MOVES} for p in PREVS}


def write_table(
    path: Path,
    table: Table,
    n: Counts,
    transcripts: Sequence[Transcript],
    method: Mapping[str, Any],
    cv: Mapping[str, Any] | None,
) -> None:
    """Write the fitted table with its provenance (counts and figures only, never text)."""
    clients = sum(len(client_labels(t)) for t in transcripts)
    provenance = {
        "generated_by": "benchmarks/client_dynamics.py --fit - do not edit by hand",
        "source": SOURCE,
        "transcripts": len(transcripts),
        "transcripts_by_quality": dict(Counter(t.quality for t in transcripts)),
        "client_turns": clients,
        "client_turns_in_table": sum(cell_n(n, p, m) for p in PREVS for m in MOVES),
        "therapist_turns": sum(t.speaker == "therapist" for tr in transcripts for t in tr.turns),
        "date": date.today().isoformat(),
        "keys": (
            "prev: the patient's previous talk (start before its first reply; the engine "
            "counts its own discord as sustain); move: scoring.EVAL_LABEL of the coded "
            "trainee turn (scoring.turn_code_of)"
        ),
        "n": (
            "real client turns of the cell, keyed by the coder's move for the therapist turn "
            "they answer"
        ),
        "method": dict(method),
    }
    if cv is not None:
        provenance["cross_validation"] = cv
    body = {
        p: {
            m: {**{t: round(table[p][m][t], 4) for t in TALKS}, "n": cell_n(n, p, m)} for m in MOVES
        }
        for p in PREVS
    }
    for p in PREVS:  # rounding must not break the sum
        for m in MOVES:
            cell = body[p][m]
            cell["neutral"] = round(1 - cell["change"] - cell["sustain"], 4)
    path.write_text(json.dumps({"provenance": provenance, "table": body}, indent=1) + "\n")


def _cv_summary(cv: Mapping[str, Any], k: int) -> dict[str, Any]:
    return {
        "folds": k,
        "grouping": "by transcript (no transcript on both sides)",
        "pooled_max_cell_diff": cv["max_cell_diff"],
        "pooled_mean_cell_diff": cv["mean_cell_diff"],
        "pooled_cells_judged": cv["cells_judged"],
        "pooled_min_real_turns_per_cell": MIN_CELL,
        "per_fold_max_cell_diff": [round(f["max_cell_diff"], 3) for f in cv["folds"]],
        "per_fold_noise_floor": [round(f["noise_floor_max_cell_diff"], 3) for f in cv["folds"]],
        "pooled_noise_floor": cv["noise_floor_max_cell_diff"],
        "mix_diff": cv["mix_diff"],
        "neutral_share": cv["neutral_sim"],
        "change_share_high": round(cv["quality_sim"]["high"]["change_share"], 3),
        "change_share_low": round(cv["quality_sim"]["low"]["change_share"], 3),
    }


def _head() -> str:
    import subprocess

    done = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    )
    return done.stdout.strip() or "unknown"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval", type=Path, default=EVAL_DIR, help="folder with the AnnoMI CSVs")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--fit", action="store_true", help="refit and write the shipped table")
    parser.add_argument("--table", type=Path, default=TABLE_PATH)
    parser.add_argument(
        "--limits", action="store_true", help="also show how far a table can steer each cell"
    )
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--iterations", type=int, default=6)
    parser.add_argument(
        "--gold-codes",
        action="store_true",
        help="replay the gold labels instead of the coder's codes (a perfect coder; "
        "separates the engine's distortions from the coder's)",
    )
    parser.add_argument(
        "--words-only",
        action="store_true",
        help="replay without the sentence encoder (the patient then reads words only)",
    )
    args = parser.parse_args(argv)
    if not (args.eval / "annomi_dev_client.csv").exists():
        print(f"client dynamics: skipped, no evaluation data at {args.eval}")
        return 0

    transcripts = load_transcripts(args.eval)
    real = count(s for t in transcripts for s in real_steps(t))
    try:
        codings = gold_codings(transcripts) if args.gold_codes else coded_turns(transcripts)
    except NoCoder as exc:
        print(f"client dynamics: {exc}")
        return 1
    global ENCODE
    if not args.words_only:
        ENCODE = MemoEncoder()
    out: dict[str, Any] = {
        "source": SOURCE,
        "date": date.today().isoformat(),
        "patient_reads_meaning": not args.words_only,
        "codes": "gold labels" if args.gold_codes else "the project's coder",
    }
    if args.fit:
        cv = cross_validate(transcripts, codings, args.folds, args.iterations)
        print_figures(f"Held-out replay ({args.folds}-fold, grouped by transcript)", cv)
        for number, fold in enumerate(cv["folds"], 1):
            print(
                f"  fold {number}: max cell diff {fold['max_cell_diff']:.3f} over "
                f"{fold['cells']} cells with >= {MIN_CELL} real turns in the fold (noise floor "
                f"{fold['noise_floor_max_cell_diff']:.3f}); mix diff {fold['mix_diff']:.3f}; "
                f"neutral {fold['neutral']:.3f}"
            )
        out["cross_validation"] = cv
        table, history = fit(transcripts, codings, iterations=args.iterations)
        pred_n = count(
            (p, m, n)
            for t in transcripts
            for (p, _, n), m in zip(real_steps(t), _answered_moves(t, codings), strict=True)
        )
        method = {
            "start": "real P(next | prev, coder's move), smoothed",
            "smoothing": f"pseudo-count {PSEUDO:g} toward the move's marginal (itself toward "
            "the overall mix)",
            "calibration": (
                f"{args.iterations} rounds: replay every transcript against every shipped "
                "scenario, move each cell by the mean (real - simulated) of the gold moves it "
                "carried, damping 0.8, clip at 0.01, renormalise; keep the best round"
            ),
            "fit_rounds": history,
            "patient_reads_meaning": not args.words_only,
            "codes": (
                "gold labels as codes (a perfect coder): an interim fit, refit with the "
                "trained coder"
                if args.gold_codes
                else "the project's trained coder (models/coder), as the action server codes"
            ),
            "engine_commit": _head(),
        }
        write_table(args.table, table, pred_n, transcripts, method, _cv_summary(cv, args.folds))
        print(f"\nwrote {args.table}")
    table = load_table(args.table)
    steps = simulate(transcripts, codings, table)
    label = "shipped table" if table is not None else "no table"
    fig = figures(transcripts, steps)
    print_figures(f"All {len(transcripts)} transcripts replayed ({label}; in-sample)", fig)
    out["in_sample"] = fig
    if args.limits:
        reach = limits(transcripts, codings)
        out["limits"] = reach
        print("\nMost of each talk type any table can reach, per cell (c/n/s), with real shares")
        for key, cell in fig["cells"].items():
            if cell["real_n"] >= 10:  # the advice cells too
                top = "/".join(f"{reach[key][t]:.2f}" for t in TALKS)
                real_shares = "/".join(f"{cell['real'][t]:.2f}" for t in TALKS)
                print(f"  {key:30} reachable {top}   real {real_shares}")
    out["real_counts"] = {f"{p}|{m}": dict(real[p][m]) for p in PREVS for m in MOVES}
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
