"""Trainer app: pick a simulated patient, talk with it, end the session, read the report."""

from __future__ import annotations

import streamlit as st

from bot.scenario import ScenarioError, list_scenarios, load_scenario
from bot.client import RasaClient, RasaUnavailable
from trainer_ui.report_view import show_report
from trainer_ui.store import Store

st.set_page_config(page_title="MI practice", page_icon="💬", layout="wide")


@st.cache_resource
def store() -> Store:
    return Store.from_env()


@st.cache_resource
def rasa() -> RasaClient:
    return RasaClient.from_env()


def open_session(session_id: str) -> None:
    st.query_params["session"] = session_id
    st.rerun()


def sidebar() -> None:
    with st.sidebar:
        st.header("New practice session")
        scenarios = {}
        for scenario_id in list_scenarios():
            # One broken file must not hide the other patients.
            try:
                scenarios[scenario_id] = load_scenario(scenario_id)
            except ScenarioError as error:
                st.warning(f"Scenario {scenario_id!r} is unavailable: {error}")
        if scenarios:
            chosen = st.selectbox(
                "Patient",
                list(scenarios),
                format_func=lambda scenario_id: scenarios[scenario_id].title,
            )
            scenario = scenarios[chosen]
            st.caption(scenario.brief)
            st.markdown(f"**Change goal:** {scenario.change_goal}")
            if st.button("Start session", type="primary", use_container_width=True):
                session = store().create_session(scenario.id)
                try:
                    rasa().start_session(session.id, scenario.id)
                except RasaUnavailable as error:
                    st.error(str(error))
                    return
                open_session(session.id)

        st.header("Past sessions")
        for past in store().list_sessions():
            status = "ended" if past.ended_at else "open"
            label = f"{past.started_at:%d %b %H:%M} · {past.scenario_id} · {status}"
            if st.button(label, key=f"open-{past.id}", use_container_width=True):
                open_session(past.id)


def chat(session_id: str) -> None:
    client = rasa()
    transcript = client.transcript(session_id)
    for error in transcript.errors:
        st.error(error)
    if transcript.opening:
        st.chat_message("assistant").write(transcript.opening)
    for exchange in transcript.exchanges:
        st.chat_message("user").write(exchange.trainee_text)
        if exchange.patient_text:
            st.chat_message("assistant").write(exchange.patient_text)

    if st.button("End session and see my report"):
        client.end_session(session_id)
        store().end_session(session_id)
        st.rerun()
    if text := st.chat_input("Your response to the patient"):
        client.say(session_id, text)
        st.rerun()


def main() -> None:
    sidebar()
    session_id = st.query_params.get("session")
    if not session_id:
        st.title("Motivational interviewing practice")
        st.write(
            "Choose a patient on the left and start a session. Talk with them as you would "
            "in clinic, then end the session to see how your responses were coded."
        )
        return
    session = store().get(session_id)
    if session is None:
        st.error("There is no session with that id.")
        return
    try:
        transcript = rasa().transcript(session_id)
        if transcript.ended:
            show_report(transcript)
        else:
            chat(session_id)
    except RasaUnavailable as error:
        st.error(str(error))


main()
