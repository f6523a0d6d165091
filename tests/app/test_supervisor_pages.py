"""Supervisor pages: sessions of my trainees with filters and exports, review, agreement."""

from __future__ import annotations

import json

from trainer_ui.report_rows import reliability_text
from trainer_ui.store import SelfRating


def setup(harness):
    harness.user("admin1", "admin")
    sam = harness.user("sam", "supervisor")
    tina = harness.user("tina", "trainee", sam)
    omar = harness.user("omar", "trainee")  # someone else's trainee
    return sam, tina, omar


def test_sessions_page_lists_only_my_trainees(harness) -> None:
    sam, tina, omar = setup(harness)
    harness.ended_session(tina)
    harness.ended_session(omar)
    at = harness.run(sam)
    assert not at.exception
    assert at.title[0].value == "Sessions of my trainees"
    assert at.subheader[0].value == "1 session(s)"
    assert any(t.value.startswith("tina · reluctant_psychiatric") for t in at.text)
    assert not any("omar" in t.value for t in at.text)


def test_sessions_filters_by_threshold_and_trainee(harness) -> None:
    sam, tina, _ = setup(harness)
    harness.ended_session(tina)
    at = harness.run(sam)
    at.selectbox[0].select("good").run()
    assert at.subheader[0].value == "0 session(s)"
    at.selectbox[0].select("not reached").run()
    assert at.subheader[0].value == "1 session(s)"
    at.multiselect[0].select("tina").run()
    assert at.subheader[0].value == "1 session(s)"


def test_cohort_dashboard_and_exports(harness) -> None:
    sam, tina, _ = setup(harness)
    harness.ended_session(tina)
    at = harness.run(sam)
    assert "Cohort dashboard" in [s.value for s in at.subheader]
    summary = at.dataframe[0].value
    assert len(summary) == 4
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["Download codes and figures (CSV)", "Download codes and figures (JSON)"]


def test_review_override_keeps_the_original_and_who(harness) -> None:
    sam, tina, _ = setup(harness)
    session_id = harness.ended_session(tina)
    at = harness.run(sam, page="review", query={"session": session_id})
    assert not at.exception
    # Turn 3 ("Do you drink every night?") is a closed question: correct it.
    select = next(s for s in at.selectbox if s.key == "code-2-0")
    select.select("question_open").run()
    next(b for b in at.button if b.key == "save-2-0").click().run()
    assert not at.exception
    [override] = harness.store.overrides([session_id])
    assert (override.original_code, override.new_code, override.by_user) == (
        "question_closed",
        "question_open",
        sam.id,
    )
    assert override.at is not None
    assert any("coder said question_closed" in t.value for t in at.text)


def test_review_comments_on_a_turn_and_the_session(harness) -> None:
    sam, tina, _ = setup(harness)
    session_id = harness.ended_session(tina)
    at = harness.run(sam, page="review", query={"session": session_id})
    next(t for t in at.text_input if t.key == "comment-0").input("<script>alert(1)</script>")
    next(b for b in at.button if b.key == "add-comment-0").click().run()
    at.text_area[0].input("Good use of reflections.")
    next(b for b in at.button if b.label == "Add session comment").click().run()
    comments = harness.store.comments(session_id)
    assert [(c.turn, c.text) for c in comments] == [
        (0, "<script>alert(1)</script>"),
        (None, "Good use of reflections."),
    ]
    # Shown as plain text (st.text), never as markup, under their author's name.
    assert any(
        t.value.startswith("Comment · sam · ") and t.value.endswith("<script>alert(1)</script>")
        for t in at.text
    )
    # Each box is empty again after saving: a second click cannot post the comment twice.
    assert next(t for t in at.text_input if t.key == "comment-0").value == ""
    next(b for b in at.button if b.key == "add-comment-0").click().run()
    assert len(harness.store.comments(session_id)) == 2
    # The trainee sees the comments, and who wrote them, under their report.
    harness.store.save_self_rating(session_id, SelfRating(1, 1, 3))
    mine = harness.run(tina, query={"session": session_id})
    assert any(
        t.value.startswith("Session · sam · ") and "Good use of reflections." in t.value
        for t in mine.text
    )


def test_review_of_another_supervisors_trainee_is_refused(harness) -> None:
    sam, _, omar = setup(harness)
    theirs = harness.ended_session(omar)
    at = harness.run(sam, page="review", query={"session": theirs})
    assert [e.value for e in at.error] == ["There is no session with that id."]


def test_review_offers_the_pdf_report(harness) -> None:
    sam, tina, _ = setup(harness)
    session_id = harness.ended_session(tina)
    at = harness.run(sam, page="review", query={"session": session_id})
    assert "Download report (PDF)" in [b.label for b in at.get("download_button")]


def test_agreement_page_shows_kappa_and_f1_per_code(harness) -> None:
    sam, tina, _ = setup(harness)
    session_id = harness.ended_session(tina)
    harness.store.add_override(
        session_id, 2, 0, "Do you drink every night?", "question_closed", "question_open", sam.id
    )
    harness.store.mark_reviewed(session_id, sam.id)
    at = harness.run(sam, page="agreement")
    assert not at.exception
    assert at.metric[0].value == "3"
    table = at.dataframe[0].value
    assert set(table["Code"]) == {"question_open", "question_closed", "reflection_complex"}
    row = table.set_index("Code").loc["reflection_complex"]
    assert row["Kappa"] == 1.0 and row["F1"] == 1.0


def test_agreement_without_reviews_explains_itself(harness) -> None:
    sam, _, _ = setup(harness)
    at = harness.run(sam, page="agreement")
    assert at.info[0].value.startswith("No reviewed utterances yet")
    # The benchmark's agreement with experts is there to compare with, reviews or not.
    (experts,) = at.expander
    assert experts.label == "The coder against expert coders"
    assert [t.value for t in experts.text] == reliability_text()


def test_cohort_json_export_holds_codes_and_figures(harness) -> None:
    from trainer_ui.exports import cohort_rows, to_json

    sam, tina, _ = setup(harness)
    harness.ended_session(tina)
    rows = json.loads(to_json(cohort_rows(harness.store.list_sessions(), {tina.id: "tina"})))
    assert [r["code"] for r in rows] == ["question_open", "reflection_complex", "question_closed"]
    assert rows[0]["trainee"] == "tina" and "figure_r_q" in rows[0]
