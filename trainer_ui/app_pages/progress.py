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
    # One point per session, dated to the minute; the thresholds are horizontal lines drawn
    # from their own one-row data (encoded on the session axis they became vertical rules).
    label = pd.to_datetime(part["date"]).dt.strftime("%d %b %Y %H:%M")
    repeat = label.groupby(label).cumcount()
    part = part.assign(session=label + repeat.map(lambda n: f" ({n + 1})" if n else ""))
    line = (
        alt.Chart(part)
        .mark_line(point=True)
        .encode(
            x=alt.X("session:O", sort=None, title="Session", axis=alt.Axis(labelAngle=-30)),
            y=alt.Y("value:Q", title="Value"),
            tooltip=["session", "value", "rating"],
        )
    )
    limits = pd.DataFrame(
        [
            {"threshold": "fair", "y": part["fair"].iloc[0]},
            {"threshold": "good", "y": part["good"].iloc[0]},
        ]
    ).dropna()
    rules = (
        alt.Chart(limits)
        .mark_rule(strokeDash=[4, 4])
        .encode(
            y="y:Q",
            color=alt.Color(
                "threshold:N",
                scale=alt.Scale(domain=["fair", "good"], range=["orange", "green"]),
            ),
        )
    )
    st.altair_chart(line + rules, use_container_width=True)
    st.caption(
        "Dashed lines: orange = fair, green = good (MITI thresholds). A session whose figure "
        "rests on too few events is listed below as 'not enough to rate'."
    )
st.subheader("All figures")
st.dataframe(
    frame[["date", "scenario", "figure", "value", "fair", "good", "rating", "corrected"]].rename(
        columns={"corrected": "codes corrected"}
    ),
    hide_index=True,
)
if frame["corrected"].any():
    st.caption("Where a supervisor corrected a code, every figure uses the corrected code.")
