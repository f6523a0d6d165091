"""Trainee page: choose a patient, chat, end, rate yourself, then read the fidelity report."""

from __future__ import annotations

from functools import partial
from typing import Any

import streamlit as st

from bot.client import MAX_MESSAGE_CHARS, RasaUnavailable, TurnRefused
from bot.scenario import Scenario, ScenarioError, list_scenarios, load_scenario
from session_record import Transcript
from trainer_ui.accounts import TRAINEE
from trainer_ui.app_state import coder, rasa, require, store
from trainer_ui.corrections import coded_session
from trainer_ui.report_pdf import session_pdf
from trainer_ui.report_rows import full_report
from trainer_ui.report_view import PATIENT_AVATAR, show_report
from trainer_ui.store import SelfRating

user = require(TRAINEE)


def available_scenarios() -> dict[str, Scenario]:
    """Every valid scenario; one broken file must not hide the other patients."""
    scenarios = {}
    for scenario_id in list_scenarios():
        try:
            scenarios[scenario_id] = load_scenario(scenario_id)
        except ScenarioError as error:
            st.warning(f"Scenario {scenario_id!r} is unavailable.")
            st.text(str(error))
    return scenarios


def choose() -> None:
    st.title("Motivational interviewing practice")
    st.write(
        "Choose a patient and start a session. Talk with them as you would in clinic, "
        "then end the session, rate yourself, and see how your responses were coded."
    )
    scenarios = available_scenarios()
    if not scenarios:
        st.info("No scenarios are available yet: ask an educator to publish one.")
        return
    chosen = st.selectbox(
        "Patient", list(scenarios), format_func=lambda scenario_id: scenarios[scenario_id].title
    )
    scenario = scenarios[chosen]
    st.text(scenario.brief.strip())
    st.markdown("**Change goal**")
    st.text(scenario.change_goal.strip())
    if st.button("Start session", type="primary"):
        session = store().create_session(scenario.id, user.id)
        try:
            rasa().start_session(session.id, scenario.id)
        except RasaUnavailable as error:
            st.error(str(error))
            return
        st.query_params["session"] = session.id
        st.rerun()


def chat_key(session_id: str) -> str:
    """Where this browser tab keeps the session's transcript while the chat is open."""
    return f"chat-{session_id}"


def send(session_id: str) -> None:
    """Sends the typed message (a callback, before the page runs) and keeps the reply.

    The reply the turn call returns is added to the kept transcript: no rerun, no re-reading
    of the tracker per turn. A refused message goes back into the box with the reason.
    """
    draft = f"draft-{session_id}"
    text = str(st.session_state.get(draft) or "")
    try:
        messages = rasa().say(session_id, text)
    except RasaUnavailable as error:
        st.session_state[f"chat-error-{session_id}"] = str(error)
        st.session_state[draft] = text  # the typed text stays in the box
        if not isinstance(error, TurnRefused):
            # The turn may have reached the tracker unanswered: read it again next time.
            st.session_state.pop(chat_key(session_id), None)
        return
    transcript: Transcript | None = st.session_state.get(chat_key(session_id))
    if transcript is not None:
        transcript.add_reply(text.strip(), messages)


def end(session_id: str) -> None:
    """Ends the session and freezes its coded transcript: the report is made from that copy.

    The tracker is read once, here, as the patient server holds the session; if it cannot
    be read, the end is recorded and the report page freezes the transcript when it can.
    """
    rasa().end_session(session_id)
    try:
        transcript = rasa().transcript(session_id)
    except RasaUnavailable:
        transcript = None
    store().end_session(session_id, transcript)


def patient_card(scenario_id: str) -> None:
    """Who the trainee is talking with, the brief and the change goal, kept in view."""
    try:
        scenario = load_scenario(scenario_id)
    except ScenarioError:
        return  # removed since the session began: the chat goes on without the card
    with st.container(border=True):
        st.subheader(f"{scenario.persona.name}, {scenario.persona.age}")
        st.text(" ".join(scenario.brief.split()))
        st.caption("Change goal: " + " ".join(scenario.change_goal.split()))


