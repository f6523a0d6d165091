"""Trainee page: short exercises built from my own weak turns, coded on submission."""

from __future__ import annotations

import streamlit as st

from trainer_ui.accounts import TRAINEE
from trainer_ui.app_state import coder, require, store
from trainer_ui.drills import build_drills, grade

user = require(TRAINEE)

st.title("Drills")
drills = build_drills(store().list_sessions(user_ids=[user.id]))
if not drills:
    st.info(
        "Drills are built from your own closed questions, simple reflections and advice. "
        "End a session first; if it had none, well done."
    )
    st.stop()
for number, drill in enumerate(drills):
    st.subheader(drill.instruction)
    with st.form(f"drill-{drill.code}"):
        answers = []
        for index, item in enumerate(drill.items):
            if item.prev:
                st.caption("The patient had said:")
                st.text(item.prev)
            st.text(f"You said: {item.text}")
            answers.append(st.text_input("Your rewrite", key=f"answer-{number}-{index}"))
        if st.form_submit_button("Check my rewrites"):
            for result in grade(drill, answers, coder()):
                verdict = "✅ hit the target" if result.passed else "❌ not yet"
                st.text(f"{verdict} · coded {result.code}: {result.answer}")
                st.caption(result.reason)
