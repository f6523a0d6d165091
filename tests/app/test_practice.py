"""Trainee practice page: choose, chat, end, rate yourself, read the report; own sessions only."""

from __future__ import annotations

import pytest

from bot.client import MAX_MESSAGE_CHARS
from bot.scenario import load_scenario
from scoring.segment import MAX_CHARS
from session_record import Exchange, Transcript
from tests.app.conftest import coding
from trainer_ui.report_rows import reliability_text
from trainer_ui.store import SelfRating


def setup(harness):
    harness.user("admin1", "admin")
    return harness.user("tina", "trainee")


def folded(at, label: str):
    """The report's part folded under ``label``."""
    (part,) = [e for e in at.expander if e.label == label]
    return part


def try_line(card: str) -> str:
    """The better response of a turn to work on (the card's second line)."""
    return card.split("\n")[-1]


def figures_table(at):
    return folded(at, "How the figures are counted").table[0].value


def utterances_table(at):
    return folded(at, "Every utterance, coded").table[0].value


def test_choice_shows_every_scenario_with_brief_and_change_goal(harness) -> None:
    at = harness.run(setup(harness))
    scenario = load_scenario("reluctant_psychiatric")
    assert not at.exception
    assert scenario.title in at.selectbox[0].options
    at.selectbox[0].select("reluctant_psychiatric").run()
    assert any(md.value == "**Change goal**" for md in at.markdown)
    assert any(scenario.persona.name in t.value for t in at.text)


def test_starting_a_session_opens_it_for_the_chosen_scenario_and_user(harness) -> None:
    tina = setup(harness)
    harness.rasa.transcript_value = Transcript(opening="Hello.")
    at = harness.run(tina)
    at.selectbox[0].select("reluctant_psychiatric").run()
    next(b for b in at.button if b.label == "Start session").click().run()

    assert not at.exception
    session_id, message = harness.rasa.sent[0]
    assert message == "start reluctant_psychiatric"
    assert at.query_params["session"] == [session_id]
    assert harness.store.get(session_id).user_id == tina.id
    assert [m.children[0].value for m in at.chat_message] == ["Hello."]


def test_chat_sends_the_trainee_text_and_shows_it_as_plain_text(harness) -> None:
    tina = setup(harness)
    session = harness.store.create_session("reluctant_psychiatric", tina.id)
    harness.rasa.transcript_value = Transcript(
        opening="Hi.", exchanges=[Exchange("<b>bold</b> **x**", [], "Mm.", "neutral")]
    )
    at = harness.run(tina, query={"session": session.id})
    # Markup in user text stays literal: st.text, never markdown or HTML.
    assert type(at.chat_message[1].children[0]).__name__ == "Text"
    assert at.chat_message[1].children[0].value == "<b>bold</b> **x**"
    at.chat_input[0].set_value("What matters most to you?").run()
    assert harness.rasa.sent[-1] == (session.id, "What matters most to you?")


def test_ending_asks_for_a_self_rating_before_the_report(harness) -> None:
    tina = setup(harness)
    session = harness.store.create_session("reluctant_psychiatric", tina.id)
    at = harness.run(tina, query={"session": session.id})  # fake transcript is ended

    assert at.title[0].value == "Before you see your report"
    at.number_input[0].set_value(3)
    at.number_input[1].set_value(2)
    at.slider[0].set_value(4)
    at.button[1].click().run()  # [0] is "Choose another patient"

    assert not at.exception
    assert harness.store.self_rating(session.id) == SelfRating(3, 2, 4)
    assert at.title[0].value == "Your fidelity report"
    # The first screen: the four figures with a rating each, strengths, turns to work on.
    assert [m.label for m in at.metric] == [
        "Reflection-to-question ratio",
        "% complex reflections",
        "% open questions",
        "% MI-adherent",
    ]
    assert [s.value for s in at.subheader][:2] == ["What went well", "Turns to work on"]
    assert any(t.value.startswith("Turn 2 · reflection complex: ") for t in at.text)
    gap = folded(at, "Your view and the coder's").table[0].value
    figures, utterances = figures_table(at), utterances_table(at)
    assert list(gap["Coded"])[:2] == ["1", "1"]
    assert any("MITI 4.2.1" in name for name in figures["Figure"])
    assert any("MITI 3.1.1" in name for name in figures["Figure"])
    assert list(utterances["Code"]) == ["question_open", "reflection_complex", "question_closed"]
    # The class in words, no colour-emoji dots.
    assert list(utterances["Class"]) == ["neutral", "neutral", "neutral"]
    # The closed question gets an open question the coder checked (not a template around
    # the trainee's words), and the snapshot is kept for progress.
    tries = [try_line(t.value) for t in at.text if "\nTry (question open): " in t.value]
    assert len(tries) == 1 and "drink every night" not in tries[0] and tries[0].endswith("?")
    assert harness.store.get(session.id).snapshot is not None
    assert [b.label for b in at.get("download_button")] == ["Download my report (PDF)"]
    # How far the codes agree with experts is said beside the figures.
    (trust,) = [e for e in at.expander if e.label == "How far to trust these codes"]
    assert [t.value for t in trust.text] == reliability_text()


