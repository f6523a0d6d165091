"""Administrator page: create accounts, assign trainees to supervisors, see the retention."""

from __future__ import annotations

import streamlit as st

from trainer_ui.accounts import ADMIN, ROLES, SUPERVISOR, TRAINEE, AccountError
from trainer_ui.app_state import accounts, require, retention_error, retention_job
from trainer_ui.retention import RETENTION_ENV, describe

user = require(ADMIN)

st.title("Accounts")
if created_note := st.session_state.pop("account-created", None):
    st.success(created_note)
everyone = accounts().all()
supervisors = {u.id: u.username for u in everyone if u.role in (SUPERVISOR, ADMIN)}
st.dataframe(
    [
        {
            "User": u.username,
            "Role": u.role,
            "Supervisor": supervisors.get(u.supervisor_id or -1, ""),
        }
        for u in everyone
    ],
    hide_index=True,
)

st.subheader("New account")
with st.form("new-account", clear_on_submit=True):
    username = st.text_input("User name")
    password = st.text_input("Initial password (at least 10 characters)", type="password")
    role = st.selectbox("Role", ROLES)
    supervisor = st.selectbox(
        "Supervisor (trainees only)",
        [None, *supervisors],
        format_func=lambda i: "none" if i is None else supervisors[i],
    )
    if st.form_submit_button("Create account", type="primary"):
        try:
            created = accounts().create(username, password, role, supervisor)
        except AccountError as error:
            st.error(str(error))
        else:
            # Run the page again so every list (the table, the supervisors offered in this
            # form and in the assignment below) includes the new account at once.
            st.session_state["account-created"] = (
                f"Account {created.username} ({created.role}) created."
            )
            st.rerun()

st.subheader("Assign a trainee to a supervisor")
trainees = {u.id: u.username for u in everyone if u.role == TRAINEE}
if trainees and supervisors:
    trainee = st.selectbox("Trainee", list(trainees), format_func=trainees.__getitem__)
    chosen = st.selectbox(
        "Their supervisor", list(supervisors), format_func=supervisors.__getitem__, key="assign"
    )
    if st.button("Assign"):
        accounts().set_supervisor(trainee, chosen)
        st.rerun()

st.subheader("Transcript retention")
job = retention_job()
problem = retention_error()
if problem:
    st.error("The retention setting cannot be used, so nothing is deleted:")
    st.text(problem)
else:
    st.text(describe(job.days))
st.caption(f"Set by {RETENTION_ENV} in the app's environment (days; unset or 0: no limit).")
if job.last is not None:
    last, status = job.last, st.warning if job.last.error else st.success
    status(f"Last purge {last.at:%Y-%m-%d %H:%M} UTC; the next about an hour later.")
    # The outcome may quote the patient server's answer: shown as text, never as Markdown.
    st.text(last.summary())
elif job.days is not None:
    st.info("The first purge since the app started is under way.")
