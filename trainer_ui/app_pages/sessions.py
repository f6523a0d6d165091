"""Supervisor page: my trainees' sessions with filters, a cohort dashboard and cohort exports.

Figures, filters and exports use the supervisors' codes where a code was corrected.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from scoring.report import NOT_ENOUGH
from trainer_ui.accounts import ADMIN, SUPERVISOR
from trainer_ui.app_state import accounts, require, store
from trainer_ui.corrections import corrected_count
from trainer_ui.exports import cohort_rows, to_csv, to_json
from trainer_ui.progress import figure_history, reached

user = require(SUPERVISOR, ADMIN)

st.title("Sessions of my trainees")
trainees = {t.id: t.username for t in accounts().trainees_of(user)}
if not trainees:
    st.info("No trainees are assigned to you yet; an administrator assigns them on Accounts.")
    st.stop()
sessions = store().list_sessions(user_ids=list(trainees))

left, middle, right = st.columns(3)
chosen_trainees = left.multiselect("Trainee", sorted(trainees.values()))
scenario_ids = sorted({s.scenario_id for s in sessions})
chosen_scenarios = middle.multiselect("Scenario", scenario_ids)
threshold = right.selectbox("Threshold reached", ["any", "fair or better", "good", "not reached"])
dates = st.date_input("Started between", value=[])

shown = []
for session in sessions:
    name = trainees.get(session.user_id or -1, "")
    if chosen_trainees and name not in chosen_trainees:
        continue
    if chosen_scenarios and session.scenario_id not in chosen_scenarios:
        continue
    bounds = list(dates) if isinstance(dates, (tuple, list)) else []
    if len(bounds) == 2 and not bounds[0] <= session.started_at.date() <= bounds[1]:
        continue
    level = reached(session, "good" if threshold == "good" else "fair")
    if threshold in ("fair or better", "good") and not level:
        continue
    if threshold == "not reached" and level is not False:
        continue
    shown.append(session)

st.subheader(f"{len(shown)} session(s)")
for session in shown:
    with st.container(border=True):
        status = "ended" if session.ended_at else "open"
        reviewed = " · reviewed" if session.reviewed_at else ""
        count = corrected_count(session)
        corrected = f" · {count} code{'s' if count > 1 else ''} corrected" if count else ""
        st.text(
            f"{trainees.get(session.user_id or -1, '')} · {session.scenario_id} · "
            f"{session.started_at:%d %b %Y %H:%M} · {status}{reviewed}{corrected} · "
            f"#{session.id[:8]}"
        )
        if st.button("Review", key=f"review-{session.id}"):
            st.switch_page("app_pages/review.py", query_params={"session": session.id})

st.subheader("Cohort dashboard")
history = figure_history(shown)
if history:
    frame = pd.DataFrame(history)
    summary = frame.groupby("figure").agg(
        sessions=("value", "count"),
        mean=("value", "mean"),
        rated=("rated", "sum"),
        # Sessions whose figures rest on a supervisor's corrected codes.
        corrected=("corrected", lambda c: int((c > 0).sum())),
        # Share of the rated sessions: a figure below its floor has no verdict.
        fair_or_better=(
            "rating",
            lambda r: float(r.isin(["fair", "good"]).sum() / max(1, (r != NOT_ENOUGH).sum())),
        ),
    )
    st.dataframe(summary)
    st.line_chart(frame.pivot_table(index="date", columns="key", values="value"))
else:
    st.info("No ended sessions with coded turns match the filters.")

rows = cohort_rows(shown, trainees)
st.download_button("Download codes and figures (CSV)", to_csv(rows), "cohort.csv", "text/csv")
st.download_button(
    "Download codes and figures (JSON)", to_json(rows), "cohort.json", "application/json"
)
