"""Measures the simulated patients through the real Rasa server and actions (make bench-patient).

1. Per scenario, an MI-consistent and an MI-inconsistent script of the same length: share of
   change talk, final rapport and discord.
2. Per scenario, the therapist turns of every AnnoMI development transcript replayed as one
   session: mean change-talk share of high- vs low-quality transcripts (evaluation only).
3. Turn latency through the REST channel (trainee message in, coded patient reply out), and
   the patient model's own step, in process.
4. The scenarios' own probes (test dialogues marked `probe`: facts, a question after a
   reflection, leave to share, risk): the share answered with the expected content, in
   process with the real coder and the encoder the action server reads meaning with.

The talk dynamics against real clients (transition table, talk mix) are measured by
`benchmarks/client_dynamics.py`, which `make bench-patient` runs next.
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from bot.client import RasaClient
from bot.patient import respond, start_state
from bot.patient.replay import PinnedCoding, run_dialogue
from bot.patient.understand import reader
from bot.scenario import list_scenarios, load_scenario
from bot.scenario.dialogues import load_dialogues
from bot.tools import services
from bot.tools.replay import replay
from scoring import Turn, load_coder

EVAL = services.ROOT.parent / "shared" / "eval" / "annomi_dev_therapist.csv"

# Written for this benchmark; scenario-neutral so one pair of scripts serves every patient.
CONSISTENT = [
    "Thanks for coming in. What would you like to talk about today?",
    "It sounds like you didn't entirely choose to be here.",
    "What's been hardest for you lately?",
    "So part of you wants things to stay as they are, and part of you is worn out by all this.",
    "You've kept going through a lot, and that took real strength.",
    "What would you want to be different a year from now?",
    "You're weighing what you'd lose against what you might get back.",
    "How does this fit with what matters most to you?",
    "It's your decision, and you know your life best.",
    "What would a first small step look like, if you took one?",
    "You care about the people around you, and that seems to be part of why this matters.",
    "Would it be okay if I shared something other people in your situation have found useful?",
]
INCONSISTENT = [
    "You need to sort this out before it gets any worse.",
    "Why don't you just do what your doctor tells you?",
    "That's just an excuse.",
    "If you carry on like this you'll end up in hospital.",
    "You should stop completely, starting today.",
    "Are you going to take this seriously or not?",
    "You're not being honest with yourself.",
    "Everyone else manages it, so you can too.",
    "You have to stop making excuses.",
    "Do you want to end up worse off than you are now?",
    "I'm telling you this for your own good: change now.",
    "You really should listen to the people who are trying to help you.",
]


def share(records: list[dict[str, Any]], talk: str) -> float:
    talks = [r["talk"] for r in records if r.get("talk")]
    return talks.count(talk) / len(talks) if talks else 0.0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


class TimedClient(RasaClient):
    """A client that records the wall time of every trainee turn and its place in the session."""

    def __init__(self, client: RasaClient) -> None:
        super().__init__(client.base_url, client.token, client.timeout)
        self.latencies_ms: list[float] = []
        self.turn_numbers: list[int] = []
        self._turns: dict[str, int] = defaultdict(int)

    def say(self, session_id: str, text: str) -> list[dict[str, Any]]:
        started = time.perf_counter()
        messages = super().say(session_id, text)
        if not text.startswith("/"):
            self.latencies_ms.append((time.perf_counter() - started) * 1000)
            self._turns[session_id] += 1
            self.turn_numbers.append(self._turns[session_id])
        return messages

    def by_session_length(self, limit: int) -> tuple[list[float], list[float]]:
        """Latencies of turns up to ``limit`` into a session, and of the turns after."""
        pairs = list(zip(self.turn_numbers, self.latencies_ms, strict=True))
        return [ms for n, ms in pairs if n <= limit], [ms for n, ms in pairs if n > limit]


def scripts(client: RasaClient, scenarios: list[str], seeds: int) -> dict[str, Any]:
    results = {}
    print(f"\n1. MI-consistent vs MI-inconsistent scripts (12 turns each, mean of {seeds} seeds)")
    print(f"{'scenario':28} {'change share':>18} {'final rapport':>16} {'final discord':>16}")
    for scenario in scenarios:
        row: dict[str, Any] = {}
        for kind, script in (("consistent", CONSISTENT), ("inconsistent", INCONSISTENT)):
            # Fixed session ids seed the patient, so every run of the benchmark is the same.
            runs = [
                replay(client, scenario, script, f"bench-{scenario}-{kind}-{seed}")
                for seed in range(seeds)
            ]
            per_seed = {
                "change_share": [share(records, "change") for records in runs],
                "rapport": [records[-1]["state"]["rapport"] for records in runs],
                "discord": [records[-1]["state"]["discord"] for records in runs],
            }
            row[kind] = {key: statistics.mean(values) for key, values in per_seed.items()}
            row[kind]["per_seed"] = per_seed
        c, i = row["consistent"], row["inconsistent"]
        pairs = zip(c["per_seed"]["change_share"], i["per_seed"]["change_share"], strict=True)
        row["seeds_with_2x_change"] = sum(good >= 2 * bad and good > 0 for good, bad in pairs)
        results[scenario] = row
        print(
            f"{scenario:28} {c['change_share']:>8.0%} vs {i['change_share']:>5.0%}"
            f" {c['rapport']:>8.1f} vs {i['rapport']:>4.1f}"
            f" {c['discord']:>8.1f} vs {i['discord']:>4.1f}"
            f"   (2x change talk in {row['seeds_with_2x_change']}/{seeds} seeds)"
        )
    return results


def annomi(client: RasaClient, scenarios: list[str], path: Path) -> dict[str, Any]:
    transcripts: dict[str, list[str]] = defaultdict(list)
    quality: dict[str, str] = {}
    with path.open(encoding="utf-8") as rows:
        for row in sorted(
            csv.DictReader(rows), key=lambda r: (r["transcript_id"], int(r["utterance_id"]))
        ):
            transcripts[row["transcript_id"]].append(row["text"])
            quality[row["transcript_id"]] = row["mi_quality"]
    print(f"\n2. AnnoMI development transcripts replayed ({len(transcripts)} transcripts)")
    print(f"{'scenario':28} {'high-quality change share':>26} {'low-quality':>12}")
    results = {}
    for scenario in scenarios:
        shares: dict[str, list[float]] = defaultdict(list)
        for number, (transcript_id, texts) in enumerate(sorted(transcripts.items()), start=1):
            records = replay(client, scenario, texts, f"bench-{scenario}-{transcript_id}")
            shares[quality[transcript_id]].append(share(records, "change"))
            print(
                f"  {scenario}: {number}/{len(transcripts)} transcripts", end="\r", file=sys.stderr
            )
        high, low = statistics.mean(shares["high"]), statistics.mean(shares["low"])
        results[scenario] = {
            "high": high,
            "low": low,
            "n_high": len(shares["high"]),
            "n_low": len(shares["low"]),
        }
        print(f"{scenario:28} {high:>26.1%} {low:>12.1%}")
    return results


def patient_step_ms(scenarios: list[str], turns: int = 200) -> list[float]:
    """Wall time of `respond` alone, the patient model's share of a turn."""
    codes = ["question_open", "reflection_complex", "persuade", "affirm", "question_closed"]
    times = []
    for scenario_id in scenarios:
        scenario = load_scenario(scenario_id)
        state = start_state(scenario)
        for number in range(turns):
            text = "So your sleep and your work are both suffering?"
            coding = PinnedCoding(text, codes[number % len(codes)])
            started = time.perf_counter()
            reply = respond(scenario, state, [coding], text=text, intent=coding.code)
            times.append((time.perf_counter() - started) * 1000)
            state = reply.state
    return times


