"""A practice session as every process sees it: the coded turn, the transcript, their JSON.

The action server writes each coded turn into the patient's message (:meth:`Exchange.payload`);
the app, replay and the benchmarks read it back (:meth:`Transcript.from_events`,
:meth:`Transcript.add_reply`); the app freezes the transcript when the session ends
(:meth:`Transcript.frozen`) and reads the frozen copy ever after (:meth:`Transcript.from_dict`).
No Rasa and no Streamlit here: only `scoring`'s value types.

Example:
    >>> from scoring import Coding
    >>> turn = Exchange("What brings you in?", [Coding("What brings you in?", "question_open",
    ...     0.9, "open question")], "My GP sent me.", talk="neutral")
    >>> transcript = Transcript("reluctant_psychiatric")
    >>> _ = transcript.add_reply(turn.trainee_text, [
    ...     {"text": turn.patient_text}, {"custom": turn_message(turn)}])
    >>> Transcript.from_dict(transcript.frozen()).exchanges[0].talk
    'neutral'
"""

from session_record.exchange import Exchange, compact, error_message, turn_message
from session_record.transcript import Transcript, ended_message, history_from_events

__all__ = [
    "Exchange",
    "Transcript",
    "compact",
    "ended_message",
    "error_message",
    "history_from_events",
    "turn_message",
]
