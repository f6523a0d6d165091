"""Supervisor page: agreement of the automatic coder with supervisors' corrections, per code."""

from __future__ import annotations

import streamlit as st

from session_record import Transcript
from trainer_ui.accounts import ADMIN, SUPERVISOR
from trainer_ui.app_state import accounts, require, store
from trainer_ui.report_rows import reliability_text
from trainer_ui.review import (
    cohen_kappa,
    corrections_jsonl,
    patient_context,
    per_code,
    reviewed_pairs,
)

user = require(SUPERVISOR, ADMIN)

st.title("Coder agreement")
st.write(
    "How often the automatic coder agrees with supervisors. Counted over every corrected "
    "utterance, and every utterance of sessions marked as reviewed (an uncorrected code there "
    "counts as agreement)."
)
with st.expander("The coder against expert coders"):
    for paragraph in reliability_text():
        st.text(paragraph)
trainees = [t.id for t in accounts().trainees_of(user)]
sessions = [s for s in store().list_sessions(user_ids=trainees) if s.snapshot]
items = store().overrides([s.id for s in sessions])
triples = [
    (s.id, Transcript.from_dict(s.snapshot or {}), s.reviewed_at is not None) for s in sessions
]
pairs = reviewed_pairs(triples, items)
if not pairs:
    st.info("No reviewed utterances yet: review a session and correct or confirm its codes.")
    st.stop()
overall = cohen_kappa(pairs)
left, right = st.columns(2)
left.metric("Utterances compared", len(pairs))
right.metric("Cohen's kappa (all codes)", "–" if overall is None else f"{overall:.2f}")
st.dataframe(
    [
        {
            "Code": row.code,
            "Supervisor count": row.support,
            "Kappa": None if row.kappa is None else round(row.kappa, 2),
            "F1": None if row.f1 is None else round(row.f1, 2),
        }
        for row in per_code(pairs)
    ],
    hide_index=True,
)
context: dict[tuple[str, int], str] = {}
for session_id, transcript, _ in triples:
    context.update(patient_context(session_id, transcript))
st.download_button(
    "Download corrections as training data (JSONL)",
    corrections_jsonl(items, context),
    "supervisor_corrections.jsonl",
    "application/jsonl",
)
st.caption(
    "One JSON object per corrected utterance: text, the supervisor's code, the patient's words "
    "before it (prev) and the coder's code, the fields of the coder's authored corpus."
)