def probes(scenarios: list[str]) -> dict[str, Any]:
    """Share of each scenario's probes answered with the expected content, by probe kind."""
    coder = load_coder(mode="model")

    def code_turn(text: str, history: list[tuple[str, str]]) -> Any:
        return coder.code_turn(text, history=[Turn(s, t) for s, t in history])

    print("\n4. Probes: questions answered with the expected content (in process)")
    results: dict[str, Any] = {}
    for scenario_id in scenarios:
        scenario = load_scenario(scenario_id)
        row: dict[str, Any] = defaultdict(lambda: {"passed": 0, "total": 0, "failures": []})
        for dialogue in load_dialogues(scenario_id):
            if not dialogue.probe:
                continue
            failures = run_dialogue(scenario, dialogue, code_turn, reader()).failures
            cell = row[dialogue.probe]
            cell["total"] += 1
            cell["passed"] += not failures
            cell["failures"] += [f"{dialogue.name}: {f}" for f in failures]
        results[scenario_id] = dict(row)
        passed = sum(c["passed"] for c in row.values())
        total = sum(c["total"] for c in row.values())
        kinds = "  ".join(f"{k} {c['passed']}/{c['total']}" for k, c in sorted(row.items()))
        print(f"  {scenario_id:28} {passed}/{total} ({passed / max(total, 1):.0%})  {kinds}")
        for cell in row.values():
            for failure in cell["failures"]:
                print(f"    missed: {failure}")
    passed = sum(c["passed"] for r in results.values() for c in r.values())
    total = sum(c["total"] for r in results.values() for c in r.values())
    results["all"] = {"passed": passed, "total": total, "share": passed / max(total, 1)}
    print(f"  {'all scenarios':28} {passed}/{total} ({passed / max(total, 1):.0%})")
    return results


