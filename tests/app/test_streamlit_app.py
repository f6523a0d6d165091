"""The trainer app's page, headless, with the Rasa client replaced by a recording fake."""

from __future__ import annotations

from pathlib import Path
from unittest import mock

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from bot.scenario import load_scenario
from bot.transcript import Exchange, Transcript
from scoring import Coding
from trainer_ui.store import Store

APP = str(Path(__file__).resolve().parents[2] / "trainer_ui" / "streamlit_app.py")


class FakeRasa:
    """Records what the page sends and answers with a fixed transcript."""

    def __init__(self, transcript: Transcript) -> None:
        self.sent: list[tuple[str, str]] = []
        self.transcript_value = transcript

    def start_session(self, session_id: str, scenario_id: str) -> list[dict]:
        self.sent.append((session_id, f"start {scenario_id}"))
        return []

    def say(self, session_id: str, text: str) -> list[dict]:
        self.sent.append((session_id, text))
        return []

    def end_session(self, session_id: str) -> list[dict]:
        self.sent.append((session_id, "end"))
        return []

    def transcript(self, session_id: str) -> Transcript:
        return self.transcript_value


def coding(text: str, code: str) -> Coding:
    return Coding(text, code, 0.8, f"{code}: test", {code: 0.8, "other": 0.2})


ENDED = Transcript(
    scenario_id="reluctant_psychiatric",
    opening="I don't know why I'm here.",
    exchanges=[
        Exchange(
            "What brings you in?",
            [coding("What brings you in?", "question_open")],
            "My GP.",
            "neutral",
        ),
        Exchange(
            "You're not sure it's worth it.",
            [coding("You're not sure it's worth it.", "reflection_complex")],
            "Maybe.",
            "change",
        ),
    ],
    ended=True,
)


@pytest.fixture()
def app(tmp_path, monkeypatch):
    monkeypatch.setenv("APP_DATABASE_URL", f"sqlite:///{tmp_path / 'app.db'}")
    monkeypatch.setenv("RASA_TOKEN", "unused")
    # Cached resources outlive an AppTest run: each test gets its own database and fake.
    st.cache_resource.clear()

    def run(transcript: Transcript, session: str | None = None):
        fake = FakeRasa(transcript)
        with mock.patch("bot.client.RasaClient.from_env", return_value=fake):
            at = AppTest.from_file(APP, default_timeout=30)
            if session:
                at.query_params["session"] = session
            at.run()
        return at, fake

    return run


def test_home_page_offers_the_scenarios_with_brief_and_goal(app) -> None:
    at, _ = app(Transcript())

    assert not at.exception
    assert load_scenario("reluctant_psychiatric").title in at.sidebar.selectbox[0].options
    assert any("Change goal" in md.value for md in at.sidebar.markdown)


def test_starting_a_session_opens_it_for_the_chosen_scenario(app) -> None:
    fake = FakeRasa(Transcript(opening="Hello."))
    with mock.patch("bot.client.RasaClient.from_env", return_value=fake):
        at = AppTest.from_file(APP, default_timeout=30).run()
        at.sidebar.selectbox[0].select("reluctant_psychiatric").run()
        at.sidebar.button[0].click().run()

    assert not at.exception
    session_id, message = fake.sent[0]
    assert message == "start reluctant_psychiatric"
    assert at.query_params["session"] == [session_id]


def test_unknown_session_id_gets_a_clear_message(app) -> None:
    at, _ = app(ENDED, session="no-such-session")

    assert [e.value for e in at.error] == ["There is no session with that id."]


def test_ended_session_shows_figures_and_every_coded_utterance(app, tmp_path) -> None:
    session = Store(f"sqlite:///{tmp_path / 'app.db'}").create_session("reluctant_psychiatric")

    at, _ = app(ENDED, session=session.id)

    assert not at.exception
    assert at.title[0].value == "Your fidelity report"
    figures, utterances = (table.value for table in at.table)
    assert any("MITI 4.2.1" in name for name in figures["Figure"])
    assert list(utterances["Code"]) == ["question_open", "reflection_complex"]
