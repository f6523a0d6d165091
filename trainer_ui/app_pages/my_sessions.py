"""Trainee page: my past sessions, to reopen or delete (a transcript belongs to its trainee)."""

from __future__ import annotations

import streamlit as st

from bot.client import RasaUnavailable
from trainer_ui.accounts import TRAINEE, can_delete
from trainer_ui.app_state import rasa, require, retention_job, store
from trainer_ui.retention import describe

user = require(TRAINEE)

st.title("My sessions")
st.caption(describe(retention_job().days))
sessions = store().list_sessions(user_ids=[user.id])
if not sessions:
    st.info("You have no sessions yet: start one on the Practice page.")
for session in sessions:
    status = "ended" if session.ended_at else "open"
    with st.container(border=True):
        st.text(f"{session.started_at:%d %b %Y %H:%M} · {session.scenario_id} · {status}")
        left, right = st.columns(2)
        if left.button("Open", key=f"open-{session.id}"):
            st.switch_page("app_pages/practice.py", query_params={"session": session.id})
        confirm = right.checkbox("I want to delete this transcript", key=f"confirm-{session.id}")
        deleting = right.button("Delete", key=f"delete-{session.id}", disabled=not confirm)
        if deleting and can_delete(user, session):
            # The tracker store first: if the patient server is down, the session stays
            # listed here so that deleting it can be tried again, rather than the app's
            # copy going while the turns stay behind, out of the trainee's reach.
            try:
                rasa().delete_session(session.id)
            except RasaUnavailable as error:
                st.error("Nothing was deleted; try again in a moment. The patient server said:")
                st.text(str(error))
            else:
                store().delete_session(session.id)
                st.rerun()
