"""Replays trainee turns against a simulated patient through the real Rasa server and actions.

Usage:
    python -m bot.tools.replay --scenario ID IN.jsonl OUT.jsonl [--model models/patient.tar.gz]

IN holds one JSON object per line with a "text" field (one trainee turn). OUT gets, per turn,
its number and the coded turn in the session record's JSON form (`session_record.Exchange`):
the trainee's words and codes, the patient's reply, its talk label and the patient state
after the turn, and "error" when the turn was refused.
Unless --rasa-url and --token name running services, the command starts its own Rasa server
and action server on free loopback ports and stops them at the end.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from bot.client import RasaClient, RasaUnavailable
from bot.tools import services
from session_record import Transcript

DEFAULT_MODEL = services.ROOT / "models" / "patient.tar.gz"


def read_turns(path: Path) -> Iterator[str]:
    """Yields the trainee texts of a JSONL file; a bad line is reported and skipped."""
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                text = record["text"]
                if not isinstance(text, str):
                    raise TypeError("text must be a string")
            except (ValueError, KeyError, TypeError) as error:
                print(
                    f'{path}:{number}: skipped: expected {{"text": ...}} ({error})', file=sys.stderr
                )
                continue
            yield text


def replay(
    client: RasaClient, scenario_id: str, texts: Iterable[str], session_id: str | None = None
) -> list[dict[str, Any]]:
    """Plays the texts as one new session and returns one record per trainee turn.

    The session id seeds the patient's choices: pass the same new id (on a fresh tracker
    store) to replay a session exactly; by default each replay gets a random one.
    """
    session_id = session_id or f"replay-{uuid.uuid4().hex}"
    transcript = Transcript(scenario_id)
    transcript.add_messages(client.start_session(session_id, scenario_id))
    if transcript.errors:
        raise RasaUnavailable(transcript.errors[0])
    records = []
    for number, text in enumerate(texts, start=1):
        errors = len(transcript.errors)
        exchange = transcript.add_reply(text, client.say(session_id, text))
        error = transcript.errors[errors:]
        records.append(
            {"turn": number, **exchange.to_dict(), **({"error": error[0]} if error else {})}
        )
    return records


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", required=True, help="scenario id, e.g. reluctant_psychiatric")
    parser.add_argument("input", type=Path, help='JSONL with one {"text": ...} per trainee turn')
    parser.add_argument("output", type=Path, help="JSONL to write, one record per turn")
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    parser.add_argument("--rasa-url", help="use a running Rasa server instead of starting one")
    parser.add_argument("--token", help="the running Rasa server's API token")
    args = parser.parse_args(argv)

    if not args.input.exists():
        parser.error(f"{args.input} does not exist")
    texts = list(read_turns(args.input))
    bot = None
    try:
        if args.rasa_url:
            client = RasaClient(args.rasa_url, args.token or "")
        else:
            if not args.model.exists():
                parser.error(f"no trained model at {args.model}: run `make train` first")
            print("Starting the Rasa server and the action server ...", file=sys.stderr)
            bot = services.start_bot(args.model, Path(tempfile.mkdtemp(prefix="replay-")))
            client = bot.client
        records = replay(client, args.scenario, texts)
    except (RasaUnavailable, RuntimeError, TimeoutError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        if bot:
            bot.stop()
    with args.output.open("w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    talks = [r["talk"] for r in records]
    print(
        f"{len(records)} turns replayed: "
        + ", ".join(f"{t} {talks.count(t)}" for t in ("change", "sustain", "neutral", "discord")),
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