def distribution(values: list[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "p50": percentile(values, 0.50),
        "p95": percentile(values, 0.95),
        "p99": percentile(values, 0.99),
        "max": max(values),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=services.ROOT / "models" / "patient.tar.gz")
    parser.add_argument("--eval", type=Path, default=EVAL, help="AnnoMI therapist CSV")
    parser.add_argument("--skip-annomi", action="store_true")
    parser.add_argument("--seeds", type=int, default=5, help="sessions per script and scenario")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--probes-only", action="store_true", help="only section 4")
    args = parser.parse_args(argv)
    if args.probes_only:
        shares = probes(list_scenarios())
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps({"probes": shares}, indent=2))
        return 0
    if not args.model.exists():
        parser.error(f"no trained model at {args.model}: run `make train` first")

    bot = services.start_bot(args.model, Path(tempfile.mkdtemp(prefix="bench-")))
    try:
        client = TimedClient(bot.client)
        scenarios = list_scenarios()
        client.say("warm-up", "hello")  # the first turn warms up Rasa's TensorFlow graphs
        client.latencies_ms.clear()
        client.turn_numbers.clear()
        figures: dict[str, Any] = {"scripts": scripts(client, scenarios, args.seeds)}
        if not args.skip_annomi and args.eval.exists():
            figures["annomi"] = annomi(client, scenarios, args.eval)
        elif not args.skip_annomi:
            print(f"\n2. skipped: {args.eval} not found")
    finally:
        bot.stop()

    figures["latency_ms"] = distribution(client.latencies_ms)
    # A practice session is 20-40 turns; some replayed transcripts run past 100.
    early, late = client.by_session_length(40)
    figures["latency_ms_turns_1_40"] = distribution(early)
    if late:
        figures["latency_ms_turns_after_40"] = distribution(late)
    figures["patient_step_ms"] = distribution(patient_step_ms(scenarios))
    figures["probes"] = probes(scenarios)
    print("\n3. Turn latency through the REST channel (ms, warm, coding included)")
    for key, label in (
        ("latency_ms", "all turns"),
        ("latency_ms_turns_1_40", "turns 1-40 of a session"),
        ("latency_ms_turns_after_40", "turns after the 40th"),
    ):
        if key in figures:
            line = "  ".join(f"{k} {v:.0f}" for k, v in figures[key].items())
            print(f"  {label:24} {line}")
    print("   Patient model step alone, in process (ms)")
    print("  " + "  ".join(f"{k} {v:.2f}" for k, v in figures["patient_step_ms"].items()))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
