"""Two Rasa instances on PostgreSQL and Redis: turns alternate, every event once and in order."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from rasa.core.lock_store import LockStore
from rasa.utils.endpoints import EndpointConfig

from bot.client import RasaUnavailable
from bot.tools import services
from deploy.backing import Backing, start_backing
from deploy.lock_store import AtomicRedisLockStore
from deploy.stack import SCALED_ENDPOINTS, Stack, start_stack
from tests.deploy.conftest import RETRY_SECONDS

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SCENARIO = "substance_harm_reduction"
TURNS = [
    "Thanks for coming in. What would you like to talk about?",
    "It sounds like you didn't entirely choose to be here.",
    "What's been hardest for you lately?",
    "You should stop completely, starting today.",
    "So part of you wants things to stay as they are.",
    "What would a first small step look like?",
]


@pytest.fixture(scope="module")
def backing() -> Iterator[Backing]:
    """PostgreSQL and Redis on loopback, installed from Debian if missing, removed after."""
    running = start_backing()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def scaled(
    trained_model: Path, backing: Backing, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    running = start_stack(
        trained_model,
        tmp_path_factory.mktemp("scaled"),
        rasa_count=2,
        action_count=2,
        endpoints=SCALED_ENDPOINTS,
        env=backing.env,
        retry_seconds=RETRY_SECONDS,
    )
    yield running
    running.stop()


def events(stack: Stack, index: int, session: str) -> list[dict[str, Any]]:
    response = requests.get(
        f"{stack.rasa[index].url}/conversations/{session}/tracker",
        params={"token": stack.token, "include_events": "ALL"},
        timeout=60,
    )
    response.raise_for_status()
    return list(response.json()["events"])


def assert_turns_once_in_order(evts: list[dict[str, Any]], sent: list[str]) -> None:
    said = [e["text"] for e in evts if e["event"] == "user" and not e["text"].startswith("/")]
    assert said == sent
    # Between one trainee turn and the next, exactly one patient reply: no interleaving.
    replies = 0
    for event in evts:
        if event["event"] == "user" and not event["text"].startswith("/"):
            assert replies in {0, 1}
            replies = 0
        elif event["event"] == "bot" and event.get("text"):
            replies += 1
    assert replies == 1


def test_turns_alternating_between_instances_arrive_once_and_in_order(scaled: Stack) -> None:
    session = uuid.uuid4().hex
    scaled.instance_client(0).start_session(session, SCENARIO)
    for i, text in enumerate(TURNS):
        answer = scaled.instance_client(i % 2).say(session, text)
        assert any("text" in m for m in answer), answer

    first, second = events(scaled, 0, session), events(scaled, 1, session)
    assert first == second
    assert_turns_once_in_order(first, TURNS)


def test_concurrent_sessions_through_nginx_keep_every_event(scaled: Stack) -> None:
    sessions = [uuid.uuid4().hex for _ in range(6)]
    failures: list[str] = []

    def play(session: str) -> None:
        try:
            scaled.client.start_session(session, SCENARIO)
            for text in TURNS:
                if not any("text" in m for m in scaled.client.say(session, text)):
                    failures.append(session)
        except RasaUnavailable as error:
            failures.append(f"{session}: {error}")

    threads = [threading.Thread(target=play, args=(s,)) for s in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not failures
    for session in sessions:
        assert_turns_once_in_order(events(scaled, 0, session), TURNS)


def take_tickets_at_once(stores: list[LockStore], session: str, each: int) -> list[int]:
    """Every store (one per Rasa instance) takes ``each`` tickets, all threads at once."""
    tickets: list[int] = []
    start = threading.Barrier(len(stores))

    def take(store: LockStore) -> None:
        start.wait()
        mine = [store.issue_ticket(session) for _ in range(each)]
        tickets.extend(mine)

    threads = [threading.Thread(target=take, args=(store,)) for store in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tickets


def test_instances_taking_tickets_at_once_each_get_their_own(backing: Backing) -> None:
    config = EndpointConfig(
        url=services.HOST,
        port=backing.redis_port,
        password=backing.redis_password,
        db=0,
        key_prefix="locktest",
    )
    stores: list[LockStore] = [AtomicRedisLockStore(config) for _ in range(4)]
    session = uuid.uuid4().hex

    tickets = take_tickets_at_once(stores, session, each=25)

    # Rasa's own RedisLockStore hands the same number to several instances here.
    assert sorted(tickets) == list(range(100))
    for number in tickets:
        stores[number % 4].cleanup(session, number)
    assert stores[0].get_lock(session) is None


def test_two_turns_of_one_session_sent_at_once_to_both_instances_do_not_interleave(
    scaled: Stack,
) -> None:
    session = uuid.uuid4().hex
    scaled.instance_client(0).start_session(session, SCENARIO)
    answers: dict[int, list[dict[str, Any]]] = {}

    def send(index: int) -> None:
        answers[index] = scaled.instance_client(index).say(session, TURNS[index])

    threads = [threading.Thread(target=send, args=(i,)) for i in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert all(any("text" in m for m in answer) for answer in answers.values())
    evts = events(scaled, 0, session)
    said = [e["text"] for e in evts if e["event"] == "user" and not e["text"].startswith("/")]
    assert sorted(said) == sorted(TURNS[:2])  # the lock store decides the order
    assert_turns_once_in_order(evts, said)


def test_database_briefly_unavailable_delays_the_turn_and_loses_nothing(
    scaled: Stack, backing: Backing
) -> None:
    session = uuid.uuid4().hex
    scaled.client.start_session(session, SCENARIO)
    assert any("text" in m for m in scaled.client.say(session, TURNS[0]))

    backing.stop_postgres()
    # PostgreSQL comes back a few seconds later, while the turn is waiting for it.
    timer = threading.Timer(4.0, backing.start_postgres)
    timer.start()
    try:
        answer = scaled.client.say(session, TURNS[1])
    finally:
        timer.join()

    assert any("text" in m for m in answer), answer
    assert any("text" in m for m in scaled.client.say(session, TURNS[2]))
    assert_turns_once_in_order(events(scaled, 1, session), TURNS[:3])
    assert [bool(e.codings) for e in scaled.client.transcript(session).exchanges] == [True] * 3
