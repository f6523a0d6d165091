"""Starts, checks and stops the project's servers as child processes, bound to 127.0.0.1.

Used by `scripts/run.py` (make run) and by the end-to-end tests, so both run the services
the same way.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import requests

from bot.client import RasaClient
from bot.scenario.loader import ROOT_ENV
from bot.server import rasa_server

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
#: The variable that carries Rasa's API token to `bot.server.rasa_server`: process arguments are
#: readable by every local user (`ps`), a process's environment only by its owner.
TOKEN_ENV = rasa_server.TOKEN_ENV
# prctl(2): the signal a child gets when the process that started it dies.
_PR_SET_PDEATHSIG = 1
_LIBC = (
    ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True) if sys.platform == "linux" else None
)


class PortInUse(RuntimeError):
    """A port a service needs is held by another program; the message says what to do."""


@dataclass
class Service:
    """A running child process and where it answers."""

    name: str
    process: subprocess.Popen[bytes]
    url: str
    log_path: Path
    # Kept so restart() can bring the same service back on the same port (fault tests).
    command: tuple[str, ...] = ()
    env: dict[str, str] | None = None

    def log_tail(self, lines: int = 30) -> str:
        """The end of the service's log, for error messages."""
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


def free_port() -> int:
    """A TCP port that is free on the loopback interface right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def check_port_free(port: int, variable: str) -> None:
    """Fails with a message naming the port, and what to do, when something else holds it.

    Args:
        port: the loopback port a service is about to use.
        variable: the environment variable that chooses another port, e.g. ``APP_PORT``.

    Raises:
        PortInUse: the port cannot be bound on 127.0.0.1.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((HOST, port))
        except OSError:
            raise PortInUse(
                f"port {port} on {HOST} is already in use by another program, perhaps a "
                f"`make run` that is still running. Stop that program (`ss -ltnp 'sport = "
                f":{port}'` shows which one) or choose another port, e.g. "
                f"`{variable}={port + 1} make run`."
            ) from None


def make_private(path: Path) -> None:
    """Makes a state folder and everything in it readable and writable by its owner only."""
    path.mkdir(parents=True, exist_ok=True)
    for folder, _, files in os.walk(path):
        os.chmod(folder, 0o700)
        for name in files:
            file = Path(folder) / name
            if not file.is_symlink():
                os.chmod(file, 0o600)


def _child_setup(parent: int, die_with_parent: bool) -> None:
    """Runs in each child between fork and exec (``preexec_fn``)."""
    # Files a service creates (databases, their journals, logs) are its owner's alone.
    os.umask(0o077)
    if _LIBC is not None and die_with_parent:
        # The child is stopped when the launcher dies, however it dies (SIGKILL included):
        # no server outlives `make run` or a test session to hold its port.
        _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        if os.getppid() != parent:  # the launcher died before prctl took effect
            os._exit(1)


def base_env(**extra: str) -> dict[str, str]:
    """The environment for a child: offline models, the repository importable."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.setdefault("HF_HUB_OFFLINE", "1")
    env.setdefault("TRANSFORMERS_OFFLINE", "1")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.update(extra)
    return env


def start_process(
    name: str, command: Sequence[str], url: str, log_dir: Path, env: dict[str, str]
) -> Service:
    """Starts ``command`` as the service ``name``, logging to ``<log_dir>/<name>.log``.

    The child gets its own process group, owner-only files and, when started from the main
    thread, dies with the process that started it.
    """
    log_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    log_path = log_dir / f"{name}.log"
    # Appending keeps the log of a service's earlier lives when restart() brings it back.
    # Logs quote what trainees typed: owner-only, like the databases.
    descriptor = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    launcher = os.getpid()
    # The kernel ties "die with the parent" to the thread that started the child, not to the
    # process: a server restarted from a short-lived thread (the fault tests) would be
    # stopped when that thread ends. Only servers started from the main thread get it.
    main = threading.current_thread() is threading.main_thread()
    with os.fdopen(descriptor, "ab") as log:
        # A new process group lets stop() end the service's own children too.
        process = subprocess.Popen(
            list(command),
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=lambda: _child_setup(launcher, main),
        )
    return Service(name, process, url, log_path, tuple(command), env)


def restart(service: Service) -> Service:
    """Starts a stopped (or killed) service again with the same command, port and log."""
    if service.process.poll() is None:
        raise RuntimeError(f"{service.name} is still running")
    if service.env is None:
        raise RuntimeError(f"{service.name} was not started by this module")
    return start_process(
        service.name, service.command, service.url, service.log_path.parent, service.env
    )


def kill(service: Service) -> None:
    """Kills a service at once (SIGKILL), as a crash or an out-of-memory kill would."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(service.process.pid, 9)
    service.process.wait()


def start_action_server(port: int, log_dir: Path, name: str = "actions") -> Service:
    """The rasa-sdk action server; SANIC_HOST keeps it off every interface but loopback."""
    command = [sys.executable, "-m", "rasa_sdk", "--actions", "bot.actions", "--port", str(port)]
    env = base_env(SANIC_HOST=HOST)
    # One torch thread per action server: with two, encoding a turn on a busy 2-core machine
    # went from 31 ms to 54 ms at the median and 399 ms at worst (docs/benchmarks.md).
    # Scale out with more action servers instead. The environment may still override it.
    env.setdefault("OMP_NUM_THREADS", "1")
    env.setdefault("MKL_NUM_THREADS", "1")
    return start_process(name, command, f"http://{HOST}:{port}", log_dir, env)


