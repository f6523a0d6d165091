"""An unexpected error shows an id, never a traceback; the log has the id and the traceback."""

from __future__ import annotations

import logging
import re


def test_an_unexpected_error_shows_an_id_and_logs_the_details(harness, caplog) -> None:
    harness.user("admin1", "admin")
    tina = harness.user("tina", "trainee")
    session = harness.store.create_session("reluctant_psychiatric", tina.id)

    def broken(session_id: str):
        raise ValueError("internal detail: /var/secret/path")

    harness.rasa.transcript = broken  # type: ignore[method-assign]
    with caplog.at_level(logging.ERROR, logger="trainer_ui.app"):
        at = harness.run(tina, query={"session": session.id})

    assert not at.exception  # nothing reaches Streamlit's own error display
    (shown,) = [e.value for e in at.error]
    error_id = re.search(r"\(error ([0-9a-f]{8})\)", shown)
    assert error_id and "secret" not in shown and "Traceback" not in shown
    (record,) = [r for r in caplog.records if r.name == "trainer_ui.app"]
    assert error_id.group(1) in record.getMessage() and "/var/secret/path" in record.getMessage()
    assert record.exc_info is not None
