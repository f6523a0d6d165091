"""Shared resources of the pages (loaded once) and the logged-in user, with role checks."""

from __future__ import annotations

import logging
import os

import streamlit as st

from bot.client import RasaClient
from scoring import Coder, CoderUnavailable, load_coder
from trainer_ui.accounts import Accounts, User
from trainer_ui.login_sessions import LoginSessions
from trainer_ui.retention import RetentionError, RetentionJob, log_to_stderr, retention_days
from trainer_ui.store import Store


@st.cache_resource
def store() -> Store:
    """The app database (APP_DATABASE_URL)."""
    return Store.from_env()


@st.cache_resource
def rasa() -> RasaClient:
    """The client of the Rasa server (RASA_URL, RASA_TOKEN)."""
    return RasaClient.from_env()


@st.cache_resource
def _coder() -> Coder:
    return load_coder()


def coder() -> Coder:
    """The MITI coder for drills and previews, loaded once per server.

    Without a trained coder the page says so (``make coder``) and stops: a failure is not
    cached, so the page works once the coder has been trained.
    """
    try:
        return _coder()
    except CoderUnavailable as error:
        st.error(f"The behaviour coder is not available: {error}")
        st.stop()
        raise  # st.stop() raises; this is for type checkers


@st.cache_resource
def retention_job() -> RetentionJob:
    """The transcript purge of this app server, started on its first page view.

    A bad TRANSCRIPT_RETENTION_DAYS purges nothing; administrators see the error on
    *Accounts* (`retention_error`), and no page fails because of it.
    """
    log_to_stderr()
    try:
        days = retention_days()
    except RetentionError as error:
        logging.getLogger("trainer_ui.retention").error("retention: %s", error)
        days = None
    return RetentionJob(store(), rasa(), days).start()


def retention_error() -> str | None:
    """Why TRANSCRIPT_RETENTION_DAYS cannot be used, if it cannot."""
    try:
        retention_days()
    except RetentionError as error:
        return str(error)
    return None


def accounts() -> Accounts:
    """Accounts on the app database."""
    return Accounts(store())


#: Where this tab keeps its login token, and the browser's cookie that carries it to reloads,
#: new tabs and deep links (see docs/app.md, "Logins").
TOKEN_KEY = "login_token"
COOKIE = "mi_login"
#: The header a trusted reverse proxy puts the client's address in (e.g. X-Real-IP); unset,
#: the connection's own address is the client's.
CLIENT_HEADER_ENV = "APP_CLIENT_ADDRESS_HEADER"


@st.cache_resource
def login_sessions() -> LoginSessions:
    """Login tokens (timeouts from APP_LOGIN_IDLE_MINUTES and APP_LOGIN_MAX_HOURS)."""
    return LoginSessions(store().engine)


def client_address() -> str:
    """The address of the browser, for the per-client login throttle and the audit log."""
    header = os.environ.get(CLIENT_HEADER_ENV)
    if header and (value := st.context.headers.get(header)):
        # A proxy appends the address it saw: the last entry is the one it vouches for.
        return value.split(",")[-1].strip()[:64]
    address = st.context.ip_address
    # Streamlit gives no address for connections through localhost (nor under AppTest).
    return address[:64] if isinstance(address, str) and address else "local"


def login_token() -> str | None:
    """This tab's login token; after a reload or in a new tab, the one the cookie brought."""
    token = st.session_state.get(TOKEN_KEY)
    return token if token else st.context.cookies.get(COOKIE)


def current_user() -> User | None:
    """The logged-in user, re-read from the database so role changes apply at once.

    None once the login has ended (log out anywhere, idle timeout, a reset, a disabled
    account); a tab whose login ended that way is told so on the login page.
    """
    token = login_token()
    user_id = login_sessions().user_id(token) if token else None
    user = accounts().get(user_id) if user_id is not None else None
    if user is None or user.disabled:
        if st.session_state.pop(TOKEN_KEY, None):
            st.session_state["login-ended"] = True
        return None
    st.session_state[TOKEN_KEY] = token
    return user


def require(*roles: str) -> User:
    """The logged-in user if their role may see this page; otherwise stops the page."""
    user = current_user()
    if user is None:
        st.error("Please log in.")
        st.stop()
    assert user is not None  # st.stop() raises; this is for type checkers
    if roles and user.role not in roles:
        st.error("This page is not available to your role.")
        st.stop()
    return user
