"""Supervisor page: one session's transcript with codes; override codes, comment, export PDF."""

from __future__ import annotations

from functools import partial

import streamlit as st

from bot.client import RasaUnavailable
from scoring import CODES
from session_record import Transcript
from trainer_ui.accounts import ADMIN, SUPERVISOR, can_review
from trainer_ui.app_state import accounts, coder, rasa, require, store
from trainer_ui.corrections import coded_session
from trainer_ui.report_pdf import session_pdf
from trainer_ui.report_rows import full_report, mark
from trainer_ui.report_view import PATIENT_AVATAR, show_report, show_safety

user = require(SUPERVISOR, ADMIN)

st.title("Review a session")
session_id = st.query_params.get("session")
if not session_id:
    st.info("Choose a session on the Sessions page.")
    st.stop()
session = store().get(session_id)
if session is None or not can_review(user, session, accounts()):
    st.error("There is no session with that id.")
    st.stop()
assert session is not None
if session.snapshot is not None:
    coded = Transcript.from_dict(session.snapshot)
else:
    try:
        coded = rasa().transcript(session.id)
    except RasaUnavailable as error:
        st.error(str(error))
        st.stop()
owner = accounts().get(session.user_id) if session.user_id else None
owner_name = owner.username if owner else "unknown"
st.text(f"{owner_name} · {session.scenario_id} · {session.started_at:%d %b %Y %H:%M}")
items = session.corrections
corrected = coded_session(session, coded)
assert corrected is not None  # a transcript is given
comments = store().comments(session.id)
# The report of the supervisor's codes: its safety notes first, its figures at the end.
full = full_report(corrected.transcript, coder().code_turn)
show_safety(full)


def add_comment(session_id: str, turn: int) -> None:
    """Saves a turn's comment and empties its box (a callback: before the page runs again)."""
    note = str(st.session_state.get(f"comment-{turn}") or "").strip()
    if note:
        store().add_comment(session_id, turn, user.id, note)
    st.session_state[f"comment-{turn}"] = ""


st.subheader("Transcript and codes")
if coded.opening:
    st.chat_message("assistant", avatar=PATIENT_AVATAR).text(coded.opening)
pairs = zip(coded.exchanges, corrected.transcript.exchanges, strict=True)
for turn, (exchange, fixed) in enumerate(pairs):
    with st.container(border=True):
        st.chat_message("user").text(exchange.trainee_text)
        for unit, (coding, now_coding) in enumerate(
            zip(exchange.codings, fixed.codings, strict=True)
        ):
            label = (
                f"{mark(now_coding.code)} · {now_coding.code} · "
                f"confidence {now_coding.confidence:.2f}"
            )
            if correction := corrected.correction(turn, unit):
                label += f" · {correction.note()}"
            st.text(f"“{coding.text}” → {label}")
            if correction is None:
                st.caption(now_coding.reason)
            with st.expander("Override code"):
                new = st.selectbox(
                    "Correct code",
                    CODES,
                    index=CODES.index(now_coding.code),
                    key=f"code-{turn}-{unit}",
                )
                if st.button("Save correction", key=f"save-{turn}-{unit}"):
                    store().add_override(
                        session.id, turn, unit, coding.text, coding.code, new, user.id
                    )
                    st.rerun()
        if exchange.patient_text:
            st.chat_message("assistant", avatar=PATIENT_AVATAR).text(
                f"{exchange.patient_text}  [{exchange.talk or '-'} talk]"
            )
        for comment in comments:
            if comment.turn == turn:
                st.text(f"Comment · {comment.heading()}: {comment.text}")
        st.text_input("Comment on this turn", key=f"comment-{turn}")
        st.button(
            "Add comment", key=f"add-comment-{turn}", on_click=add_comment, args=(session.id, turn)
        )

st.subheader("Comments on the whole session")
for comment in comments:
    if comment.turn is None:
        st.text(f"Comment · {comment.heading()}: {comment.text}")
with st.form("session-comment", clear_on_submit=True):
    note = st.text_area("Comment on the session")
    if st.form_submit_button("Add session comment") and note.strip():
        store().add_comment(session.id, None, user.id, note.strip())
        st.rerun()

st.subheader("Corrections")
if items:
    st.dataframe(
        [
            {
                "Turn": o.turn + 1,
                "Utterance": o.text,
                "Coder": o.original_code,
                "Supervisor": o.new_code,
                "By": o.by_name or "?",
                "When": o.at.strftime("%Y-%m-%d %H:%M"),
            }
            for o in items
        ],
        hide_index=True,
    )
if st.button("Mark every code as reviewed"):
    store().mark_reviewed(session.id, user.id)
    st.rerun()
if session.reviewed_at:
    st.caption(f"Reviewed {session.reviewed_at:%d %b %Y %H:%M}.")

if corrected.transcript.codings_per_turn:
    rating = store().self_rating(session.id)
    st.download_button(
        "Download report (PDF)",
        # Made when clicked, not on every run of the page.
        partial(session_pdf, session, corrected, full, owner_name, rating, comments),
        f"report-{session.id[:8]}.pdf",
        "application/pdf",
        on_click="ignore",
    )
    with st.expander("Report with corrected codes"):
        show_report(corrected, full, rating, comments)
