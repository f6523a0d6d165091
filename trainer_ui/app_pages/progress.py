"""Trainee page: each MITI figure over my sessions against its fair and good lines."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from trainer_ui.accounts import TRAINEE
from trainer_ui.app_state import require, store
from trainer_ui.progress import figure_history

user = require(TRAINEE)

st.title("My progress")
rows = figure_history(store().list_sessions(user_ids=[user.id]))
if not rows:
    st.info("Progress appears once you have ended a session with coded turns.")
    st.stop()
frame = pd.DataFrame(rows)
for figure, part in frame.groupby("figure", sort=False):
    st.subheader(str(figure))
    base = alt.Chart(part).encode(x=alt.X("date:T", title="Session"))
    line = base.mark_line(point=True).encode(y=alt.Y("value:Q", title="Value"))
    fair = base.mark_rule(strokeDash=[4, 4], color="orange").encode(y="fair:Q")
    good = base.mark_rule(strokeDash=[4, 4], color="green").encode(y="good:Q")
    st.altair_chart(line + fair + good, use_container_width=True)
    st.caption("Dashed lines: orange = fair, green = good (MITI thresholds).")
st.subheader("All figures")
st.dataframe(
    frame[["date", "scenario", "figure", "value", "fair", "good", "rating"]], hide_index=True
)