def test_report_charts_and_reasons_for_the_patient_state(harness) -> None:
    tina = setup(harness)
    session = harness.store.create_session("reluctant_psychiatric", tina.id)
    harness.store.save_self_rating(session.id, SelfRating(1, 1, 3))
    at = harness.run(tina, query={"session": session.id})
    reasons = folded(at, "The patient over the session").table[0].value
    assert "rapport rose" in " ".join(reasons["What changed and why"])
    assert len(at.get("vega_lite_chart")) == 2


def test_another_trainees_session_cannot_be_read_by_id(harness) -> None:
    tina = setup(harness)
    other = harness.user("omar", "trainee")
    theirs = harness.ended_session(other)
    at = harness.run(tina, query={"session": theirs})
    assert [e.value for e in at.error] == ["There is no session with that id."]
    assert not at.table and not at.chat_message


def test_unknown_session_id_gets_a_clear_message(harness) -> None:
    at = harness.run(setup(harness), query={"session": "no-such-session"})
    assert [e.value for e in at.error] == ["There is no session with that id."]


def test_session_without_coded_turns_skips_rating(harness) -> None:
    tina = setup(harness)
    session = harness.store.create_session("reluctant_psychiatric", tina.id)
    harness.rasa.transcript_value = Transcript(opening="Hi.", ended=True)
    at = harness.run(tina, query={"session": session.id})
    assert at.info[0].value.startswith("This session has no turns")


def test_low_confidence_and_pressure_codes_are_marked(harness) -> None:
    tina = setup(harness)
    session = harness.store.create_session("reluctant_psychiatric", tina.id)
    harness.store.save_self_rating(session.id, SelfRating(0, 0, 2))
    harness.rasa.transcript_value = Transcript(
        exchanges=[Exchange("You should stop.", [coding("You should stop.", "persuade", 0.5)])],
        ended=True,
    )
    at = harness.run(tina, query={"session": session.id})
    utterances = utterances_table(at)
    assert list(utterances["Class"]) == ["pressure"]
    assert any(try_line(t.value).startswith("Try (seeking collaboration): ") for t in at.text)


def chat_texts(at) -> list[str]:
    return [m.children[0].value for m in at.chat_message]


def open_chat(harness):
    tina = setup(harness)
    session = harness.store.create_session("reluctant_psychiatric", tina.id)
    harness.rasa.transcript_value = Transcript(opening="Hi.")
    return session.id, harness.run(tina, query={"session": session.id})


def test_each_reply_is_shown_from_the_turn_call_without_reading_the_tracker_again(
    harness,
) -> None:
    session_id, at = open_chat(harness)
    at.chat_input[0].set_value("What brings you in?").run()
    at.chat_input[0].set_value("You're not sure it's worth it.").run()

    assert not at.exception and not at.error
    assert chat_texts(at) == [
        "Hi.",
        "What brings you in?",
        "Reply 1.",
        "You're not sure it's worth it.",
        "Reply 2.",
    ]
    # Read once when the chat opened; every turn after that came from the turn's own answer.
    assert harness.rasa.transcript_reads == 1
    # The input says the limit, which is the coder's too (the counter is the browser's).
    assert at.chat_input[0].placeholder.endswith("(up to 4,000 characters)")
    assert at.chat_input[0].max_chars == MAX_MESSAGE_CHARS == MAX_CHARS


