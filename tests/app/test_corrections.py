"""A supervisor's correction reaches every view of the session, with the coder's code beside it."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess

import pytest

from tests.app.conftest import coding, ended_transcript
from trainer_ui.corrections import coded_session, corrected_count
from trainer_ui.drills import build_drills
from trainer_ui.exports import cohort_rows, to_csv, to_json
from trainer_ui.progress import figure_history, reached
from trainer_ui.report_pdf import session_pdf
from trainer_ui.report_rows import full_report
from trainer_ui.store import SelfRating


def corrected_session(harness, transcript=None):
    """Tina's session; sam corrects turn 3's closed question to an open one."""
    harness.user("admin1", "admin")
    sam = harness.user("sam", "supervisor")
    tina = harness.user("tina", "trainee", sam)
    session_id = harness.ended_session(tina, transcript)
    harness.store.add_override(
        session_id, 2, 0, "Do you drink every night?", "question_closed", "question_open", sam.id
    )
    return sam, tina, session_id


def open_share(history: list[dict]) -> float:
    return next(r["value"] for r in history if r["key"] == "pct_open")


def test_the_newest_correction_counts_and_one_set_back_is_none(harness) -> None:
    sam, _, session_id = corrected_session(harness)
    session = harness.store.get(session_id)
    coded = coded_session(session)
    assert coded is not None
    assert [c.code for e in coded.transcript.exchanges for c in e.codings][2] == "question_open"
    correction = coded.correction(2, 0)
    assert correction is not None and (correction.coder_code, correction.by) == (
        "question_closed",
        "sam",
    )
    assert (
        coded.transcript.exchanges[2]
        .codings[0]
        .reason.startswith("coder said question_closed; corrected by sam on ")
    )
    assert corrected_count(session) == 1
    # Set back to the coder's code: the coder's code (and confidence) again, no correction.
    harness.store.add_override(
        session_id, 2, 0, "Do you drink every night?", "question_closed", "question_closed", sam.id
    )
    session = harness.store.get(session_id)
    coded = coded_session(session)
    assert coded is not None and not coded.corrections
    assert coded.transcript.exchanges[2].codings[0].confidence == pytest.approx(0.8)
    assert corrected_count(session) == 0


def test_progress_filters_exports_and_drills_use_the_corrected_codes(harness) -> None:
    _, tina, session_id = corrected_session(harness)
    sessions = harness.store.list_sessions()
    # Two open questions of two: % open questions 100%, recomputed.
    assert open_share(figure_history(sessions)) == 1.0
    assert reached(sessions[0]) is not None
    rows = json.loads(to_json(cohort_rows(sessions, {tina.id: "tina"})))
    third = rows[2]
    assert (third["code"], third["coder_code"], third["corrected_by"]) == (
        "question_open",
        "question_closed",
        "sam",
    )
    assert third["corrected_at"] and all(r["figure_pct_open"] == 1.0 for r in rows)
    assert rows[0]["coder_code"] == rows[0]["code"] and rows[0]["corrected_by"] == ""
    table = list(csv.DictReader(io.StringIO(to_csv(cohort_rows(sessions, {})))))
    assert table[2]["code"] == "question_open" and table[2]["coder_code"] == "question_closed"
    # The corrected closed question is no longer drilled as one.
    assert not [d for d in build_drills(sessions) if d.code == "question_closed"]


def test_the_trainee_report_shows_the_correction_and_recomputed_figures(harness) -> None:
    _, tina, session_id = corrected_session(harness)
    harness.store.save_self_rating(session_id, SelfRating(1, 1, 3))
    at = harness.run(tina, query={"session": session_id})
    assert not at.exception
    assert at.info[0].value.startswith("sam corrected 1 code (last on ")
    assert "every figure here uses the corrected codes" in at.info[0].value
    (counted,) = [e for e in at.expander if e.label == "How the figures are counted"]
    figures = counted.table[0].value.set_index("Figure")
    assert figures.loc["% open questions (MITI 3.1.1)", "Value"] == "100%"
    (part,) = [e for e in at.expander if e.label == "Every utterance, coded"]
    utterances = part.table[0].value
    assert list(utterances["Code"]) == ["question_open", "reflection_complex", "question_open"]
    assert list(utterances["Why"])[2].startswith("coder said question_closed; corrected by sam")
    # No suggestion for a turn the supervisor coded as an open question.
    assert not [t for t in at.text if t.value.startswith("Turn 3 · question closed")]


def test_progress_and_sessions_pages_show_the_corrected_figures(harness) -> None:
    sam, tina, _ = corrected_session(harness)
    progress = harness.run(tina, page="progress")
    assert not progress.exception
    frame = progress.dataframe[0].value
    assert set(frame.loc[frame["figure"].str.startswith("% open"), "value"]) == {1.0}
    assert frame["codes corrected"].max() == 1
    sessions = harness.run(sam)
    assert any("· 1 code corrected ·" in t.value for t in sessions.text)
    summary = sessions.dataframe[0].value
    assert summary.loc["% open questions (MITI 3.1.1)", "mean"] == 1.0


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
def test_the_pdf_holds_both_sides_codes_rating_suggestions_and_comments(harness) -> None:
    transcript = ended_transcript()
    transcript.exchanges.append(
        transcript.exchanges[0].__class__(
            "Did you sleep last night?",
            [coding("Did you sleep last night?", "question_closed")],
            "Not much. Four hours maybe, and then I was up for the early shift.",
            "sustain",
        )
    )
    sam, tina, session_id = corrected_session(harness, transcript)
    harness.store.add_comment(session_id, 1, sam.id, "Lovely reflection here.")
    harness.store.add_comment(session_id, None, sam.id, "Try more open questions next time.")
    rating = SelfRating(2, 1, 4)
    session = harness.store.get(session_id)
    coded = coded_session(session)
    assert coded is not None
    full = full_report(coded.transcript, harness_coder())
    data = session_pdf(session, coded, full, "tina", rating, harness.store.comments(session_id))
    text = pdf_text(data)
    for expected in [
        "Trainee: tina",
        "I don't know why I'm here.",  # the patient's opening
        "Patient: My GP.",
        "Trainee, turn 2: You're not sure it's worth it.",
        "[reflection_complex 0.80]",
        "coder said question_closed; corrected by sam on",
        "Your view and the coder's",
        "Reflections used: 2 / 1 / 1",
        "Turns to work on:",
        "Turn 4 · question closed: Did you sleep last night?",
        "Try (question open): ",
        "Lovely reflection here.",
        "Try more open questions next time.",
        "What went well:",
    ]:
        assert expected in text, expected


def harness_coder():
    from scoring import load_coder

    return load_coder("rules").code_turn


def pdf_text(data: bytes) -> str:
    """The PDF's text as pdftotext reads it, lines unwrapped to single spaces."""
    done = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    )
    return " ".join(done.stdout.decode().split())
