"""Starts the action server, the Rasa server and the trainer app on 127.0.0.1 (make run).

Ctrl-C, closing the terminal (SIGHUP) or SIGTERM stop all three; should this launcher be
killed outright, its servers get SIGTERM from the kernel (`bot.tools.services`). Ports and files can
be changed through the environment: RASA_PORT, ACTION_PORT, APP_PORT, RASA_TOKEN, VAR_DIR.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from bot.tools import services  # noqa: E402  (needs the repository on sys.path first)
from trainer_ui import setup_code  # noqa: E402


def first_run_code(var: Path, app_db: Path) -> str | None:
    """A fresh set-up code while the app has no account yet (None once it has one)."""
    path = var / "setup-code"
    engine = sa.create_engine(f"sqlite:///{app_db}")
    try:
        if setup_code.has_users(engine):
            path.unlink(missing_ok=True)
            return None
    finally:
        engine.dispose()
    return setup_code.write_code(path)


def main() -> int:
    # Everything this run creates (databases, logs, the set-up code) is its owner's alone.
    os.umask(0o077)
    var = Path(os.environ.get("VAR_DIR", ROOT / "var"))
    model = ROOT / "models" / "patient.tar.gz"
    if not model.exists():
        print("error: no trained model at models/patient.tar.gz: run `make run` or `make train`")
        return 1
    rasa_port = int(os.environ.get("RASA_PORT", "5005"))
    action_port = int(os.environ.get("ACTION_PORT", "5055"))
    app_port = int(os.environ.get("APP_PORT", "8501"))
    # A fresh secret each run unless one is given: Rasa's HTTP API is never open.
    token = os.environ.get("RASA_TOKEN") or secrets.token_urlsafe(24)

    started: list[services.Service] = []
    # Ctrl-C, SIGTERM and a closed terminal (SIGHUP) all stop cleanly; SIGINT is set
    # explicitly because a parent that started us in the background may have left it ignored.
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, signal.default_int_handler)
    try:
        for port, variable in ((action_port, "ACTION_PORT"), (rasa_port, "RASA_PORT"),
                               (app_port, "APP_PORT")):  # fmt: skip
            services.check_port_free(port, variable)
        # State from older runs may predate the umask: password hashes and transcripts.
        services.make_private(var)
        code = first_run_code(var, var / "app.db")
        print("Starting the action server, the Rasa server and the app (logs in var/logs/) ...")
        t0 = time.monotonic()
        actions = services.start_action_server(action_port, var / "logs")
        started.append(actions)
        rasa = services.start_rasa_server(
            model, rasa_port, action_port, var / "tracker.db", token, var / "logs"
        )
        started.append(rasa)
        app = services.start_app(
            app_port, rasa.url, token, var / "app.db", var / "logs", var / "setup-code"
        )
        started.append(app)
        services.wait_until_ready(actions, "/health")
        services.wait_until_ready(rasa, f"/status?token={token}")
        services.wait_until_ready(app, "/_stcore/health")
        print(f"Ready in {time.monotonic() - t0:.0f} s.")
        print(f"\n  Open the trainer app:  {app.url}\n")
        if code:
            print(f"  First run: the app asks for this one-time set-up code:  {code}\n")
        print("Press Ctrl-C to stop.")
        while all(service.process.poll() is None for service in started):
            time.sleep(1)
        dead = next(s for s in started if s.process.poll() is not None)
        print(f"error: {dead.name} stopped unexpectedly:\n{dead.log_tail()}")
        return 1
    except KeyboardInterrupt:
        print("\nStopping ...")
        return 0
    except (RuntimeError, TimeoutError) as error:
        print(f"error: {error}")
        return 1
    finally:
        # A closed terminal cannot be written to: stopping must not fail on a print.
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        services.stop(started)
        with contextlib.suppress(OSError):
            print("All services stopped.")


if __name__ == "__main__":
    sys.exit(main())
