"""How long a patient reply takes to appear in the browser: headless chromium, the real app.

A trainee logs in, opens a session and sends ``--turns`` turns; each is timed from the key
press to the reply on screen. With ``--model`` the real Rasa and action servers answer; without
it, a stand-in answers at once with payloads of Rasa's shape (the patient's text, then the
coded turn; the tracker grows with each turn), so the figure is the app's and the browser's
own part of the wait. Prints p50/p95/max in milliseconds; ``--json`` writes them.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.tools import services  # noqa: E402
from trainer_ui.accounts import Accounts  # noqa: E402
from trainer_ui.store import Store  # noqa: E402

PASSWORD = "benchmark-password"
SCENARIO = "reluctant_psychiatric"


class StandIn(BaseHTTPRequestHandler):
    """Rasa's REST webhook and tracker endpoints, answering at once."""

    events: dict[str, list[dict[str, Any]]] = {}

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        sender, text = body["sender"], body["message"]
        events = self.events.setdefault(sender, [])
        events.append({"event": "user", "text": text})
        if text.startswith("/start_session"):
            events.append({"event": "slot", "name": "scenario_id", "value": SCENARIO})
            events.append({"event": "bot", "text": "I don't know why I'm here.", "data": {}})
            self._json([{"recipient_id": sender, "text": "I don't know why I'm here."}])
            return
        reply = f"Answer {len(events)} to: {text}"
        coding = {"text": text, "code": "question_open", "confidence": 0.8,
                  "reason": "open question", "probabilities": {"question_open": 0.8}}  # fmt: skip
        turn = {"codings": [coding], "talk": "change", "state": {"rapport": 3.0,
                "discord": 1.0}, "changes": ["rapport steady"]}  # fmt: skip
        events.append({"event": "bot", "text": reply, "data": {"custom": {"turn": turn}}})
        self._json([{"recipient_id": sender, "text": reply}, {"recipient_id": sender,
                    "custom": {"turn": turn}}])  # fmt: skip

    def do_GET(self) -> None:
        if self.path.startswith("/status"):
            self._json({})
            return
        sender = self.path.split("/conversations/")[1].split("/")[0]
        self._json({"events": self.events.get(sender, [])})

    def _json(self, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


def measure(app_url: str, session_id: str, turns: int) -> list[float]:
    """Milliseconds from pressing Enter to the reply on screen, one per turn."""
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    times = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(60_000)
        page.goto(app_url)
        page.get_by_label("User name").fill("tina")
        page.get_by_role("textbox", name="Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.get_by_text("Logged in as tina").wait_for()
        # Opened from My sessions, as a trainee returning to a session would.
        page.get_by_role("link", name="My sessions").click()
        page.locator(f".st-key-open-{session_id} button").click()
        page.get_by_text("Practice session").wait_for()
        messages = page.locator('[data-testid="stChatMessage"]')
        for number in range(turns):
            before = messages.count()
            box = page.get_by_placeholder("Your response to the patient")
            box.fill(f"What would make turn {number} worthwhile for you?")
            start = time.perf_counter()
            box.press("Enter")
            # The trainee's message and the patient's reply are both on screen.
            page.wait_for_function(
                "n => document.querySelectorAll('[data-testid=\"stChatMessage\"]').length >= n",
                arg=before + 2,
            )
            times.append((time.perf_counter() - start) * 1000)
        browser.close()
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=20)
    parser.add_argument("--model", type=Path, help="a trained Rasa model: use the real servers")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        stand_in = bot = None
        if args.model:
            bot = services.start_bot(args.model, work)
            rasa_url, token = bot.rasa.url, bot.client.token
        else:
            stand_in = ThreadingHTTPServer(("127.0.0.1", 0), StandIn)
            threading.Thread(target=stand_in.serve_forever, daemon=True).start()
            rasa_url, token = f"http://127.0.0.1:{stand_in.server_address[1]}", "stand-in"
        store = Store(f"sqlite:///{work / 'app.db'}")
        Accounts(store).create("admin", PASSWORD, "admin")
        tina = Accounts(store).create("tina", PASSWORD, "trainee")
        session = store.create_session(SCENARIO, tina.id)
        from bot.client import RasaClient

        RasaClient(rasa_url, token).start_session(session.id, SCENARIO)
        app = services.start_app(services.free_port(), rasa_url, token, work / "app.db", work)
        try:
            services.wait_until_ready(app, "/_stcore/health", timeout=120)
            times = measure(app.url, session.id, args.turns)
        finally:
            services.stop([app])
            if bot:
                bot.stop()
            if stand_in:
                stand_in.shutdown()
    ordered = sorted(times)
    result = {
        "turns": len(times),
        "rasa": "real" if args.model else "stand-in",
        "p50_ms": round(statistics.median(times)),
        "p95_ms": round(ordered[max(0, int(round(0.95 * len(ordered))) - 1)]),
        "max_ms": round(ordered[-1]),
        "all_ms": [round(t) for t in times],
    }
    print(json.dumps(result, indent=1))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
