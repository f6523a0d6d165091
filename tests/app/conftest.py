"""AppTest fixtures: a fresh database per test, the Rasa client faked, the rules coder."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from bot.client import RasaClient, RasaUnavailable
from scoring import Coding, load_coder
from session_record import Exchange, Transcript
from trainer_ui.accounts import Accounts, User
from trainer_ui.app_state import TOKEN_KEY
from trainer_ui.login_sessions import LoginSessions
from trainer_ui.store import Store

APP = str(Path(__file__).resolve().parents[2] / "trainer_ui" / "streamlit_app.py")
PASSWORD = "correct horse battery"


class FakeRasa(RasaClient):
    """The real client with Rasa's answers faked: records what the pages send.

    ``say`` is the client's own (its checks run); each turn is answered as the REST channel
    answers, the patient's text and the coded-turn payload as two messages.
    """

    def __init__(self, transcript: Transcript | None = None) -> None:
        super().__init__("http://fake-rasa.invalid", "unused")
        self.sent: list[tuple[str, str]] = []
        self.transcript_value = transcript or Transcript()
        self.transcript_reads = 0
        self.deleted: list[str] = []
        #: Set to make calls fail as a stopped Rasa server would.
        self.down = False

    def start_session(self, session_id: str, scenario_id: str) -> list[dict]:
        self.sent.append((session_id, f"start {scenario_id}"))
        return []

    def _send(self, session_id: str, text: str) -> list[dict[str, Any]]:
        if self.down:
            raise RasaUnavailable("The patient server at fake is not answering (ConnectionError).")
        self.sent.append((session_id, text))
        turn = {"codings": [coding(text, "question_open").to_dict()], "talk": "change"}
        return [
            {"recipient_id": session_id, "text": f"Reply {len(self.sent)}."},
            {"recipient_id": session_id, "custom": {"turn": turn}},
        ]

    def end_session(self, session_id: str) -> list[dict]:
        self.sent.append((session_id, "end"))
        return []

    def transcript(self, session_id: str) -> Transcript:
        self.transcript_reads += 1
        return self.transcript_value

    def delete_session(self, session_id: str) -> None:
        if self.down:
            raise RasaUnavailable("The patient server at fake is not answering (ConnectionError).")
        self.deleted.append(session_id)


def coding(text: str, code: str, confidence: float = 0.8) -> Coding:
    """A coding as the coder would return it."""
    return Coding(
        text, code, confidence, f"{code}: test", {code: confidence, "other": 1 - confidence}
    )


def ended_transcript() -> Transcript:
    """A short ended session: an open question, a complex reflection, a closed question."""
    return Transcript(
        scenario_id="reluctant_psychiatric",
        opening="I don't know why I'm here.",
        exchanges=[
            Exchange(
                "What brings you in?",
                [coding("What brings you in?", "question_open")],
                "My GP.",
                "neutral",
                {"rapport": 3.0, "discord": 2.0},
                ["turn 1: rapport steady"],
            ),
            Exchange(
                "You're not sure it's worth it.",
                [coding("You're not sure it's worth it.", "reflection_complex")],
                "Maybe.",
                "change",
                {"rapport": 4.0, "discord": 1.5},
                ["turn 2: rapport rose 3.0 -> 4.0 after a complex reflection"],
            ),
            Exchange(
                "Do you drink every night?",
                [coding("Do you drink every night?", "question_closed")],
                "Yes.",
                "sustain",
                {"rapport": 3.5, "discord": 2.0},
                [],
            ),
        ],
        ended=True,
    )


@dataclass
class Harness:
    """One app database and fake Rasa, and a way to run the app as a user."""

    store: Store
    accounts: Accounts
    rasa: FakeRasa = field(default_factory=FakeRasa)

    def user(self, name: str, role: str, supervisor: User | None = None) -> User:
        """Creates an account."""
        return self.accounts.create(name, PASSWORD, role, supervisor.id if supervisor else None)

    def login(self, at: AppTest, user: User) -> str:
        """Logs ``user`` in on ``at`` as the login form would; returns the token."""
        token = LoginSessions(self.store.engine).start(user.id)
        at.session_state[TOKEN_KEY] = token
        return token

    def run(
        self,
        user: User | None = None,
        page: str | None = None,
        query: dict[str, str] | None = None,
        before: Callable[[AppTest], Any] | None = None,
    ) -> AppTest:
        """Runs the app (logged in as ``user``) and, if given, switches to ``page``."""
        at = AppTest.from_file(APP, default_timeout=60)
        if user is not None:
            self.login(at, user)
        for key, value in (query or {}).items():
            at.query_params[key] = value
        at.run()
        if page:
            at.switch_page(f"app_pages/{page}.py")
            for key, value in (query or {}).items():
                at.query_params[key] = value
            at.run()
        return at

    def ended_session(self, owner: User, transcript: Transcript | None = None) -> str:
        """An ended session of ``owner`` with its transcript frozen."""
        transcript = transcript or ended_transcript()
        session = self.store.create_session("reluctant_psychiatric", owner.id)
        self.store.end_session(session.id, transcript)
        return session.id


@pytest.fixture()
def harness(tmp_path, monkeypatch):
    """A fresh app database, the fake Rasa and the fast rules coder, patched in."""
    url = f"sqlite:///{tmp_path / 'app.db'}"
    monkeypatch.setenv("APP_DATABASE_URL", url)
    monkeypatch.setenv("RASA_TOKEN", "unused")
    # Cached resources outlive an AppTest run: each test gets its own database and fake.
    st.cache_resource.clear()
    store = Store(url)
    h = Harness(store, Accounts(store), FakeRasa(ended_transcript()))
    rules = load_coder("rules")
    with (
        mock.patch("bot.client.RasaClient.from_env", return_value=h.rasa),
        mock.patch("trainer_ui.app_state.load_coder", return_value=rules),
    ):
        yield h
    st.cache_resource.clear()
