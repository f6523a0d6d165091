"""The caching SQL tracker store against Rasa's own SQL store on the same SQLite file."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.server.tracker_store import CachingSQLTrackerStore

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "bot" / "domain"))


def run(coroutine):
    return asyncio.run(coroutine)


def turn(n: int) -> list:
    return [
        UserUttered(f"message {n}", {"name": "question_open", "confidence": 1.0}),
        ActionExecuted("action_patient_reply"),
        BotUttered(f"reply {n}", {"custom": {"turn": {"talk": "neutral", "n": n}}}),
        SlotSet("patient_state", {"scenario_id": "s", "turn": n}),
        ActionExecuted("action_listen"),
    ]


def opening() -> list:
    start = ActionExecuted("action_session_start")
    return [start, SessionStarted(), ActionExecuted("action_listen")]


def dumped(tracker: DialogueStateTracker | None) -> list[dict]:
    assert tracker is not None
    return [event.as_dict() for event in tracker.events]


async def converse(store: SQLTrackerStore, domain: Domain, sender: str, turns: range) -> None:
    tracker = await store.retrieve(sender)
    if tracker is None:
        tracker = DialogueStateTracker.from_events(sender, opening(), domain.slots)
    for n in turns:
        for event in turn(n):
            tracker.update(event)
        await store.save(tracker)
        tracker = await store.retrieve(sender)
        assert tracker is not None


def test_reads_back_what_rasa_reads(tmp_path: Path, domain: Domain) -> None:
    db = str(tmp_path / "tracker.db")
    store = CachingSQLTrackerStore(domain=domain, dialect="sqlite", db=db)
    run(converse(store, domain, "a", range(5)))
    plain = SQLTrackerStore(domain=domain, dialect="sqlite", db=db)
    cached = run(store.retrieve("a"))
    assert dumped(cached) == dumped(run(plain.retrieve("a")))
    assert cached.get_slot("patient_state") == {"scenario_id": "s", "turn": 4}
    assert sum(isinstance(e, UserUttered) for e in cached.events) == 5


def test_sees_turns_another_instance_wrote(tmp_path: Path, domain: Domain) -> None:
    db = str(tmp_path / "tracker.db")
    first = CachingSQLTrackerStore(domain=domain, dialect="sqlite", db=db)
    second = CachingSQLTrackerStore(domain=domain, dialect="sqlite", db=db)
    run(converse(first, domain, "a", range(3)))
    run(converse(second, domain, "a", range(3, 6)))
    seen = run(first.retrieve("a"))
    assert seen is not None
    assert [e.text for e in seen.events if isinstance(e, UserUttered)] == [
        f"message {n}" for n in range(6)
    ]
    assert dumped(seen) == dumped(run(second.retrieve("a")))


def test_every_event_is_stored_once_and_in_order(tmp_path: Path, domain: Domain) -> None:
    db = str(tmp_path / "tracker.db")
    store = CachingSQLTrackerStore(domain=domain, dialect="sqlite", db=db)
    run(converse(store, domain, "a", range(4)))
    plain = SQLTrackerStore(domain=domain, dialect="sqlite", db=db)
    stored = dumped(run(plain.retrieve_full_tracker("a")))
    expected = opening() + [event for n in range(4) for event in turn(n)]
    assert [e["event"] for e in stored] == [e.as_dict()["event"] for e in expected]


def test_replacing_with_nothing_deletes_the_conversation(tmp_path: Path, domain: Domain) -> None:
    db = str(tmp_path / "tracker.db")
    store = CachingSQLTrackerStore(domain=domain, dialect="sqlite", db=db)
    run(converse(store, domain, "a", range(3)))
    run(converse(store, domain, "b", range(2)))
    # What PUT /conversations/a/tracker/events with [] hands the store.
    run(store.save(DialogueStateTracker.from_events("a", [], domain.slots)))
    plain = SQLTrackerStore(domain=domain, dialect="sqlite", db=db)
    assert run(plain.retrieve_full_tracker("a")) is None
    assert run(store.retrieve("a")) is None
    assert [e.text for e in run(plain.retrieve("b")).events if isinstance(e, UserUttered)] == [
        "message 0",
        "message 1",
    ]


def test_cache_keeps_only_the_most_recent_conversations(tmp_path: Path, domain: Domain) -> None:
    db = str(tmp_path / "tracker.db")
    store = CachingSQLTrackerStore(cache_size="2", domain=domain, dialect="sqlite", db=db)
    for sender in "abc":
        run(converse(store, domain, sender, range(2)))
    assert list(store._cache) == ["b", "c"]
    # The one that fell out is read from the database, as Rasa reads it.
    plain = SQLTrackerStore(domain=domain, dialect="sqlite", db=db)
    assert dumped(run(store.retrieve("a"))) == dumped(run(plain.retrieve("a")))
    assert list(store._cache) == ["c", "a"]


def test_turns_alternating_between_instances_read_as_rasa_reads(
    tmp_path: Path, domain: Domain
) -> None:
    # A balancer without sticky sessions: every turn lands on the other instance.
    db = str(tmp_path / "tracker.db")
    stores = [CachingSQLTrackerStore(domain=domain, dialect="sqlite", db=db) for _ in range(2)]
    plain = SQLTrackerStore(domain=domain, dialect="sqlite", db=db)
    for n in range(6):
        run(converse(stores[n % 2], domain, "a", range(n, n + 1)))
        for store in stores:
            assert dumped(run(store.retrieve("a"))) == dumped(run(plain.retrieve("a")))
    stored = dumped(run(plain.retrieve_full_tracker("a")))
    expected = opening() + [event for n in range(6) for event in turn(n)]
    assert [e["event"] for e in stored] == [e.as_dict()["event"] for e in expected]


def test_a_conversation_another_instance_replaced_is_read_anew(
    tmp_path: Path, domain: Domain
) -> None:
    db = str(tmp_path / "tracker.db")
    first = CachingSQLTrackerStore(domain=domain, dialect="sqlite", db=db)
    second = CachingSQLTrackerStore(domain=domain, dialect="sqlite", db=db)
    run(converse(first, domain, "a", range(3)))
    # Rows of another conversation after it: the new rows of "a" get ids after the old ones
    # (SQLite would otherwise reuse them; PostgreSQL never does).
    run(converse(first, domain, "b", range(1)))
    # The other instance replaces the conversation with a shorter one, written afresh.
    shorter = DialogueStateTracker.from_events("a", turn(7), domain.slots)
    run(second.save(shorter))
    seen = run(first.retrieve("a"))
    assert [e.text for e in seen.events if isinstance(e, UserUttered)] == ["message 7"]


def test_a_session_another_instance_started_is_read_anew(tmp_path: Path, domain: Domain) -> None:
    db = str(tmp_path / "tracker.db")
    first = CachingSQLTrackerStore(domain=domain, dialect="sqlite", db=db)
    second = CachingSQLTrackerStore(domain=domain, dialect="sqlite", db=db)
    run(converse(first, domain, "a", range(2)))
    tracker = run(second.retrieve("a"))
    for event in opening() + turn(5):
        tracker.update(event)
    run(second.save(tracker))
    plain = SQLTrackerStore(domain=domain, dialect="sqlite", db=db)
    seen = run(first.retrieve("a"))
    assert dumped(seen) == dumped(run(plain.retrieve("a")))
    assert [e.text for e in seen.events if isinstance(e, UserUttered)] == ["message 5"]
