"""Trainer app entry point: first-run set-up, log in, then the pages of the user's role."""

from __future__ import annotations

import logging
import secrets
from pathlib import Path

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from trainer_ui import audit, setup_code
from trainer_ui.accounts import ADMIN, EDUCATOR, SUPERVISOR, TRAINEE, AccountError
from trainer_ui.app_state import (
    TOKEN_KEY,
    accounts,
    client_address,
    current_user,
    login_sessions,
    login_token,
    retention_job,
)
from trainer_ui.auth import log_out
from trainer_ui.login_view import forced_password_change, keep_cookie, login, open_wanted_page
from trainer_ui.retention import log_to_stderr

logger = logging.getLogger("trainer_ui.app")

st.set_page_config(page_title="MI practice", page_icon="💬", layout="wide")

PAGES = Path(__file__).resolve().parent / "app_pages"


def page(name: str, title: str, icon: str, default: bool = False) -> StreamlitPage:
    """One page of the app, from ``app_pages/<name>.py``."""
    return st.Page(PAGES / f"{name}.py", title=title, icon=icon, default=default)


def first_run_setup() -> None:
    """Creates the first administrator: there is no default account or password."""
    st.title("Welcome: set up the administrator")
    st.write(
        "No accounts exist yet. Enter the set-up code that `make run` printed in its "
        "terminal, then choose the administrator's user name and password; the administrator "
        "then creates accounts for trainees, supervisors and educators."
    )
    st.caption(
        "Started the app another way, or lost the code? Create the administrator in a "
        "terminal instead: `python -m trainer_ui.accounts create-admin NAME`."
    )
    with st.form("setup"):
        code = st.text_input("Set-up code (from the terminal running make run)")
        username = st.text_input("Administrator user name")
        password = st.text_input("Password (at least 10 characters)", type="password")
        again = st.text_input("Password again", type="password")
        if st.form_submit_button("Create administrator", type="primary"):
            if not setup_code.code_matches(code):
                st.error(
                    "That is not the set-up code. Copy it from the terminal where `make run` "
                    "runs (it is printed under 'First run')."
                )
                return
            if password != again:
                st.error("The two passwords differ.")
                return
            try:
                user = accounts().create_first_admin(username, password)
            except AccountError as error:
                st.error(str(error))
                return
            setup_code.forget_code()
            st.session_state[TOKEN_KEY] = login_sessions().start(user.id)
            audit.log(accounts().engine, audit.LOGIN, user.username, client=client_address())
            st.rerun()


def pages_for(role: str) -> dict[str, list[StreamlitPage]]:
    """The navigation of a role: each person sees only the pages they may use.

    For no role (""): every page, to be listed hidden while nobody is logged in.
    """
    trainee = [
        page("practice", "Practice", ":material/forum:", default=role == TRAINEE),
        page("my_sessions", "My sessions", ":material/history:"),
        page("progress", "Progress", ":material/trending_up:"),
        page("drills", "Drills", ":material/fitness_center:"),
    ]
    supervisor = [
        page("sessions", "Sessions", ":material/groups:", default=role == SUPERVISOR),
        page("review", "Review a session", ":material/rate_review:"),
        page("agreement", "Coder agreement", ":material/balance:"),
    ]
    educator = [
        page("authoring", "Scenario authoring", ":material/edit_note:", default=role == EDUCATOR)
    ]
    admin = [page("users", "Accounts", ":material/manage_accounts:", default=role == ADMIN)]
    own = {"Your account": [page("account", "Password", ":material/key:")]}
    if role == TRAINEE:
        return {"Practice": trainee, **own}
    if role == SUPERVISOR:
        return {"Supervision": supervisor, **own}
    if role == EDUCATOR:
        return {"Scenarios": educator, **own}
    if role == ADMIN:
        return {"Administration": admin, "Supervision": supervisor, "Scenarios": educator, **own}
    return {"": trainee + supervisor + educator + admin + own["Your account"]}


def hide_navigation() -> None:
    """Lists every page, hidden and not run: the sidebar keeps no earlier user's pages, and the
    address the visitor opened (a deep link) stays as it is until the login."""
    st.navigation(pages_for(""), position="hidden")


def show_error(error: Exception) -> None:
    """Logs an unexpected error with an id and shows the user the id, never the traceback."""
    error_id = secrets.token_hex(4)
    logger.error("error %s: %s", error_id, error, exc_info=error)
    st.error(
        f"Something went wrong on this page (error {error_id}). Try again; if it keeps "
        "happening, give the administrator this id: the details are in the app's log."
    )


def main() -> None:
    # Starts the hourly transcript purge once per server (a cached resource), on any page.
    retention_job()
    if accounts().needs_setup():
        first_run_setup()
        return
    user = current_user()
    if user is None:
        hide_navigation()
        login()
        return
    keep_cookie()
    with st.sidebar:
        st.caption(f"Logged in as {user.username} ({user.role})")
        if st.button("Log out"):
            log_out(accounts(), login_sessions(), user, login_token(), client_address())
            st.session_state.clear()
            st.rerun()
    if user.must_change_password:
        hide_navigation()
        forced_password_change(user)
        return
    if st.session_state.pop("password-changed", False):
        st.toast("Password changed. Your other logins have ended.")
    pages = pages_for(user.role)
    current = st.navigation(pages)
    open_wanted_page(current, [p for section in pages.values() for p in section])
    current.run()


# The audit trail and the login settings' warnings go to the app's log too.
for name in (logger.name, "trainer_ui.audit", "trainer_ui.login"):
    log_to_stderr(logging.getLogger(name))
try:
    main()
except Exception as error:  # st.stop and st.rerun are BaseExceptions and pass through
    show_error(error)
