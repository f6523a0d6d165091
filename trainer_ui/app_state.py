"""Shared resources of the pages (loaded once) and the logged-in user, with role checks."""

from __future__ import annotations

import streamlit as st

from bot.client import RasaClient
from scoring import Coder, load_coder
from trainer_ui.accounts import Accounts, User
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
def coder() -> Coder:
    """The MITI coder for drills and previews, loaded once per server."""
    return load_coder()


def accounts() -> Accounts:
    """Accounts on the app database."""
    return Accounts(store())


def current_user() -> User | None:
    """The logged-in user, re-read from the database so role changes apply at once."""
    user_id = st.session_state.get("user_id")
    return accounts().get(int(user_id)) if user_id is not None else None


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
