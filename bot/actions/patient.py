"""Custom actions that play the simulated patient: open a session, answer turns, close it."""

from __future__ import annotations

import logging
import threading
import zlib
from functools import lru_cache
from pathlib import Path
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.patient import PatientState, respond, start_state
from bot.patient.understand import reader, understand
from bot.scenario import ScenarioError, list_scenarios, load_scenario
from bot.scenario.model import Scenario
from scoring import Coder, CoderUnavailable, load_coder
from session_record import (
    Exchange,
    ended_message,
    error_message,
    history_from_events,
    turn_message,
)

logger = logging.getLogger(__name__)

SCENARIO_DIR = Path(__file__).resolve().parents[2] / "scenarios"


@lru_cache(maxsize=1)
def coder() -> Coder:
    """The behaviour coder, loaded on first use so the action server starts quickly.

    Raises:
        CoderUnavailable: no trained coder (``make coder``); not cached, so the next turn
            tries again and finds the coder once it has been trained.
    """
    return load_coder()


@lru_cache(maxsize=64)
def _scenario_at(scenario_id: str, mtime: float) -> Scenario:
    return load_scenario(scenario_id)


def scenario_for(scenario_id: str) -> Scenario:
    """Loads a scenario, re-reading it when an educator has changed the file."""
    path = SCENARIO_DIR / f"{scenario_id}.yml"
    mtime = path.stat().st_mtime if path.exists() else 0.0
    return _scenario_at(scenario_id, mtime)


def session_seed(sender_id: str) -> int:
    """A stable seed per session, so a session replays identically."""
    return zlib.crc32(sender_id.encode("utf-8"))


def _error(dispatcher: CollectingDispatcher, message: str) -> list[EventType]:
    dispatcher.utter_message(json_message=error_message(message))
    return []


class ActionStartSession(Action):
    """Loads the chosen scenario, sets the patient's starting state and says its first words."""

    def name(self) -> str:
        return "action_start_session"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        scenario_id = tracker.get_slot("scenario_id")
        if not scenario_id:
            return _error(dispatcher, "No scenario was chosen for this session.")
        if tracker.get_slot("patient_state"):
            # Starting twice must not wipe a patient's state: the session simply goes on.
            return _error(dispatcher, "This session has already started.")
        try:
            scenario = scenario_for(str(scenario_id))
        except ScenarioError as error:
            return _error(dispatcher, f"Scenario {scenario_id!r} cannot be used: {error}")
        state = start_state(scenario, seed=session_seed(tracker.sender_id))
        dispatcher.utter_message(text=scenario.persona.opening_line)
        return [SlotSet("patient_state", state.to_dict()), SlotSet("session_ended", False)]


class ActionPatientReply(Action):
    """Codes the trainee's turn, moves the patient's state on and answers in character."""

    def name(self) -> str:
        return "action_patient_reply"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        scenario_id = tracker.get_slot("scenario_id")
        state_dict = tracker.get_slot("patient_state")
        if not scenario_id or not state_dict:
            return _error(dispatcher, "This session has not been started: choose a scenario.")
        if tracker.get_slot("session_ended"):
            return _error(dispatcher, "This session has ended: start a new one to go on.")
        try:
            scenario = scenario_for(str(scenario_id))
        except ScenarioError as error:
            return _error(dispatcher, f"Scenario {scenario_id!r} cannot be used: {error}")

        text = tracker.latest_message.get("text") or ""
        intent = (tracker.latest_message.get("intent") or {}).get("name") or "nlu_fallback"
        # The history excludes the turn being answered, which is the last user event.
        history = history_from_events(tracker.events)[:-1]
        try:
            codings = coder().code_turn(text, history=history)
        except CoderUnavailable as error:
            # Shown to the trainee as an error; the patient never answers uncoded turns.
            logger.error("%s", error)
            return _error(dispatcher, f"The behaviour coder is not available: {error}")
        reply = respond(
            scenario,
            PatientState.from_dict(state_dict),
            codings,
            text=text,
            intent=intent,
            encode=reader(),
        )
        turn = Exchange(
            trainee_text=text,
            codings=codings,
            patient_text=reply.text,
            intent=intent,
            talk=reply.talk,
            # The lines already said are the patient's business, not the report's; they grow
            # every turn, and this message is kept in the tracker Rasa reads on every turn.
            state={k: v for k, v in reply.state.to_dict().items() if k != "used"},
            changes=list(reply.changes),
            kind=reply.kind,
            risk=reply.risk,
        )
        dispatcher.utter_message(text=reply.text, json_message=turn_message(turn))
        # The patient then waits for the trainee. Saying so here spares Rasa running its
        # policies a second time per turn only to reach the same answer (the rules say it too).
        return [SlotSet("patient_state", reply.state.to_dict()), FollowupAction("action_listen")]


class ActionEndSession(Action):
    """Marks the session as ended; the app then shows the fidelity report."""

    def name(self) -> str:
        return "action_end_session"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(json_message=ended_message())
        return [SlotSet("session_ended", True)]


def warm_up() -> None:
    """Loads the coder and the reader and indexes every scenario, so no turn waits for them."""
    try:
        coder().code_turn("What brings you here today?")
    except CoderUnavailable as error:
        logger.error("%s", error)
    for scenario_id in list_scenarios():
        try:
            scenario = scenario_for(scenario_id)
        except ScenarioError:
            continue  # reported to whoever starts a session with it
        understand(scenario, "How old are you?", [], encode=reader())


# rasa_sdk imports this module when the action server starts. Warming up beside it, rather
# than before it listens, keeps a restarted server reachable at once; a turn that arrives
# first simply waits for the same load (load_coder holds a lock).
threading.Thread(target=warm_up, name="coder-warm-up", daemon=True).start()
