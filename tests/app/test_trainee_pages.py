"""Trainee pages besides practice: my sessions (reopen, delete), progress and drills."""

from __future__ import annotations

import json


def setup(harness):
    harness.user("admin1", "admin")
    return harness.user("tina", "trainee")


def test_my_sessions_lists_only_my_own(harness) -> None:
    tina = setup(harness)
    other = harness.user("omar", "trainee")
    harness.ended_session(tina)
    harness.ended_session(other)
    at = harness.run(tina, page="my_sessions")
    assert not at.exception
    assert at.title[0].value == "My sessions"
    assert sum("reluctant_psychiatric" in t.value for t in at.text) == 1


def test_owner_deletes_a_transcript_after_confirming(harness) -> None:
    tina = setup(harness)
    session_id = harness.ended_session(tina)
    at = harness.run(tina, page="my_sessions")
    delete = next(b for b in at.button if b.label == "Delete")
    assert delete.disabled
    at.checkbox[0].check().run()
    next(b for b in at.button if b.label == "Delete").click().run()
    assert not at.exception
    assert harness.store.get(session_id) is None
    assert harness.rasa.deleted == [session_id]


def test_progress_shows_each_figure_against_thresholds(harness) -> None:
    tina = setup(harness)
    harness.ended_session(tina)
    harness.ended_session(tina)
    at = harness.run(tina, page="progress")
    assert not at.exception
    headers = [s.value for s in at.subheader]
    assert "Reflection-to-question ratio (MITI 4.2.1)" in headers or any(
        "MITI 4.2.1" in h for h in headers
    )
    assert any("MITI 3.1.1" in h for h in headers)
    charts = at.get("vega_lite_chart")
    assert len(charts) >= 4
    # The thresholds are horizontal rules: a y position and no x (encoded on the session
    # axis they were drawn as vertical lines at the session dates).
    spec = json.loads(charts[0].proto.spec)
    rules = [layer for layer in spec["layer"] if layer["mark"]["type"] == "rule"]
    assert rules and all("x" not in r["encoding"] and "y" in r["encoding"] for r in rules)
    line = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "line")
    assert line["encoding"]["x"]["type"] == "ordinal"
    frame = at.dataframe[0].value
    assert {"value", "fair", "good"} <= set(frame.columns)


def test_progress_without_sessions_explains_itself(harness) -> None:
    at = harness.run(setup(harness), page="progress")
    assert at.info[0].value.startswith("Progress appears")


def test_drill_from_my_closed_question_codes_my_rewrite(harness) -> None:
    tina = setup(harness)
    harness.ended_session(tina)
    at = harness.run(tina, page="drills")
    assert not at.exception
    assert at.subheader[0].value == "Rewrite these closed questions as open ones."
    assert any("Do you drink every night?" in t.value for t in at.text)
    at.text_input[0].input("What is a typical evening like for you?")
    at.button[0].click().run()
    assert not at.exception
    assert any(t.value.startswith("✅ hit the target · coded question_open") for t in at.text)


def test_drill_rewrite_that_stays_closed_is_not_passed(harness) -> None:
    tina = setup(harness)
    harness.ended_session(tina)
    at = harness.run(tina, page="drills")
    at.text_input[0].input("Do you drink at night?")
    at.button[0].click().run()
    assert any(t.value.startswith("❌ not yet") for t in at.text)