def chat(session_id: str, scenario_id: str, transcript: Transcript) -> None:
    st.title("Practice session")
    patient_card(transcript.scenario_id or scenario_id)
    for error in transcript.errors:
        st.error(error)
    if transcript.opening:
        st.chat_message("assistant", avatar=PATIENT_AVATAR).text(transcript.opening)
    for exchange in transcript.exchanges:
        st.chat_message("user").text(exchange.trainee_text)
        if exchange.patient_text:
            st.chat_message("assistant", avatar=PATIENT_AVATAR).text(exchange.patient_text)
    if problem := st.session_state.pop(f"chat-error-{session_id}", None):
        st.error(problem)
    if st.button("End session and see my report"):
        try:
            end(session_id)
        except RasaUnavailable as error:
            st.error(str(error))
        else:
            st.session_state.pop(chat_key(session_id), None)
            st.rerun()
    st.chat_input(
        f"Your response to the patient (up to {MAX_MESSAGE_CHARS:,} characters)",
        key=f"draft-{session_id}",
        max_chars=MAX_MESSAGE_CHARS,
        on_submit=send,
        args=(session_id,),
    )


def rate(session_id: str) -> None:
    """The trainee's own view first: the gap to the coder's view is part of the lesson."""
    st.title("Before you see your report")
    st.write("How did it go? Estimate first; the report then shows the coder's view beside yours.")
    with st.form("self-rating"):
        reflections = st.number_input("How many reflections did you use?", 0, 100, 0)
        open_questions = st.number_input("How many open questions did you ask?", 0, 100, 0)
        consistency = st.slider(
            "How MI-consistent was the session? (1 = not at all, 5 = very)", 1, 5, 3
        )
        if st.form_submit_button("Save and see my report", type="primary"):
            store().save_self_rating(
                session_id, SelfRating(int(reflections), int(open_questions), int(consistency))
            )
            st.rerun()


def back_to_choice(where: Any) -> None:
    """The way back to the list of patients."""
    if where.button("← Choose another patient"):
        del st.query_params["session"]
        st.rerun()


def main() -> None:
    session_id = st.query_params.get("session")
    if not session_id:
        choose()
        return
    session = store().get(session_id)
    # Someone else's session looks exactly like a missing one: ids are not confirmed.
    if session is None or session.user_id != user.id:
        st.error("There is no session with that id.")
        return
    # Above the chat and the self-rating; below the report, whose first screen is its own.
    top = st.container()
    report = session.snapshot is not None and store().self_rating(session_id) is not None
    if not report:
        back_to_choice(top)
    kept = st.session_state.get(chat_key(session_id))
    try:
        # An ended session's coded copy is kept here: its report needs no patient server.
        # An open chat keeps its transcript in this tab and reads the tracker only once.
        if session.snapshot is not None:
            transcript = Transcript.from_dict(session.snapshot)
        elif kept is not None and session.ended_at is None:
            transcript = kept
        else:
            transcript = rasa().transcript(session_id)
    except RasaUnavailable as error:
        st.error(str(error))
        return
    if not transcript.ended:
        st.session_state[chat_key(session_id)] = transcript
        chat(session_id, session.scenario_id, transcript)
        return
    if session.snapshot is None:
        # Ended while the app could not read the tracker (or before it was restarted).
        store().end_session(session_id, transcript)
    rating = store().self_rating(session_id)
    if rating is None and transcript.codings_per_turn:
        rate(session_id)
        return
    # The supervisor's codes where a code was corrected, in every part of the report.
    coded = coded_session(session, transcript)
    assert coded is not None  # a transcript is given
    comments = store().comments(session_id)
    full = full_report(coded.transcript, coder().code_turn)
    st.title("Your fidelity report")
    show_report(coded, full, rating, comments)
    if transcript.codings_per_turn:
        st.download_button(
            "Download my report (PDF)",
            # Made when clicked, not on every run of the page.
            partial(session_pdf, session, coded, full, user.username, rating, comments),
            f"report-{session_id[:8]}.pdf",
            "application/pdf",
            on_click="ignore",
        )
    if report:
        back_to_choice(st.container())


main()
