"""One coded turn: the trainee's words, their codes, the patient's answer and its effect."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from scoring import Coding
from scoring.offtask import unscored_reason
from scoring.session import SessionTurn

#: The two texts travel as the messages' own text; every other field travels in the payload.
SPOKEN = ("trainee_text", "patient_text")


@dataclass
class Exchange:
    """One trainee turn and the patient's answer to it.

    Attributes:
        trainee_text: what the trainee said.
        codings: the coder's codings of its thought units.
        patient_text: what the patient answered ("" until it has).
        talk: the patient's talk after the turn (change, sustain, neutral or discord).
        state: the patient's state after the turn, without the lines already said.
        changes: why the state moved, in words.
        kind: what the reply was (a fact, a risk answer, an in-role answer...), for the
            report's off-task and safety notes; "" if unknown.
        risk: the risk kind the reply disclosed ("" for none).
        intent: the intent Rasa's NLU gave the turn ("" in copies frozen before it was kept).
    """

    trainee_text: str
    codings: list[Coding] = field(default_factory=list)
    patient_text: str = ""
    talk: str = ""
    state: dict[str, Any] = field(default_factory=dict)
    changes: list[str] = field(default_factory=list)
    kind: str = ""
    risk: str = ""
    intent: str = ""

    @property
    def scored(self) -> bool:
        """Whether the turn counts in the figures (off-task turns do not)."""
        return unscored_reason(self.trainee_text, self.kind) is None

    def session_turn(self) -> SessionTurn:
        """The turn as the shared report (`scoring.session.build_report`) reads it."""
        return SessionTurn(self.trainee_text, self.codings, self.patient_text, self.kind, self.risk)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: the frozen transcript's, replay's output (see :meth:`from_dict`)."""
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["codings"] = [coding.to_dict() for coding in self.codings]
        data["state"] = dict(self.state)
        data["changes"] = list(self.changes)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Exchange:
        """Reads the JSON form, of any age: a field it lacks takes its default."""
        return cls(
            trainee_text=str(data.get("trainee_text") or ""),
            codings=[Coding.from_dict(c) for c in data.get("codings") or []],
            patient_text=str(data.get("patient_text") or ""),
            talk=str(data.get("talk") or ""),
            state=dict(data.get("state") or {}),
            changes=[str(c) for c in data.get("changes") or []],
            kind=str(data.get("kind") or ""),
            risk=str(data.get("risk") or ""),
            intent=str(data.get("intent") or ""),
        )

    def payload(self) -> dict[str, Any]:
        """What the action server sends beside the patient's text: the JSON form, compacted.

        Every turn's message stays in the tracker, which Rasa reads and sends to the action
        server on every turn: the texts are not repeated and small probabilities are dropped.
        """
        data = {k: v for k, v in self.to_dict().items() if k not in SPOKEN}
        data["codings"] = [compact(coding) for coding in self.codings]
        return data

    @classmethod
    def from_payload(
        cls, trainee_text: str, patient_text: str, payload: Mapping[str, Any]
    ) -> Exchange:
        """The turn from the trainee's message, the patient's and its payload."""
        return cls.from_dict(
            {**payload, "trainee_text": trainee_text, "patient_text": patient_text}
        )


def compact(coding: Coding) -> dict[str, Any]:
    """A coding as it travels in the session's events: probabilities under 0.0005 are dropped.

    The report spreads the little probability left over the codes left out.
    """
    data = coding.to_dict()
    data["probabilities"] = {
        code: round(p, 4) for code, p in coding.probabilities.items() if p >= 0.0005
    }
    return data


def turn_message(exchange: Exchange) -> dict[str, Any]:
    """The custom message that carries a coded turn from the action server."""
    return {"turn": exchange.payload()}


def error_message(text: str) -> dict[str, Any]:
    """The custom message of an error: the app shows it as an error, never as the patient."""
    return {"error": text}
