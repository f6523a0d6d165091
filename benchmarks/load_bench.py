"""Load test on loopback: many simulated trainees at once, each a whole session (make bench-load).

Every trainee starts a session, sends ``--turns`` turns with a random think time between them,
and ends it. Reported per set-up: turn latency p50/p95/p99, turns per second, errors (a turn
answered with anything but a patient reply), and lost events (a session whose transcript, read
back from the tracker store afterwards, does not hold exactly the turns sent, in order, each
answered and coded).

Set-ups: ``single`` is the default of one machine (one Rasa server, one action server, SQLite,
no balancer); ``scaled`` is the documented deployment (two Rasa servers and two action servers
behind nginx, PostgreSQL tracker store, Redis lock store).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from bot.client import RasaClient
from bot.tools import services

sys.path.insert(0, str(Path(__file__).resolve().parent))
from patient_bench import CONSISTENT, INCONSISTENT, percentile  # noqa: E402

SCENARIOS = [
    "reluctant_psychiatric",
    "substance_harm_reduction",
    "eating_disorder",
    "antipsychotic_ambivalence",
]


@dataclass
class Results:
    """What every trainee saw, gathered across threads."""

    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    sent: dict[str, list[str]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def error(self, message: str) -> None:
        with self.lock:
            self.errors.append(message)


def trainee(
    index: int, url: str, turns: int, think: tuple[float, float], run: str, results: Results
) -> None:
    """One simulated trainee: a whole session through the REST channel."""
    rng = random.Random(index)
    session = f"{run}-{index:03d}"
    script = CONSISTENT + INCONSISTENT
    rng.shuffle(script)
    texts = [f"{script[i % len(script)]} ({i + 1})" for i in range(turns)]
    http = requests.Session()

    def say(text: str) -> tuple[float, Any]:
        start = time.perf_counter()
        response = http.post(
            url + "/webhooks/rest/webhook",
            json={"sender": session, "message": text},
            timeout=120,
        )
        elapsed = (time.perf_counter() - start) * 1000
        if response.status_code != 200:
            return elapsed, f"HTTP {response.status_code}: {response.text[:120]}"
        return elapsed, response.json()

    try:
        time.sleep(rng.uniform(0, think[1]))  # trainees do not all arrive in the same instant
        _, opening = say(f'/start_session{{"scenario_id": "{SCENARIOS[index % len(SCENARIOS)]}"}}')
        if not isinstance(opening, list) or not any("text" in m for m in opening):
            results.error(f"{session} start: {opening}")
            return
        with results.lock:
            results.sent[session] = texts
        for text in texts:
            time.sleep(rng.uniform(*think))
            elapsed, answer = say(text)
            with results.lock:
                results.latencies_ms.append(elapsed)
            if not isinstance(answer, list) or not any("text" in m for m in answer):
                results.error(f"{session}: {answer}")
        say("/end_session")
    except requests.RequestException as error:
        results.error(f"{session}: {error!r}")


def lost_events(client: RasaClient, sent: dict[str, list[str]]) -> list[str]:
    """Sessions whose stored transcript differs from what the trainee sent."""
    lost = []
    for session, texts in sent.items():
        transcript = client.transcript(session)
        said = [e.trainee_text for e in transcript.exchanges]
        answered = all(e.codings and e.patient_text for e in transcript.exchanges)
        if said != texts or not answered or not transcript.ended:
            lost.append(session)
    return lost


def run_load(
    url: str, client: RasaClient, trainees: int, turns: int, think: tuple[float, float], run: str
) -> dict[str, Any]:
    """Runs every trainee at once and returns the figures."""
    results = Results()
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=trainees) as pool:
        for index in range(trainees):
            pool.submit(trainee, index, url, turns, think, run, results)
    wall = time.perf_counter() - start
    lost = lost_events(client, results.sent)
    values = results.latencies_ms or [0.0]
    return {
        "trainees": trainees,
        "turns_each": turns,
        "think_s": list(think),
        "turns": len(results.latencies_ms),
        "wall_s": round(wall, 1),
        "throughput_turns_per_s": round(len(results.latencies_ms) / wall, 2),
        "latency_ms": {
            "p50": round(percentile(values, 0.50)),
            "p95": round(percentile(values, 0.95)),
            "p99": round(percentile(values, 0.99)),
            "mean": round(statistics.mean(values)),
            "max": round(max(values)),
        },
        "errors": len(results.errors),
        "error_examples": results.errors[:5],
        "sessions_with_lost_events": len(lost),
    }


def warm_up(client: RasaClient, times: int) -> None:
    """Loads the coder in every action server before anything is measured."""
    for i in range(times):
        client.start_session(f"warm-{i}", SCENARIOS[0])
        client.say(f"warm-{i}", "What brings you here today?")


def bench_single(model: Path, args: argparse.Namespace) -> dict[str, Any]:
    bot = services.start_bot(model, Path(tempfile.mkdtemp(prefix="load-single-")))
    try:
        warm_up(bot.client, 2)
        return run_load(bot.rasa.url, bot.client, args.trainees, args.turns, args.think, "single")
    finally:
        bot.stop()


def bench_scaled(model: Path, args: argparse.Namespace) -> dict[str, Any]:
    from deploy.backing import start_backing
    from deploy.stack import SCALED_ENDPOINTS, start_stack

    backing = start_backing()
    try:
        stack = start_stack(
            model,
            Path(tempfile.mkdtemp(prefix="load-scaled-")),
            rasa_count=2,
            action_count=2,
            endpoints=SCALED_ENDPOINTS,
            env=backing.env,
        )
        try:
            warm_up(stack.client, 4)
            url = stack.front.url
            return run_load(url, stack.client, args.trainees, args.turns, args.think, "scaled")
        finally:
            stack.stop()
    finally:
        backing.stop()


def machine() -> str:
    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        names = [ln.split(":", 1)[1].strip() for ln in cpuinfo.read_text().splitlines()
                 if ln.startswith("model name")]  # fmt: skip
        cpu = names[0] if names else cpu
    return f"{platform.system()} {platform.release()}, {os.cpu_count()} cores, {cpu}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=services.ROOT / "models" / "patient.tar.gz")
    parser.add_argument("--setup", choices=["single", "scaled", "both"], default="both")
    parser.add_argument("--trainees", type=int, default=50)
    parser.add_argument("--turns", type=int, default=20)
    parser.add_argument(
        "--think", type=float, nargs=2, default=(2.0, 6.0), metavar=("MIN", "MAX"),
        help="seconds a trainee waits before each turn, uniform between MIN and MAX",
    )  # fmt: skip
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    args.think = tuple(args.think)
    if not args.model.exists():
        parser.error(f"no trained model at {args.model}: run `make train` first")

    figures: dict[str, Any] = {"machine": machine(), "command": " ".join(sys.argv)}
    if args.setup in {"single", "both"}:
        figures["single"] = bench_single(args.model, args)
    if args.setup in {"scaled", "both"}:
        figures["scaled"] = bench_scaled(args.model, args)
    print(json.dumps(figures, indent=2))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2))
    failed = any(
        figures[s]["errors"] or figures[s]["sessions_with_lost_events"]
        for s in ("single", "scaled")
        if s in figures
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
