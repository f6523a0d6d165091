"""The simulated patient: explicit state, MI-driven transitions and line selection.

Example:
    >>> from bot.scenario import load_scenario
    >>> from bot.patient import respond, start_state
    >>> from bot.patient.replay import PinnedCoding
    >>> scenario = load_scenario("reluctant_psychiatric")
    >>> state = start_state(scenario, seed=0)
    >>> text = "You're in denial."
    >>> reply = respond(scenario, state, [PinnedCoding(text, "confront")], text=text,
    ...                 intent="confront")
    >>> reply.talk in ("sustain", "discord"), reply.state.discord > state.discord
    (True, True)
    >>> reply.changes[0]
    'turn 1: rapport fell 3.0 -> 1.5 after a confrontation'
"""

from bot.patient.engine import CodingLike, PatientReply, respond
from bot.patient.state import PatientState, start_state
from bot.patient.topics import detect_topic

__all__ = ["CodingLike", "PatientReply", "PatientState", "detect_topic", "respond", "start_state"]
