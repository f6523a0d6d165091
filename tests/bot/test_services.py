"""The launcher's safety nets: ports, private state, the token off the command line, no orphans."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.server import rasa_server
from bot.tools import services

ROOT = Path(__file__).resolve().parents[2]


def test_a_held_port_is_named_with_what_to_do() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as held:
        held.bind((services.HOST, 0))
        held.listen()
        port = held.getsockname()[1]
        with pytest.raises(services.PortInUse) as refused:
            services.check_port_free(port, "APP_PORT")
    message = str(refused.value)
    assert f"port {port}" in message and f"APP_PORT={port + 1} make run" in message
    services.check_port_free(port, "APP_PORT")  # free again once released


def test_state_from_older_runs_is_made_private(tmp_path: Path) -> None:
    var = tmp_path / "var"
    (var / "logs").mkdir(parents=True)
    for name in ("app.db", "tracker.db", "logs/app.log"):
        (var / name).write_text("x")
        os.chmod(var / name, 0o644)
    os.chmod(var, 0o755)
    services.make_private(var)
    modes = {
        str(path.relative_to(tmp_path)): stat.S_IMODE(path.stat().st_mode)
        for path in [var, *var.rglob("*")]
    }
    assert modes == {
        "var": 0o700,
        "var/logs": 0o700,
        "var/app.db": 0o600,
        "var/tracker.db": 0o600,
        "var/logs/app.log": 0o600,
    }


def test_the_token_joins_rasas_arguments_inside_the_process_only() -> None:
    environ = {rasa_server.TOKEN_ENV: "-starts-with-a-dash", "OTHER": "1"}
    arguments = rasa_server.rasa_arguments(["run", "--enable-api"], environ)
    assert arguments == ["run", "--enable-api", "--auth-token=-starts-with-a-dash"]
    # Rasa's own children (and anything they log) do not inherit it.
    assert environ == {"OTHER": "1"}
    with pytest.raises(SystemExit, match="RASA_API_TOKEN"):
        rasa_server.rasa_arguments(["run"], {})


LAUNCHER = """
import sys, time
from pathlib import Path
from bot.tools import services
child = services.start_process(
    "sleeper", [sys.executable, "-c", "import time; time.sleep(120)"], "", Path(sys.argv[1]),
    services.base_env(),
)
print(child.process.pid, flush=True)
time.sleep(120)
"""


def test_servers_die_with_a_launcher_that_is_killed_outright(tmp_path: Path) -> None:
    launcher = subprocess.Popen(
        [sys.executable, "-c", LAUNCHER, str(tmp_path)],
        cwd=ROOT,
        env=services.base_env(),
        stdout=subprocess.PIPE,
        text=True,
    )
    assert launcher.stdout is not None
    child = int(launcher.stdout.readline())
    os.kill(child, 0)  # running
    # Files the service creates are its owner's alone (the umask set for each child).
    assert stat.S_IMODE((tmp_path / "sleeper.log").stat().st_mode) == 0o600
    launcher.kill()  # SIGKILL: no handler of the launcher's runs
    launcher.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            return
        # A dead child stays a zombie until init reaps it; its state says so.
        try:
            if Path(f"/proc/{child}/stat").read_text().split()[2] == "Z":
                return
        except FileNotFoundError:
            return
        time.sleep(0.1)
    os.kill(child, 9)
    pytest.fail("the service outlived its launcher")
