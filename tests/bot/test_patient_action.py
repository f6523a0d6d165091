"""The patient action without a trained coder: an error the app shows, never a silent train."""

from __future__ import annotations

import asyncio
from unittest import mock

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import patient
from bot.patient import start_state
from bot.scenario import load_scenario
from scoring import CoderUnavailable


def _tracker(text: str) -> Tracker:
    state = start_state(load_scenario("reluctant_psychiatric"), seed=1)
    return Tracker(
        sender_id="s1",
        slots={"scenario_id": "reluctant_psychiatric", "patient_state": state.to_dict()},
        latest_message={"text": text, "intent": {"name": "question_open"}},
        events=[{"event": "user", "text": text}],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def test_a_missing_coder_is_an_error_message_not_a_reply() -> None:
    missing = CoderUnavailable("no usable trained coder in models/coder (...). `make coder`")
    dispatcher = CollectingDispatcher()
    with mock.patch.object(patient, "coder", side_effect=missing):
        events = asyncio.run(
            patient.ActionPatientReply().run(dispatcher, _tracker("How are you?"), {})
        )
    assert events == []
    assert len(dispatcher.messages) == 1
    error = dispatcher.messages[0]["custom"]["error"]
    assert error.startswith("The behaviour coder is not available") and "make coder" in error