def start_rasa_server(
    model: Path,
    port: int,
    action_port: int,
    tracker_db: Path,
    token: str,
    log_dir: Path,
    endpoints: Path | None = None,
    name: str = "rasa",
    action_retry_seconds: float | None = None,
    **extra_env: str,
) -> Service:
    """The Rasa server with the REST channel and the token-protected HTTP API.

    Args:
        model: a trained model archive.
        port: the loopback port to answer on.
        action_port: where the action server (or the balancer of several) answers.
        tracker_db: the SQLite tracker database (unused by the PostgreSQL endpoints).
        token: the token that protects the HTTP API.
        log_dir: where ``<name>.log`` goes.
        endpoints: an endpoints file; ``endpoints.yml`` (SQLite, no lock store) by default.
        name: the service's name in logs, e.g. ``rasa-1`` when several run.
        action_retry_seconds: how long Rasa keeps calling when no action server takes a call
            (`bot.server.action_endpoint`; 10 s unless given).
        **extra_env: variables the endpoints file reads (database and Redis settings).
    """
    tracker_db.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    # bot.server.rasa_server is `rasa run` with the token taken from the environment (TOKEN_ENV).
    command = [
        sys.executable, "-m", "bot.server.rasa_server", "run",
        "--model", str(model),
        "--interface", HOST,
        "--port", str(port),
        "--credentials", str(ROOT / "credentials.yml"),
        "--endpoints", str(endpoints or ROOT / "endpoints.yml"),
        "--enable-api",
    ]  # fmt: skip
    env = base_env(
        ACTION_SERVER_URL=f"http://{HOST}:{action_port}/webhook",
        TRACKER_DB=str(tracker_db),
        **{TOKEN_ENV: token},
        **extra_env,
    )
    # TensorFlow's thread pools sized for the whole machine fight the action server's torch
    # under load; one thread each keeps the latency tail short (docs/benchmarks.md).
    env.setdefault("TF_INTRA_OP_PARALLELISM_THREADS", "1")
    env.setdefault("TF_INTER_OP_PARALLELISM_THREADS", "1")
    if action_retry_seconds is not None:
        env[rasa_server.ACTION_RETRY_ENV] = str(action_retry_seconds)
    return start_process(name, command, f"http://{HOST}:{port}", log_dir, env)


def start_app(
    port: int,
    rasa_url: str,
    token: str,
    app_db: Path,
    log_dir: Path,
    setup_code_file: Path | None = None,
    scenarios_dir: Path | None = None,
) -> Service:
    """The Streamlit trainer app.

    Args:
        setup_code_file: where the first-run page finds its one-time code (`scripts/run.py`
            writes it); passed in the environment, as the token is, never as an argument.
        scenarios_dir: the scenarios folder the app lists and publishes to (default: the
            checkout's ``scenarios/``).
    """
    command = [
        sys.executable, "-m", "streamlit", "run", str(ROOT / "trainer_ui" / "streamlit_app.py"),
        "--server.address", HOST,
        "--server.port", str(port),
        "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
        "--client.toolbarMode", "minimal",
        # No tracebacks in the browser: the app logs them with an id it shows instead.
        "--client.showErrorDetails", "none",
    ]  # fmt: skip
    env = base_env(RASA_URL=rasa_url, RASA_TOKEN=token, APP_DATABASE_URL=f"sqlite:///{app_db}")
    if setup_code_file is not None:
        env["APP_SETUP_CODE_FILE"] = str(setup_code_file)
    if scenarios_dir is not None:
        env[ROOT_ENV] = str(scenarios_dir)
    return start_process("app", command, f"http://{HOST}:{port}", log_dir, env)


def wait_until_ready(service: Service, path: str = "/", timeout: float = 180.0) -> None:
    """Polls the service until it answers; fails early, with its log, if it dies."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if service.process.poll() is not None:
            raise RuntimeError(
                f"{service.name} exited with code {service.process.returncode}:\n"
                f"{service.log_tail()}"
            )
        try:
            if requests.get(service.url + path, timeout=2).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise TimeoutError(
        f"{service.name} did not answer within {timeout:.0f} s:\n{service.log_tail()}"
    )


def stop(services: Sequence[Service], timeout: float = 15.0) -> None:
    """Stops services, newest first: politely, then firmly."""
    for service in reversed(services):
        if service.process.poll() is None:
            try:
                os.killpg(service.process.pid, 15)
            except ProcessLookupError:
                continue
    for service in reversed(services):
        try:
            service.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(service.process.pid, 9)
            service.process.wait()


@dataclass
class Bot:
    """A running Rasa server with its action server, and a client for it."""

    client: RasaClient
    rasa: Service
    actions: Service
    tracker_db: Path

    def stop(self) -> None:
        """Stops both servers."""
        stop([self.actions, self.rasa])


def start_bot(model: Path, workdir: Path, tracker_db: Path | None = None) -> Bot:
    """Starts the action server and the Rasa server on free loopback ports and waits for both.

    Args:
        model: a trained model archive.
        workdir: where logs (and, unless given, the tracker database) go.
        tracker_db: an existing tracker database to resume sessions from.
    """
    token = secrets.token_urlsafe(16)
    log_dir = workdir / "logs"
    tracker_db = tracker_db or workdir / "tracker.db"
    action_port, rasa_port = free_port(), free_port()
    actions = start_action_server(action_port, log_dir)
    rasa = start_rasa_server(model, rasa_port, action_port, tracker_db, token, log_dir)
    try:
        wait_until_ready(actions, "/health")
        wait_until_ready(rasa, f"/status?token={token}")
    except Exception:
        stop([actions, rasa])
        raise
    return Bot(RasaClient(rasa.url, token), rasa, actions, tracker_db)
