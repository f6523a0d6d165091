"""Trainee page: choose a patient, chat, end, rate yourself, then read the fidelity report."""

from __future__ import annotations

import streamlit as st

from bot.client import RasaUnavailable
from bot.scenario import Scenario, ScenarioError, list_scenarios, load_scenario
from bot.transcript import Transcript
from trainer_ui.accounts import TRAINEE
from trainer_ui.app_state import rasa, require, store
from trainer_ui.exports import session_pdf
from trainer_ui.report_view import show_report
from trainer_ui.store import SelfRating, transcript_from_dict

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


def chat(session_id: str, transcript: Transcript) -> None:
    st.title("Practice session")
    for error in transcript.errors:
        st.error(error)
    if transcript.opening:
        st.chat_message("assistant").text(transcript.opening)
    for exchange in transcript.exchanges:
        st.chat_message("user").text(exchange.trainee_text)
        if exchange.patient_text:
            st.chat_message("assistant").text(exchange.patient_text)
    if st.button("End session and see my report"):
        rasa().end_session(session_id)
        store().end_session(session_id)
        st.rerun()
    if text := st.chat_input("Your response to the patient"):
        try:
            rasa().say(session_id, text)
        except RasaUnavailable as error:
            st.error(str(error))
            return
        st.rerun()


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
    if st.button("← Choose another patient"):
        del st.query_params["session"]
        st.rerun()
    try:
        # An ended session's coded copy is kept here: its report needs no patient server.
        transcript = (
            transcript_from_dict(session.snapshot)
            if session.snapshot is not None
            else rasa().transcript(session_id)
        )
    except RasaUnavailable as error:
        st.error(str(error))
        return
    if not transcript.ended:
        chat(session_id, transcript)
        return
    if session.snapshot is None:
        store().save_snapshot(session_id, transcript)
    rating = store().self_rating(session_id)
    if rating is None and transcript.codings_per_turn:
        rate(session_id)
        return
    show_report(transcript, rating, store().comments(session_id))
    if transcript.codings_per_turn:
        st.download_button(
            "Download my report (PDF)",
            session_pdf(session, transcript, user.username),
            f"report-{session_id[:8]}.pdf",
            "application/pdf",
        )


main()
