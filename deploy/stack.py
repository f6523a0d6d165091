"""Starts the scaled set-up: N Rasa servers and M action servers, each group behind one front.

    python -m deploy.stack --model models/patient.tar.gz --rasa 2 --actions 2 [--scaled]

``--scaled`` uses `deploy/endpoints.scaled.yml` (PostgreSQL tracker store, Redis lock store),
reading the connection settings from the environment (see docs/deployment.md); without it
every instance shares the SQLite tracker database, which only suits one instance.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bot.client import RasaClient
from bot.tools import services

SCALED_ENDPOINTS = Path(__file__).resolve().parent / "endpoints.scaled.yml"


@dataclass
class Stack:
    """The running set-up; ``client`` talks to the front, ``rasa`` lists the instances."""

    front: services.Service
    action_front: services.Service
    rasa: list[services.Service]
    actions: list[services.Service]
    token: str
    client: RasaClient
    tracker_db: Path
    all: list[services.Service] = field(default_factory=list)

    def instance_client(self, index: int) -> RasaClient:
        """A client for one Rasa instance, bypassing the front."""
        return RasaClient(self.rasa[index].url, self.token)

    def stop(self) -> None:
        """Stops every service of the stack."""
        services.stop(self.all)


def start_stack(
    model: Path,
    workdir: Path,
    rasa_count: int = 2,
    action_count: int = 1,
    endpoints: Path | None = None,
    env: dict[str, str] | None = None,
    retry_seconds: float = 10.0,
) -> Stack:
    """Starts action servers, Rasa servers and their fronts on free loopback ports.

    Args:
        model: a trained model archive.
        workdir: logs (and the SQLite tracker database, when used) go here.
        rasa_count: Rasa instances behind the front.
        action_count: action servers behind the action front.
        endpoints: an endpoints file; the SQLite `endpoints.yml` by default.
        env: variables the endpoints file reads (e.g. TRACKER_DB_URL settings, REDIS_*).
        retry_seconds: how long each front retries refused connections before giving up.
    """
    log_dir = workdir / "logs"
    tracker_db = workdir / "tracker.db"
    token = os.environ.get("RASA_TOKEN") or secrets.token_urlsafe(16)
    started: list[services.Service] = []
    try:
        actions = [
            services.start_action_server(services.free_port(), log_dir, f"actions-{i + 1}")
            for i in range(action_count)
        ]
        started += actions
        action_front = services.start_front(
            services.free_port(),
            [a.url for a in actions],
            log_dir,
            "action-front",
            check_turns=False,
            retry_seconds=retry_seconds,
        )
        started.append(action_front)
        action_port = int(action_front.url.rsplit(":", 1)[1])
        rasa = [
            services.start_rasa_server(
                model,
                services.free_port(),
                action_port,
                tracker_db,
                token,
                log_dir,
                endpoints,
                f"rasa-{i + 1}",
                **(env or {}),
            )
            for i in range(rasa_count)
        ]
        started += rasa
        front = services.start_front(
            services.free_port(), [r.url for r in rasa], log_dir, retry_seconds=retry_seconds
        )
        started.append(front)
        for service in actions:
            services.wait_until_ready(service, "/health")
        for service in rasa:
            services.wait_until_ready(service, f"/status?token={token}")
        services.wait_until_ready(front, f"/status?token={token}")
        services.wait_until_ready(action_front, "/health")
    except Exception:
        services.stop(started)
        raise
    client = RasaClient(front.url, token)
    return Stack(front, action_front, rasa, actions, token, client, tracker_db, started)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> None:
    """Starts the stack and keeps it up until Ctrl-C."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=services.ROOT / "models/patient.tar.gz")
    parser.add_argument("--rasa", type=int, default=2, help="Rasa instances")
    parser.add_argument("--actions", type=int, default=2, help="action servers")
    parser.add_argument("--scaled", action="store_true", help="PostgreSQL + Redis endpoints")
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="stack-"))
    endpoints = SCALED_ENDPOINTS if args.scaled else None
    stack = start_stack(args.model, workdir, args.rasa, args.actions, endpoints)
    print(f"front {stack.front.url}  (logs in {workdir / 'logs'}; Ctrl-C stops all)")
    if "RASA_TOKEN" not in os.environ:
        print(f"HTTP API token (set RASA_TOKEN to choose it): {stack.token}")
    signal.signal(signal.SIGTERM, _interrupt)  # a supervisor's stop ends every child too
    try:
        while all(s.process.poll() is None for s in stack.all):
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        stack.stop()


if __name__ == "__main__":
    main()
