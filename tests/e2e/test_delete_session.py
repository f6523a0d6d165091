"""An owner's delete removes a session from the real Rasa server's tracker database."""

from __future__ import annotations

import uuid

import pytest

from bot.tools import services
from tests.e2e.tracker_rows import tracker_rows

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SCENARIO = "substance_harm_reduction"


def test_deleted_session_leaves_no_events_and_cannot_go_on(bot: services.Bot) -> None:
    kept, deleted = uuid.uuid4().hex, uuid.uuid4().hex
    for session_id in (kept, deleted):
        bot.client.start_session(session_id, SCENARIO)
        bot.client.say(session_id, "What would you like to talk about today?")
        bot.client.say(session_id, "So using less is something you've thought about.")
    kept_before = tracker_rows(bot, kept)
    assert tracker_rows(bot, deleted) > 0

    bot.client.delete_session(deleted)

    assert tracker_rows(bot, deleted) == 0
    assert bot.client.transcript(deleted).exchanges == []
    assert tracker_rows(bot, kept) == kept_before
    # The patient's state went with the events: the session cannot be continued.
    after = bot.client.say(deleted, "Where were we?")
    assert any("error" in message.get("custom", {}) for message in after)
    assert len(bot.client.transcript(kept).exchanges) == 2
