"""Starts the scaled set-up: N Rasa servers and M action servers behind Debian's nginx.

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
from dataclasses import dataclass, field, replace
from pathlib import Path

from bot.client import RasaClient
from bot.tools import services
from deploy.backing import ensure_installed
from deploy.nginx import BalancerConfig, start_balancer

SCALED_ENDPOINTS = Path(__file__).resolve().parent / "endpoints.scaled.yml"


@dataclass
class Stack:
    """The running set-up; ``client`` talks to nginx, ``rasa`` lists the instances.

    ``front`` is nginx, its URL Rasa's address; ``action_url`` is its address for Rasa's calls
    to the action servers.
    """

    front: services.Service
    action_url: str
    rasa: list[services.Service]
    actions: list[services.Service]
    token: str
    client: RasaClient
    tracker_db: Path
    all: list[services.Service] = field(default_factory=list)

    def instance_client(self, index: int) -> RasaClient:
        """A client for one Rasa instance, bypassing nginx."""
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
    """Starts action servers, Rasa servers and nginx in front of both on free loopback ports.

    Args:
        model: a trained model archive.
        workdir: logs, nginx's state folder (and the SQLite tracker database, when used) go here.
        rasa_count: Rasa instances behind nginx.
        action_count: action servers behind nginx.
        endpoints: an endpoints file; the SQLite `endpoints.yml` by default.
        env: variables the endpoints file reads (e.g. TRACKER_DB_URL settings, REDIS_*).
        retry_seconds: how long Rasa keeps calling when no action server takes a call
            (``ACTION_RETRY_SECONDS``, see `bot.server.action_endpoint`).
    """
    ensure_installed(["nginx"])
    log_dir = workdir / "logs"
    tracker_db = workdir / "tracker.db"
    token = os.environ.get("RASA_TOKEN") or secrets.token_urlsafe(16)
    ports = _free_ports(rasa_count + action_count + 2)
    rasa_ports, action_ports = ports[:rasa_count], ports[rasa_count:-2]
    balancer = BalancerConfig(
        [f"http://{services.HOST}:{port}" for port in rasa_ports],
        [f"http://{services.HOST}:{port}" for port in action_ports],
        workdir / "nginx",
        rasa_port=ports[-2],
        action_port=ports[-1],
    )
    started: list[services.Service] = []
    try:
        actions = [
            services.start_action_server(port, log_dir, f"actions-{i + 1}")
            for i, port in enumerate(action_ports)
        ]
        started += actions
        rasa = [
            services.start_rasa_server(
                model,
                port,
                balancer.action_port,
                tracker_db,
                token,
                log_dir,
                endpoints,
                f"rasa-{i + 1}",
                action_retry_seconds=retry_seconds,
                **(env or {}),
            )
            for i, port in enumerate(rasa_ports)
        ]
        started += rasa
        front = start_balancer(balancer, log_dir)
        started.append(front)
        for service in actions:
            services.wait_until_ready(service, "/health")
        for service in rasa:
            services.wait_until_ready(service, f"/status?token={token}")
        services.wait_until_ready(front, f"/status?token={token}")
        # The same nginx answers for the action servers at its second address.
        services.wait_until_ready(replace(front, url=balancer.action_url), "/health")
    except Exception:
        services.stop(started)
        raise
    client = RasaClient(front.url, token)
    return Stack(front, balancer.action_url, rasa, actions, token, client, tracker_db, started)


def _free_ports(count: int) -> list[int]:
    # Every port is chosen before any server starts (nginx's config names them all), so the
    # same free port must not be handed out twice.
    ports: list[int] = []
    while len(ports) < count:
        port = services.free_port()
        if port not in ports:
            ports.append(port)
    return ports


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
    print(f"nginx {stack.front.url}  (logs in {workdir / 'logs'}; Ctrl-C stops all)")
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
