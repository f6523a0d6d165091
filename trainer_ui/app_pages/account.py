"""Every user's own account: change the password (other logins end; this one stays)."""

from __future__ import annotations

import streamlit as st

from trainer_ui.app_state import require
from trainer_ui.login_view import password_form

user = require()

st.title("Your password")
st.text(f"{user.username} ({user.role})")
password_form(user)
