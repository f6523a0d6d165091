"""The login form, password changes, the login cookie and deep links that survive a login.

Why a cookie set by script: a login must survive reloads, new tabs and deep links, so the
browser has to hold it. Streamlit reads cookies (``st.context.cookies``, sent with the page's
connection) but its server sets none for an app, so the cookie is written by a few lines of
script (``st.html``). It cannot be HttpOnly; it is SameSite=Strict, Secure over https, and
holds only a signed token that the server can end (log out, reset, disable) and that idles
out. The other option, the token in the URL (``st.query_params``), was refused: URLs are
copied into deep links, history and logs.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from urllib.parse import urlparse

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from trainer_ui.accounts import MIN_PASSWORD, AccountError, User
from trainer_ui.app_state import (
    COOKIE,
    TOKEN_KEY,
    accounts,
    client_address,
    login_sessions,
)
from trainer_ui.auth import LoginRefused, log_in

_WANTED = "wanted-page"


def _write_cookie(value: str, max_age: int) -> None:
    secure = "; Secure" if (st.context.url or "").startswith("https:") else ""
    cookie = f"{COOKIE}={value}; Path=/; Max-Age={max_age}; SameSite=Strict{secure}"
    st.html(
        f"<script>document.cookie = {json.dumps(cookie)};</script>", unsafe_allow_javascript=True
    )


def keep_cookie() -> None:
    """Gives the browser this tab's login when it does not hold it yet (after a login)."""
    token = st.session_state.get(TOKEN_KEY)
    if token and st.context.cookies.get(COOKIE) != token:
        lifetime = login_sessions().settings.lifetime
        with st.sidebar:
            _write_cookie(token, int(lifetime.total_seconds()))


def login() -> None:
    """The login form; remembers the page the visitor asked for (a deep link)."""
    if st.context.cookies.get(COOKIE):
        _write_cookie("", 0)  # the browser's login has ended: forget it
    st.title("Motivational interviewing practice")
    if st.session_state.pop("login-ended", False):
        seconds = int(login_sessions().settings.idle.total_seconds())
        idle = f"{seconds // 60} minutes" if seconds >= 120 else f"{seconds} seconds"
        st.info(
            f"Your login has ended: {idle} without activity, a log out in another "
            "tab, or a change to your account. Please log in again."
        )
    with st.form("login"):
        username = st.text_input("User name")
        password = st.text_input("Password", type="password")
        if st.form_submit_button("Log in", type="primary"):
            try:
                done = log_in(accounts(), login_sessions(), username, password, client_address())
            except LoginRefused as refused:
                st.error(str(refused))
                return
            st.session_state[TOKEN_KEY] = done.token
            # The page in the address bar (its last path segment) and its query: a deep
            # link such as /review?session=... opens once the navigation exists.
            path = urlparse(st.context.url or "").path.rstrip("/").rsplit("/", 1)[-1]
            st.session_state[_WANTED] = (path, st.query_params.to_dict())
            st.rerun()


def open_wanted_page(current: StreamlitPage, pages: Iterable[StreamlitPage]) -> None:
    """After a login from a deep link, switches to the page it named, if the role has it."""
    wanted = st.session_state.pop(_WANTED, None)
    if not wanted:
        return
    path, query = wanted
    for page in pages:
        if path and page.url_path == path and page.url_path != current.url_path:
            st.switch_page(page, query_params=query)


def password_form(user: User, forced: bool = False) -> None:
    """Changing one's own password: the current one, the new one twice."""
    with st.form("change-password", clear_on_submit=True):
        current = st.text_input(
            "Temporary password" if forced else "Current password", type="password"
        )
        new = st.text_input(f"New password (at least {MIN_PASSWORD} characters)", type="password")
        again = st.text_input("New password again", type="password")
        if st.form_submit_button("Change password", type="primary"):
            if new != again:
                st.error("The two new passwords differ.")
                return
            try:
                accounts().change_password(
                    user, current, new, keep_token=st.session_state.get(TOKEN_KEY)
                )
            except AccountError as error:
                st.error(str(error))
                return
            st.session_state["password-changed"] = True
            st.rerun()


def forced_password_change(user: User) -> None:
    """Before anything else after a reset: the temporary password must be replaced."""
    st.title("Choose a new password")
    st.write(
        "An administrator has reset your password. Choose your own now; it replaces the "
        "temporary one, which no longer works afterwards."
    )
    password_form(user, forced=True)
