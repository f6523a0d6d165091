"""Rebuilds a practice session (turns, codes, patient talk and state) from Rasa tracker events.

Every patient reply carries a `custom` payload written by `action_patient_reply`; the tracker
store therefore holds the whole session, and this module reads it back without Rasa.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from scoring import Coding, Turn
from scoring.offtask import unscored_reason
from scoring.session import SessionTurn


@dataclass
class Exchange:
    """One trainee turn and the patient's answer to it."""

    trainee_text: str
    codings: list[Coding] = field(default_factory=list)
    patient_text: str = ""
    talk: str = ""
    state: dict[str, Any] = field(default_factory=dict)
    changes: list[str] = field(default_factory=list)
    kind: str = ""
    risk: str = ""

    @property
    def scored(self) -> bool:
        """Whether the turn counts in the figures (off-task turns do not)."""
        return unscored_reason(self.trainee_text, self.kind) is None


@dataclass
class Transcript:
    """A session as the app and the report see it."""

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
        return [
            SessionTurn(e.trainee_text, e.codings, e.patient_text, e.kind, e.risk)
            for e in self.exchanges
        ]

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

    def add_reply(self, trainee_text: str, messages: Iterable[Mapping[str, Any]]) -> Exchange:
        """Appends one turn as the REST channel answered it, without reading the tracker.

        Args:
            trainee_text: what was sent.
            messages: the channel's answer; the patient's text and its ``custom`` payload
                (codes, talk, state) come as separate messages.
        """
        self.exchanges.append(Exchange(trainee_text=trainee_text))
        texts = [str(m["text"]) for m in messages if m.get("text")]
        customs = [m["custom"] for m in messages if isinstance(m.get("custom"), Mapping)]
        for custom in customs or [{}]:
            self._add_bot_event({"text": " ".join(texts), "data": {"custom": custom}})
        return self.exchanges[-1]

    def _add_bot_event(self, event: Mapping[str, Any]) -> None:
        text = event.get("text") or ""
        custom = (event.get("data") or {}).get("custom") or {}
        if custom.get("error"):
            self.errors.append(str(custom["error"]))
        turn = custom.get("turn")
        if turn and self.exchanges and not self.exchanges[-1].patient_text:
            exchange = self.exchanges[-1]
            exchange.codings = [Coding.from_dict(c) for c in turn.get("codings", [])]
            exchange.patient_text = text
            exchange.talk = str(turn.get("talk", ""))
            exchange.state = dict(turn.get("state") or {})
            exchange.changes = [str(c) for c in turn.get("changes", [])]
            exchange.kind = str(turn.get("kind") or "")
            exchange.risk = str(turn.get("risk") or "")
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
