"""Administrator page: create accounts and assign trainees to supervisors."""

from __future__ import annotations

import streamlit as st

from trainer_ui.accounts import ADMIN, ROLES, SUPERVISOR, TRAINEE, AccountError
from trainer_ui.app_state import accounts, require

user = require(ADMIN)

st.title("Accounts")
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
            st.success(f"Account {created.username} ({created.role}) created.")

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
