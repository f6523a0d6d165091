"""One address for several Rasa (or action) servers: checks turns, balances and rides out restarts.

    python -m deploy.front --port 5005 --upstream URL [--upstream URL ...] [--check-turns]

In front of Rasa (``--check-turns``) every REST-channel body is validated first (see
`bot.server.guard`), so a bad body gets a 4xx with a reason instead of reaching Rasa. In front of
action servers it only balances. In both roles a request whose connection is refused is tried
on the next upstream, and again until ``--retry-seconds`` have passed: a server restarting
(or killed and brought back by its supervisor) costs the trainee a pause, not the turn.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import logging
import time
import zlib
from collections.abc import Sequence

from aiohttp import ClientConnectorError, ClientError, ClientSession, ClientTimeout, web

from bot.server.guard import MAX_BODY_BYTES, MAX_MESSAGE_CHARS, BadTurn, check_turn

logger = logging.getLogger(__name__)

REST_PATH = "/webhooks/rest/webhook"
# Any request the front reads at all; turns are held to the guard's smaller MAX_BODY_BYTES.
MAX_PROXIED_BYTES = MAX_BODY_BYTES * 4
# Hop-by-hop and length headers are the proxy's own business, never forwarded.
DROPPED_HEADERS = {"host", "content-length", "transfer-encoding", "connection", "keep-alive"}
UNAVAILABLE = (
    "The patient server is restarting or unavailable. Your session is saved; "
    "send your message again in a moment."
)
NO_ANSWER = (
    "The patient could not answer this turn (the action server is unavailable). Your message "
    "is saved in the session; send your next message in a moment."
)


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


class Front:
    """The proxy's state: upstreams, the round-robin cursor and one HTTP client session.

    Args:
        upstreams: base URLs of the servers behind the front.
        check_turns: validate REST-channel turns (in front of Rasa).
        affinity: send every turn of a session to the same upstream while it is up. Off by
            default: with a shared tracker and lock store any instance can serve any turn.
        retry_seconds: how long to keep trying when every upstream refuses connections.
        max_chars: the longest trainee message accepted.
    """

    def __init__(
        self,
        upstreams: Sequence[str],
        check_turns: bool = False,
        affinity: bool = False,
        retry_seconds: float = 10.0,
        max_chars: int = MAX_MESSAGE_CHARS,
    ) -> None:
        if not upstreams:
            raise ValueError("at least one upstream is needed")
        self.upstreams = [u.rstrip("/") for u in upstreams]
        self.check_turns = check_turns
        self.affinity = affinity
        self.retry_seconds = retry_seconds
        self.max_chars = max_chars
        self._cursor = itertools.cycle(range(len(self.upstreams)))
        self._session: ClientSession | None = None

    def _order(self, sender: str | None) -> list[str]:
        first = (
            zlib.crc32(sender.encode("utf-8", "replace")) % len(self.upstreams)
            if self.affinity and sender
            else next(self._cursor)
        )
        return self.upstreams[first:] + self.upstreams[:first]

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Forwards one request, after checking it if it is a turn."""
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            # aiohttp's own refusal is plain text; answer like every other refusal.
            return _error(413, f"request body over {MAX_PROXIED_BYTES} bytes")
        sender = None
        if self.check_turns and request.path == REST_PATH and request.method == "POST":
            try:
                turn = check_turn(body, self.max_chars)
            except BadTurn as bad:
                return _error(bad.status, bad.message)
            body, sender = turn.body(), turn.sender
        status, headers, payload = await self._forward(request, body, sender)
        if status is None:
            return _error(503, UNAVAILABLE)
        if self.check_turns and request.path == REST_PATH:
            return self._turn_answer(status, headers, payload)
        return web.Response(status=status, body=payload, headers=headers)

    def _turn_answer(self, status: int, headers: dict[str, str], payload: bytes) -> web.Response:
        # Every turn the app sends gets at least one message (the patient's words or an error
        # payload), so an empty list means an action failed: say so rather than show silence.
        if status >= 500:
            logger.warning("upstream answered a turn with %s: %s", status, payload[:300])
            return _error(503, UNAVAILABLE)
        if status == 200 and payload.strip() in {b"[]", b""}:
            return _error(503, NO_ANSWER)
        return web.Response(status=status, body=payload, headers=headers)

    async def _forward(
        self, request: web.Request, body: bytes, sender: str | None
    ) -> tuple[int | None, dict[str, str], bytes]:
        assert self._session is not None
        headers = {k: v for k, v in request.headers.items() if k.lower() not in DROPPED_HEADERS}
        deadline = time.monotonic() + self.retry_seconds
        delay = 0.2
        while True:
            for upstream in self._order(sender):
                try:
                    async with self._session.request(
                        request.method,
                        upstream + request.path_qs,
                        data=body,
                        headers=headers,
                        allow_redirects=False,
                    ) as response:
                        payload = await response.read()
                        kept = {
                            k: v
                            for k, v in response.headers.items()
                            if k.lower() not in DROPPED_HEADERS and k.lower() != "content-encoding"
                        }
                        return response.status, kept, payload
                except ClientConnectorError:
                    # Refused before anything was sent: safe to try elsewhere, even for a POST.
                    continue
                except (ClientError, asyncio.TimeoutError) as error:
                    # The upstream may have acted on the request before failing (killed mid-turn),
                    # so it is not repeated: the caller gets a 502 and the trainee a message.
                    logger.warning("%s failed mid-request: %r", upstream, error)
                    return 502, {}, b'{"error": "upstream failed mid-request"}'
            if time.monotonic() + delay > deadline:
                return None, {}, b""
            await asyncio.sleep(delay)
            delay = min(delay * 2, 2.0)

    async def start(self, app: web.Application) -> None:
        """Opens the client session (aiohttp wants it created inside the running loop)."""
        # Coding a long turn can take seconds; Rasa's own action timeout is longer still.
        self._session = ClientSession(timeout=ClientTimeout(total=300), auto_decompress=False)

    async def close(self, app: web.Application) -> None:
        """Closes the client session."""
        if self._session is not None:
            await self._session.close()


def make_app(front: Front) -> web.Application:
    """The aiohttp application serving every path through ``front``."""
    app = web.Application(client_max_size=MAX_PROXIED_BYTES)
    # aiohttp's stubs type these signals oddly; the callbacks have the documented signature.
    app.on_startup.append(front.start)  # type: ignore[arg-type]
    app.on_cleanup.append(front.close)  # type: ignore[arg-type]
    app.router.add_route("*", "/{tail:.*}", front.handle)
    return app


def main(argv: list[str] | None = None) -> None:
    """Runs the front until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--upstream", action="append", required=True, help="repeat per server")
    parser.add_argument("--check-turns", action="store_true", help="validate REST turns")
    parser.add_argument("--affinity", action="store_true", help="pin a session to one upstream")
    parser.add_argument("--retry-seconds", type=float, default=10.0)
    parser.add_argument("--max-chars", type=int, default=MAX_MESSAGE_CHARS)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    front = Front(
        args.upstream, args.check_turns, args.affinity, args.retry_seconds, args.max_chars
    )
    print(json.dumps({"front": f"http://{args.host}:{args.port}", "upstreams": front.upstreams}))
    web.run_app(make_app(front), host=args.host, port=args.port, access_log=None, print=None)


if __name__ == "__main__":
    main()
