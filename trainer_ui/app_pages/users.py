"""Administrator page: create and manage accounts, assign supervisors, the audit log, retention.

Managing an account: reset its password (a temporary one, changed at the next login),
disable or enable it, change its role. Every change is in the audit log shown below.
"""

from __future__ import annotations

import streamlit as st

from trainer_ui import audit
from trainer_ui.accounts import ADMIN, ROLES, SUPERVISOR, TRAINEE, AccountError, User
from trainer_ui.app_state import accounts, require, retention_error, retention_job
from trainer_ui.retention import RETENTION_ENV, describe

user = require(ADMIN)

st.title("Accounts")
if created_note := st.session_state.pop("account-created", None):
    st.success(created_note)
everyone = accounts().all()
supervisors = {u.id: u.username for u in everyone if u.role in (SUPERVISOR, ADMIN)}


def state(account: User) -> str:
    """The account's state in words."""
    if account.disabled:
        return "disabled"
    return "must change password" if account.must_change_password else "active"


st.dataframe(
    [
        {
            "User": u.username,
            "Role": u.role,
            "Supervisor": supervisors.get(u.supervisor_id or -1, ""),
            "Status": state(u),
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
            created = accounts().create(username, password, role, supervisor, by=user)
        except AccountError as error:
            st.error(str(error))
        else:
            # Run the page again so every list (the table, the supervisors offered in this
            # form and in the assignment below) includes the new account at once.
            st.session_state["account-created"] = (
                f"Account {created.username} ({created.role}) created."
            )
            st.rerun()

st.subheader("Manage an account")
if note := st.session_state.pop("account-changed", None):
    st.success(note)
if temporary := st.session_state.pop("temporary-password", None):
    name, password = temporary
    st.warning(
        f"Temporary password of {name}, shown once: give it to them in person or by a "
        "channel only they read. They must choose their own at their next login."
    )
    st.code(password, language=None)
by_id = {u.id: u for u in everyone}
# Names only: the browser keeps showing an option's text from when it was chosen, so a role
# or state in it would go stale after a change.
chosen_id = st.selectbox(
    "Account", list(by_id), format_func=lambda i: by_id[i].username, key="manage-account"
)
account = by_id[chosen_id]
st.text(f"{account.username}: {account.role}, {state(account)}")


def changed(note: str) -> None:
    """Shows ``note`` after the page runs again with every list up to date."""
    st.session_state["account-changed"] = note
    st.rerun()


reset_col, role_col, access_col = st.columns(3)
with reset_col, st.form("reset-password", clear_on_submit=True):
    st.markdown("**Reset password**")
    typed = st.text_input(
        "Temporary password (empty: one is generated)", type="password", key="temporary"
    )
    if st.form_submit_button("Reset password"):
        try:
            given = accounts().reset_password(account.id, user, typed)
        except AccountError as error:
            st.error(str(error))
        else:
            st.session_state["temporary-password"] = (account.username, given)
            changed(f"Password of {account.username} reset; their logins have ended.")
with role_col, st.form("change-role"):
    st.markdown("**Role**")
    # One widget per account, so each starts at that account's role.
    new_role = st.selectbox(
        "New role", ROLES, index=ROLES.index(account.role), key=f"new-role-{account.id}"
    )
    if st.form_submit_button("Change role"):
        try:
            accounts().set_role(account.id, new_role, user)
        except AccountError as error:
            st.error(str(error))
        else:
            changed(f"{account.username} is now {new_role}.")
with access_col:
    st.markdown("**Access**")
    st.caption("A disabled account cannot log in; its logins end at once. Its data stay.")
    if account.disabled:
        if st.button("Enable account"):
            accounts().set_disabled(account.id, False, user)
            changed(f"{account.username} can log in again.")
    elif st.button("Disable account", disabled=account.id == user.id):
        try:
            accounts().set_disabled(account.id, True, user)
        except AccountError as error:
            st.error(str(error))
        else:
            changed(f"{account.username} is disabled.")

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

st.subheader("Logins and account changes")
st.caption("The newest 200 entries; the app's log has them all (lines starting 'audit:').")
st.dataframe(
    [
        {
            "When (UTC)": entry.at.strftime("%Y-%m-%d %H:%M:%S"),
            "Event": entry.event.replace("_", " "),
            "Account": entry.username,
            "By": entry.actor or "",
            "From": entry.client or "",
            "Detail": entry.detail,
        }
        for entry in audit.recent(accounts().engine)
    ],
    hide_index=True,
)

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
