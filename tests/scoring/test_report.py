"""Session report: MITI per-volley counting, summary figures, thresholds, uncertainty."""

from __future__ import annotations

import json

import pytest

from scoring import CODES, Coding, session_report


def c(code: str, conf: float = 1.0, text: str = "x") -> Coding:
    rest = (1 - conf) / (len(CODES) - 1)
    return Coding(
        text, code, conf, f"{code}: test", {k: conf if k == code else rest for k in CODES}
    )


def test_counts_once_per_volley() -> None:
    report = session_report(
        [
            [c("question_open"), c("question_open"), c("question_closed")],
            [c("reflection_simple"), c("reflection_simple")],
            [c("reflection_simple"), c("reflection_complex")],
        ]
    )
    assert report.counts["question_open"] == 1
    assert report.counts["question_closed"] == 1
    assert report.counts["reflection_simple"] == 1  # the mixed volley counts as complex only
    assert report.counts["reflection_complex"] == 1
    assert report.totals["questions_per_volley"] == 1
    assert report.figure("r_q").value == pytest.approx(2.0)
    assert report.figure("pct_complex").value == pytest.approx(0.5)
    assert report.figure("pct_open").value == pytest.approx(0.5)


def test_thresholds_and_versions() -> None:
    report = session_report([[c("question_closed")], [c("reflection_simple")], [c("persuade")]] * 3)
    rq = report.figure("r_q")
    assert (rq.miti_version, rq.fair, rq.good, rq.rating) == ("4.2.1", 1.0, 2.0, "fair")
    assert report.figure("pct_complex").rating == "below fair"
    assert report.figure("pct_open").miti_version == "3.1.1"
    assert report.figure("pct_open").rating == "below fair"
    mia = report.figure("pct_mi_adherent")
    assert mia.value == 0.0 and mia.miti_version == "3.1.1"
    assert report.totals["mi_non_adherent"] == 3 and report.totals["pressure"] == 3


def test_totals_exclude_persuade_with_permission() -> None:
    report = session_report(
        [[c("affirm"), c("seeking_collaboration")], [c("persuade_with_permission")]]
    )
    assert report.totals["mi_adherent"] == 2
    assert report.totals["mi_non_adherent"] == 0
    assert report.figure("pct_mi_adherent").value == 1.0


def test_uncertainty_interval_brackets_confident_value() -> None:
    turns = [[c("question_open", 0.99)], [c("reflection_simple", 0.99)]] * 10
    rq = session_report(turns).figure("r_q")
    assert rq.interval is not None
    lo, hi = rq.interval
    assert lo <= rq.value <= hi and hi - lo < 0.5


def test_uncertainty_widens_with_low_confidence() -> None:
    sure = session_report([[c("question_open", 0.99)], [c("reflection_simple", 0.99)]] * 10)
    unsure = session_report([[c("question_open", 0.4)], [c("reflection_simple", 0.4)]] * 10)
    width = [r.figure("pct_open").interval for r in (sure, unsure)]
    assert width[1][1] - width[1][0] > width[0][1] - width[0][0]
    assert len(unsure.low_confidence) == 20 and not sure.low_confidence


def test_empty_session() -> None:
    report = session_report([])
    assert report.volleys == 0 and all(v == 0 for v in report.counts.values())
    assert report.figure("r_q").value is None
    assert report.figure("r_q").rating == "not enough to rate"
    json.dumps(report.to_dict())


def test_one_reflection_in_a_confrontational_session_is_not_rated() -> None:
    # The case: "% complex reflections 100%, good" from a single reflection.
    report = session_report(
        [[c("confront")], [c("persuade")], [c("reflection_complex")], [c("confront")]]
    )
    complex_ = report.figure("pct_complex")
    assert complex_.value == 1.0
    assert (complex_.rated, complex_.rating) == (False, "not enough to rate")
    assert complex_.reason == "1 reflection; 3 needed"
    rq = report.figure("r_q")
    assert not rq.rated and rq.count == 1 and rq.rating not in ("fair", "good")
    assert "at least 3 reflections" in report.floors and "at least 4" in report.floors
    data = report.to_dict()["figures"][1]
    assert data["rated"] is False and data["reason"]


def test_floors_are_exact() -> None:
    # Two questions and a reflection: R:Q rests on 3 events (needs 4), % open on 2 (needs 3).
    below = session_report([[c("question_open")], [c("question_open")], [c("reflection_simple")]])
    assert not below.figure("r_q").rated and not below.figure("pct_open").rated
    at = session_report(
        [[c("question_open")], [c("question_open")], [c("question_closed")], [c("affirm")]]
        + [[c("reflection_simple")]]
    )
    assert at.figure("r_q").rated and at.figure("r_q").count == 4
    assert at.figure("pct_open").rated and at.figure("pct_open").rating == "fair"
    assert not at.figure("pct_complex").rated


def test_globals_are_provisional_with_method() -> None:
    report = session_report([[c("reflection_complex")], [c("question_open")]])
    glob = report.globals
    assert glob["provisional"] is True and "PROVISIONAL" in glob["method"]
    for value in glob["ratings"].values():
        assert 1.0 <= value <= 5.0
    assert glob["composites"]["relational"]["miti_version"] == "4.2.1"


def test_partial_probabilities_from_dict() -> None:
    rebuilt = Coding.from_dict({"text": "hi", "code": "other", "confidence": 0.7, "reason": ""})
    report = session_report([[rebuilt]])
    assert report.counts["other"] == 1
    json.dumps(report.to_dict())
