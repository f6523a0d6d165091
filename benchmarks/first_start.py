"""Time a new user's first `make run` from a fresh clone, then a warm restart.

The clone gets its own `.venv` and models, so this is the whole first start: the locked
install (pip's download cache may be warm, nothing else), `rasa train`, the coder's
training, and the services coming up. The time is taken when `make run` prints the app's
address; the run is then stopped with Ctrl-C (SIGINT) and started again for the warm figure.

Usage (from the repo root; takes several minutes, 8 GB of disk):
    .venv/bin/python benchmarks/first_start.py [--repo .] [--workdir /tmp/mi-first-start]
        [--json results/first_start.json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
READY = "Open the trainer app"


def timed_run(clone: Path, log: Path, limit: float) -> float:
    """Seconds from `make run` to the address; the run is stopped afterwards."""
    start = time.monotonic()
    with log.open("w") as out:
        run = subprocess.Popen(
            ["make", "run"], cwd=clone, stdout=out, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
    try:
        while READY not in log.read_text(errors="replace"):
            if run.poll() is not None:
                raise RuntimeError(f"make run stopped (exit {run.returncode}); see {log}")
            if time.monotonic() - start > limit:
                raise RuntimeError(f"no address after {limit:.0f} s; see {log}")
            time.sleep(0.5)
        return time.monotonic() - start
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGINT)
            run.wait(timeout=60)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, default=ROOT)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/mi-first-start"))
    parser.add_argument("--limit", type=float, default=3600, help="give up after (s)")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    shutil.rmtree(args.workdir, ignore_errors=True)
    args.workdir.mkdir(parents=True)
    clone = args.workdir / "main"
    subprocess.run(["git", "clone", "-q", str(args.repo), str(clone)], check=True)
    shared = args.repo.resolve().parent / "shared"
    if shared.is_dir():  # the layout CI uses; the first start does not read it
        shutil.copytree(shared, args.workdir / "shared")
    print(f"first `make run` in {clone} (logs in {args.workdir}) ...", flush=True)
    cold = timed_run(clone, args.workdir / "cold.log", args.limit)
    print(f"cold: address after {cold:.0f} s", flush=True)
    warm = timed_run(clone, args.workdir / "warm.log", args.limit)
    print(f"warm: address after {warm:.0f} s", flush=True)
    result = {"cold_s": round(cold, 1), "warm_s": round(warm, 1), "cores": os.cpu_count()}
    meta = clone / "models" / "coder" / "meta.json"
    if meta.exists():
        result["coder_fine_tune_s"] = json.loads(meta.read_text())["fine_tuning"].get("seconds")
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
