"""A whole session: read from Rasa's tracker events or the REST channel's answers, and frozen.

Every patient reply carries the coded turn written by `action_patient_reply`; the tracker
store therefore holds the whole session, and this module reads it back without Rasa.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from scoring import Coding, Turn
from scoring.session import SessionTurn
from session_record.exchange import Exchange


def ended_message() -> dict[str, Any]:
    """The custom message of `action_end_session`."""
    return {"session_ended": True}


@dataclass
class Transcript:
    """A session as the app, the report and replay see it."""

    scenario_id: str | None = None
    opening: str = ""
    exchanges: list[Exchange] = field(default_factory=list)
    ended: bool = False
    errors: list[str] = field(default_factory=list)

    @property
    def codings_per_turn(self) -> list[list[Coding]]:
        """The codings of the scored turns, one list per turn: `scoring.session_report`'s input.

        Off-task turns (another language, markup, questions about the bot...) are left out,
        so every figure of every view leaves them out too.
        """
        return [e.codings for e in self.exchanges if e.codings and e.scored]

    def session_turns(self) -> list[SessionTurn]:
        """Every trainee turn as the shared report (`scoring.session.build_report`) reads it."""
        return [e.session_turn() for e in self.exchanges]

    # The JSON form ------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (the inverse of :meth:`from_dict`)."""
        return {
            "scenario_id": self.scenario_id,
            "opening": self.opening,
            "exchanges": [e.to_dict() for e in self.exchanges],
            "ended": self.ended,
            "errors": list(self.errors),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Transcript:
        """Reads the JSON form, including copies frozen by earlier versions of the app."""
        return cls(
            scenario_id=data.get("scenario_id"),
            opening=str(data.get("opening") or ""),
            exchanges=[Exchange.from_dict(raw) for raw in data.get("exchanges") or []],
            ended=bool(data.get("ended")),
            errors=[str(e) for e in data.get("errors") or []],
        )

    def frozen(self) -> dict[str, Any]:
        """The copy kept once the session has ended: every report of it is made from this.

        Marked ended whatever the tracker said last, so a frozen copy never reopens a chat.
        """
        return replace(self, ended=True).to_dict()

    # Reading Rasa ------------------------------------------------------------------------

    @classmethod
    def from_events(cls, events: Iterable[Mapping[str, Any]]) -> Transcript:
        """Parses a tracker's event list (as returned by Rasa's HTTP API)."""
        transcript = cls()
        for event in events:
            kind = event.get("event")
            if kind == "slot" and event.get("name") == "scenario_id" and event.get("value"):
                transcript.scenario_id = str(event["value"])
            elif kind == "slot" and event.get("name") == "session_ended" and event.get("value"):
                transcript.ended = True
            elif kind == "user":
                text = event.get("text") or ""
                # "/start_session{...}" and "/end_session" are the app's controls, not speech.
                if not text.startswith("/"):
                    transcript.exchanges.append(Exchange(trainee_text=text))
            elif kind == "bot":
                transcript._add_bot_event(event)
        return transcript

    def add_messages(self, messages: Iterable[Mapping[str, Any]]) -> None:
        """Adds what the REST channel answered (the opening, a reply, an error).

        The patient's text and its custom message (the coded turn) come as separate messages.
        """
        messages = list(messages)
        texts = [str(m["text"]) for m in messages if m.get("text")]
        customs = [m["custom"] for m in messages if isinstance(m.get("custom"), Mapping)]
        for custom in customs or [{}]:
            self._add_bot_event({"text": " ".join(texts), "data": {"custom": custom}})

    def add_reply(self, trainee_text: str, messages: Iterable[Mapping[str, Any]]) -> Exchange:
        """Appends one turn as the REST channel answered it, without reading the tracker.

        Args:
            trainee_text: what was sent.
            messages: the channel's answer.
        """
        self.exchanges.append(Exchange(trainee_text=trainee_text))
        self.add_messages(messages)
        return self.exchanges[-1]

    def _add_bot_event(self, event: Mapping[str, Any]) -> None:
        text = event.get("text") or ""
        custom = (event.get("data") or {}).get("custom") or {}
        if custom.get("error"):
            self.errors.append(str(custom["error"]))
        if custom.get("session_ended"):
            self.ended = True
        turn = custom.get("turn")
        if turn and self.exchanges and not self.exchanges[-1].patient_text:
            said = self.exchanges[-1].trainee_text
            self.exchanges[-1] = Exchange.from_payload(said, text, turn)
        elif text and not self.exchanges and not self.opening:
            self.opening = text


def history_from_events(events: Iterable[Mapping[str, Any]]) -> list[Turn]:
    """The spoken turns of a tracker, oldest first, as the coder's conversation history."""
    history: list[Turn] = []
    for event in events:
        text = event.get("text") or ""
        if event.get("event") == "user" and text and not text.startswith("/"):
            history.append(Turn("trainee", text))
        elif event.get("event") == "bot" and text:
            history.append(Turn("patient", text))
    return history