def test_ending_freezes_the_transcript_before_the_report_is_opened(harness) -> None:
    session_id, at = open_chat(harness)
    at.chat_input[0].set_value("What brings you in?").run()
    # What the tracker holds once the session has ended.
    harness.rasa.transcript_value = Transcript(
        "reluctant_psychiatric",
        "Hi.",
        [Exchange("What brings you in?", [coding("What brings you in?", "question_open")])],
        ended=True,
    )
    next(b for b in at.button if b.label.startswith("End session")).click().run()

    assert not at.exception
    assert harness.rasa.sent[-1] == (session_id, "end")
    session = harness.store.get(session_id)
    assert session.ended_at is not None and session.snapshot is not None
    frozen = Transcript.from_dict(session.snapshot)
    assert frozen == harness.rasa.transcript_value
    # The report is made from the frozen copy: the tracker is not read again.
    reads = harness.rasa.transcript_reads
    harness.rasa.transcript_value = Transcript(opening="Changed since.", ended=True)
    harness.store.save_self_rating(session_id, SelfRating(1, 1, 3))
    at.run()
    assert at.title[0].value == "Your fidelity report"
    assert harness.rasa.transcript_reads == reads
    assert harness.store.get(session_id).snapshot == session.snapshot


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("/end_session", "Messages cannot start with '/'"),
        ('/start_session{"scenario_id": "x"}', "Messages cannot start with '/'"),
        ("   ", "Type something to say to the patient first."),
        ("a" * 6000, "Your message has 6,000 characters; the limit is 4,000 per turn."),
    ],
    ids=["end_command", "start_command", "spaces", "over_limit"],
)
def test_a_refused_message_is_explained_and_stays_in_the_box(harness, typed, says) -> None:
    session_id, at = open_chat(harness)
    at.chat_input[0].set_value(typed).run()

    assert not at.exception
    (error,) = [e.value for e in at.error]
    assert error.startswith(says) and "HTTP" not in error and "{" not in error
    assert harness.rasa.sent == []  # nothing reached Rasa
    # The text is put back into the box (Streamlit fills it in the browser, unsent).
    assert at.chat_input[0].proto.value == typed and at.chat_input[0].proto.set_value
    assert harness.store.get(session_id).ended_at is None


def test_when_rasa_is_down_the_text_stays_and_the_tracker_is_read_again(harness) -> None:
    session_id, at = open_chat(harness)
    harness.rasa.down = True
    at.chat_input[0].set_value("What matters to you?").run()
    assert "not answering" in at.error[0].value
    assert at.chat_input[0].proto.value == "What matters to you?"
    harness.rasa.down = False
    at.chat_input[0].set_value("What matters to you?").run()
    assert chat_texts(at)[-2:] == ["What matters to you?", "Reply 1."]
    assert harness.rasa.transcript_reads == 2  # the failed turn may have reached the tracker


def test_report_says_missed_risk_first_leaves_off_task_out_and_applies_floors(harness) -> None:
    tina = setup(harness)
    session = harness.store.create_session("reluctant_psychiatric", tina.id)
    harness.store.save_self_rating(session.id, SelfRating(0, 0, 2))
    harness.rasa.transcript_value = Transcript(
        scenario_id="reluctant_psychiatric",
        exchanges=[
            Exchange(
                "How have things been?",
                [coding("How have things been?", "question_open")],
                "Some nights I think it would be easier not to wake up.",
                risk="suicidal_thoughts",
            ),
            Exchange("Do you sleep?", [coding("Do you sleep?", "question_closed")], "Badly."),
            Exchange(
                "¿Qué tal el trabajo?",
                [coding("¿Qué tal el trabajo?", "question_open")],
                "Sorry?",
                kind="other_language",
            ),
        ],
        ended=True,
    )
    at = harness.run(tina, query={"session": session.id})
    assert not at.exception
    assert at.error[0].value.startswith(
        "Safety: The patient spoke of thoughts of suicide after turn 1"
    )
    figures = figures_table(at)
    assert all(r.startswith("not enough to rate (") for r in figures["Rating"])
    # On the first screen too: no verdict, and the count it rests on.
    assert all(m.value == ":gray-badge[not enough to rate]" for m in at.markdown[:4])
    assert any("at least 3 reflections" in c.value for c in at.caption)
    assert any("turn 3: not in the session's language" in c.value for c in at.caption)
    utterances = utterances_table(at)
    assert list(utterances["Class"]) == ["neutral", "neutral", "not scored"]
