"""Starts the action server, the Rasa server and the trainer app on 127.0.0.1 (make run).

Ctrl-C stops all three. Ports and files can be changed through the environment:
RASA_PORT, ACTION_PORT, APP_PORT, RASA_TOKEN, VAR_DIR.
"""

from __future__ import annotations

import os
import secrets
import signal
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot import services  # noqa: E402  (needs the repository on sys.path first)


def main() -> int:
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
    # Ctrl-C and SIGTERM both stop cleanly; SIGINT is set explicitly because a parent that
    # started us in the background may have left it ignored.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        print("Starting the action server, the Rasa server and the app (logs in var/logs/) ...")
        t0 = time.monotonic()
        actions = services.start_action_server(action_port, var / "logs")
        started.append(actions)
        rasa = services.start_rasa_server(
            model, rasa_port, action_port, var / "tracker.db", token, var / "logs"
        )
        started.append(rasa)
        app = services.start_app(app_port, rasa.url, token, var / "app.db", var / "logs")
        started.append(app)
        services.wait_until_ready(actions, "/health")
        services.wait_until_ready(rasa, f"/status?token={token}")
        services.wait_until_ready(app, "/_stcore/health")
        print(f"Ready in {time.monotonic() - t0:.0f} s.")
        print(f"\n  Open the trainer app:  {app.url}\n\nPress Ctrl-C to stop.")
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
        services.stop(started)
        print("All services stopped.")


if __name__ == "__main__":
    sys.exit(main())
