"""The importable logic under the pages: access rules, agreement, exports, store."""

from __future__ import annotations

import sqlalchemy as sa

from session_record import Transcript
from tests.app.conftest import coding, ended_transcript
from trainer_ui import authoring
from trainer_ui.accounts import Accounts, can_delete, can_review, can_view
from trainer_ui.corrections import apply_overrides
from trainer_ui.exports import to_csv
from trainer_ui.report_pdf import session_pdf
from trainer_ui.report_rows import full_report
from trainer_ui.review import cohen_kappa, corrections_jsonl, per_code, reviewed_pairs
from trainer_ui.store import Store

PASSWORD = "correct horse battery"


def test_access_rules(tmp_path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'a.db'}")
    accounts = Accounts(store)
    admin = accounts.create("admin1", PASSWORD, "admin")
    sam = accounts.create("sam", PASSWORD, "supervisor")
    ann = accounts.create("ann", PASSWORD, "supervisor")
    tina = accounts.create("tina", PASSWORD, "trainee", sam.id)
    omar = accounts.create("omar", PASSWORD, "trainee")
    eddie = accounts.create("eddie", PASSWORD, "educator")
    session = store.create_session("reluctant_psychiatric", tina.id)
    assert can_view(tina, session, accounts) and can_delete(tina, session)
    assert can_view(sam, session, accounts) and can_review(sam, session, accounts)
    assert can_view(admin, session, accounts) and not can_delete(admin, session)
    for outsider in (ann, omar, eddie):
        assert not can_view(outsider, session, accounts)
    assert not can_review(tina, session, accounts)
    assert accounts.trainees_of(sam) == [tina] and accounts.trainees_of(ann) == []


def test_kappa_and_f1() -> None:
    assert cohen_kappa([("a", "a"), ("b", "b")]) == 1.0
    assert cohen_kappa([]) is None
    pairs = [("question_open", "question_open"), ("question_closed", "question_open")]
    rows = {r.code: r for r in per_code(pairs)}
    assert rows["question_open"].f1 == 2 / 3
    assert rows["question_closed"].f1 == 0.0


def test_reviewed_pairs_count_confirmed_codes_only_in_reviewed_sessions(tmp_path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'a.db'}")
    transcript = ended_transcript()
    store.add_override(
        "s1", 2, 0, "Do you drink every night?", "question_closed", "question_open", 1
    )
    items = store.overrides()
    assert len(reviewed_pairs([("s1", transcript, False)], items)) == 1
    assert len(reviewed_pairs([("s1", transcript, True)], items)) == 3
    jsonl = corrections_jsonl(items, {("s1", 2): "Maybe."})
    assert '"code": "question_open"' in jsonl and '"prev": "Maybe."' in jsonl


def test_pdf_export_is_a_pdf_and_survives_markup_and_dollars(tmp_path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'a.db'}")
    session = store.create_session("reluctant_psychiatric", 1)
    transcript = ended_transcript()
    transcript.exchanges[0].codings[0] = coding("It costs $5 and $10 <b>x</b>", "question_open")
    coded = apply_overrides(transcript, session.id, [])
    data = session_pdf(session, coded, full_report(transcript), "tina")
    assert data.startswith(b"%PDF") and len(data) > 2000
    # Without patient state (older sessions) the charts are left empty, not an error.
    for exchange in transcript.exchanges:
        exchange.state = {}
    assert session_pdf(session, coded, full_report(transcript), "tina").startswith(b"%PDF")


def test_csv_defuses_spreadsheet_formulas() -> None:
    text = to_csv([{"text": "=HYPERLINK(1)", "code": "other"}])
    assert "'=HYPERLINK(1)" in text


def test_snapshot_round_trip() -> None:
    transcript = ended_transcript()
    assert Transcript.from_dict(transcript.to_dict()) == transcript


def test_an_older_database_gains_the_new_columns(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "CREATE TABLE practice_sessions (id VARCHAR(64) PRIMARY KEY, "
                "scenario_id VARCHAR(128) NOT NULL, started_at DATETIME NOT NULL, "
                "ended_at DATETIME)"
            )
        )
        connection.execute(
            sa.text(
                "INSERT INTO practice_sessions VALUES ('old', 'x', '2026-01-01 10:00:00', NULL)"
            )
        )
    store = Store(url)
    old = store.get("old")
    assert old is not None and old.user_id is None and old.started_at.tzinfo is not None


def test_authoring_check_rejects_bad_ids_without_touching_files(tmp_path) -> None:
    checked = authoring.check("../etc/passwd", "id: x\n")
    assert not checked.ok and "lower snake case" in str(checked.problems[0])
    checked = authoring.publish("bad_one", "not: [valid", root=tmp_path)
    assert not checked.ok and not list(tmp_path.iterdir())
