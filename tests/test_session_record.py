"""The session record: read from tracker events and REST answers, frozen, read back."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

from scoring import Coding, Turn
from session_record import Exchange, Transcript, history_from_events, turn_message


def user(text: str) -> dict[str, Any]:
    return {"event": "user", "text": text}


def bot(text: str | None = None, **custom: Any) -> dict[str, Any]:
    return {"event": "bot", "text": text, "data": {"custom": custom or None}}


def coded(code: str) -> dict[str, Any]:
    return Coding("x", code, 0.9, "because", {code: 0.9, "other": 0.1}).to_dict()


EVENTS = [
    {"event": "action", "name": "action_session_start"},
    user('/start_session{"scenario_id": "reluctant_psychiatric"}'),
    {"event": "slot", "name": "scenario_id", "value": "reluctant_psychiatric"},
    bot("I don't really know why I'm here."),
    user("What brought you in?"),
    bot(
        "My GP sent me.",
        turn={
            "codings": [coded("question_open")],
            "talk": "neutral",
            "state": {"rapport": 3},
            "changes": ["rapport rose"],
        },
    ),
    user("You need to take this seriously."),
    bot("Here we go again.", turn={"codings": [coded("persuade")], "talk": "discord"}),
    user("/end_session"),
    bot(None, session_ended=True),
    {"event": "slot", "name": "session_ended", "value": True},
]


def test_transcript_pairs_each_trainee_turn_with_its_codes_and_answer() -> None:
    transcript = Transcript.from_events(EVENTS)

    assert transcript.scenario_id == "reluctant_psychiatric"
    assert transcript.opening == "I don't really know why I'm here."
    assert transcript.ended
    assert [e.trainee_text for e in transcript.exchanges] == [
        "What brought you in?",
        "You need to take this seriously.",
    ]
    first, second = transcript.exchanges
    assert [c.code for c in first.codings] == ["question_open"]
    assert (first.patient_text, first.talk, first.state) == (
        "My GP sent me.",
        "neutral",
        {"rapport": 3},
    )
    assert first.changes == ["rapport rose"]
    assert (second.patient_text, second.talk) == ("Here we go again.", "discord")
    assert [[c.code for c in turn] for turn in transcript.codings_per_turn] == [
        ["question_open"],
        ["persuade"],
    ]


def test_error_payloads_are_collected_not_shown_as_the_patient() -> None:
    transcript = Transcript.from_events([user("hello"), bot(None, error="No scenario was chosen.")])

    assert transcript.errors == ["No scenario was chosen."]
    assert transcript.exchanges[0].patient_text == ""
    assert transcript.codings_per_turn == []


def test_history_holds_spoken_turns_only() -> None:
    assert history_from_events(EVENTS) == [
        Turn("patient", "I don't really know why I'm here."),
        Turn("trainee", "What brought you in?"),
        Turn("patient", "My GP sent me."),
        Turn("trainee", "You need to take this seriously."),
        Turn("patient", "Here we go again."),
    ]


def test_reply_kind_and_risk_travel_and_off_task_turns_leave_the_figures() -> None:
    events = [
        user("How have you been?"),
        bot(
            "Some days I don't want to wake up.",
            turn={"codings": [coded("question_open")], "kind": "risk", "risk": "suicidal_thoughts"},
        ),
        user("Are you a bot?"),
        bot("I'm Jordan.", turn={"codings": [coded("question_closed")], "kind": "bot_challenge"}),
        user("What else?"),
        bot("Nothing.", turn={"codings": [coded("question_open")]}),  # no kind: older payloads
    ]
    transcript = Transcript.from_events(events)
    first, off, last = transcript.exchanges
    assert (first.kind, first.risk) == ("risk", "suicidal_thoughts")
    assert (off.kind, off.scored, last.kind, last.risk) == ("bot_challenge", False, "", "")
    assert [[c.code for c in t] for t in transcript.codings_per_turn] == [
        ["question_open"],
        ["question_open"],
    ]
    turns = transcript.session_turns()
    assert [t.kind for t in turns] == ["risk", "bot_challenge", ""]
    assert turns[0].risk == "suicidal_thoughts"


def test_a_coded_turn_travels_from_the_action_to_the_app_unchanged() -> None:
    codings = [Coding("x", "question_open", 0.9, "because", {"question_open": 0.9, "other": 0.1})]
    sent = Exchange("What brought you in?", codings, "My GP sent me.", "neutral", {"rapport": 3})
    sent.changes, sent.kind, sent.intent = ["rapport rose"], "topic", "trainee_turn"

    transcript = Transcript()
    received = transcript.add_reply(
        sent.trainee_text, [{"text": sent.patient_text}, {"custom": turn_message(sent)}]
    )

    assert received == sent
    assert "trainee_text" not in turn_message(sent)["turn"]  # the texts travel as messages


def test_tiny_probabilities_are_dropped_on_the_way() -> None:
    coding = Coding("x", "question_open", 0.9999, "", {"question_open": 0.9999, "other": 0.0001})
    payload = turn_message(Exchange("x", [coding]))["turn"]
    assert payload["codings"][0]["probabilities"] == {"question_open": 0.9999}


def test_the_frozen_copy_reads_back_equal_and_ended() -> None:
    transcript = Transcript.from_events(EVENTS[:-2])
    assert not transcript.ended
    frozen = Transcript.from_dict(transcript.frozen())
    assert frozen.ended
    assert frozen.exchanges == transcript.exchanges
    assert (frozen.scenario_id, frozen.opening) == (transcript.scenario_id, transcript.opening)


def test_a_copy_frozen_by_an_older_app_still_loads() -> None:
    # As stored before the reply kind, the risk and the intent were kept.
    old = {
        "scenario_id": "reluctant_psychiatric",
        "opening": "Hi.",
        "exchanges": [
            {
                "trainee_text": "What brought you in?",
                "codings": [coded("question_open")],
                "patient_text": "My GP sent me.",
                "talk": "neutral",
                "state": {"rapport": 3},
                "changes": [],
            }
        ],
        "ended": True,
        "errors": [],
    }
    transcript = Transcript.from_dict(old)
    (exchange,) = transcript.exchanges
    assert (exchange.kind, exchange.risk, exchange.intent, exchange.scored) == ("", "", "", True)
    assert transcript.to_dict()["exchanges"][0] == {
        **old["exchanges"][0],
        **dict.fromkeys(("kind", "risk", "intent"), ""),
    }


def test_the_end_message_ends_a_transcript_read_from_rest_answers() -> None:
    transcript = Transcript()
    transcript.add_messages([{"text": "Hi."}])
    transcript.add_messages([{"custom": {"session_ended": True}}])
    assert transcript.opening == "Hi." and transcript.ended


def test_every_process_can_import_it_without_rasa_or_streamlit() -> None:
    code = (
        "import sys, session_record\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'rasa', 'rasa_sdk', 'streamlit'}))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
