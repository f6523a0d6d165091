"""What the trainee reads when a message is refused: plain words, from the client or the channel."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bot.client import RasaClient, RasaUnavailable, TurnRefused, check_message
from bot.server.guard import MAX_MESSAGE_CHARS, BadTurn, check_turn
from scoring.segment import MAX_CHARS


class GuardedChannel(BaseHTTPRequestHandler):
    """A REST channel that checks turns with the real `bot.server.guard`, answering as Rasa's."""

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers["Content-Length"]))
        try:
            turn = check_turn(raw)
        except BadTurn as bad:
            self._answer(bad.status, {"error": bad.message})
            return
        self._answer(200, [{"recipient_id": turn.sender, "text": "Mm."}])

    def _answer(self, status: int, body: object) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def client() -> Iterator[RasaClient]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), GuardedChannel)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield RasaClient(f"http://127.0.0.1:{server.server_address[1]}", "t", timeout=5)
    server.shutdown()


def test_one_limit_for_the_channel_and_the_coder() -> None:
    # A longer channel limit would leave the end of a long message silently uncoded.
    assert MAX_MESSAGE_CHARS == MAX_CHARS


def test_a_message_the_channel_takes_is_sent(client: RasaClient) -> None:
    assert client.say("s1", "  What brings you in?  ") == [{"recipient_id": "s1", "text": "Mm."}]
    assert check_message("x" * MAX_MESSAGE_CHARS) == "x" * MAX_MESSAGE_CHARS


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("/end_session", "Messages cannot start with '/'"),
        ("  /greet", "Messages cannot start with '/'"),
        (" \t\n ", "Type something to say to the patient first."),
        ("a" * 6000, "Your message has 6,000 characters; the limit is 4,000 per turn."),
    ],
)
def test_the_client_refuses_before_sending(client: RasaClient, text: str, says: str) -> None:
    with pytest.raises(TurnRefused, match="^" + says.replace("(", r"\(")):
        client.say("s1", text)


def test_a_channel_refusal_reaches_the_trainee_in_words_not_json(client: RasaClient) -> None:
    # Control characters only: not blank to the client, empty to the channel after cleaning.
    with pytest.raises(TurnRefused) as refused:
        client.say("s1", "\x00\x01")
    assert str(refused.value) == (
        "The patient server refused this: the message is empty: type something to say to the "
        "patient."
    )
    assert refused.value.status == 400


def test_an_unreachable_server_is_not_a_refusal() -> None:
    with pytest.raises(RasaUnavailable) as down:
        RasaClient("http://127.0.0.1:9", "t", timeout=2).say("s1", "Hello there")
    assert not isinstance(down.value, TurnRefused) and "not answering" in str(down.value)
