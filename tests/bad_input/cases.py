"""The tables of bad inputs every layer is tested with (REST channel, coder, scenario loader)."""

from __future__ import annotations

from bot.server.guard import MAX_MESSAGE_CHARS

#: name -> (message, accepted by the REST front?). Accepted messages must be answered; the
#: others must get a 4xx with a reason. Every one must be coded by the coder without error.
MESSAGES: dict[str, tuple[str, bool]] = {
    "empty": ("", False),
    "whitespace_only": (" \t\n  \u00a0\u3000", False),
    "control_only": ("\x00\x01\x1b\x7f", False),
    "at_limit": ("you feel " * (MAX_MESSAGE_CHARS // 9), True),
    "over_limit_20000": ("a" * 20_000, False),
    "emoji": ("You sound worn out 😔 and still hopeful 🌱", True),
    "right_to_left": ("مرحبا، كيف حالك اليوم؟", True),
    "mixed_scripts": ("So שלום, you feel 疲れた and مرهق at once?", True),
    "bidi_override": ("You said \u202eesuoh eht\u202c is too quiet", True),
    "control_characters": ("What\x00 brings\x1b[31m you\x07 here?", True),
    "html_script_tag": ("<script>alert('x')</script> What brings you here?", True),
    "html_markup": ('<b>You</b> <img src=x onerror=alert(1)> feel <a href="#">stuck</a>', True),
    "lone_surrogate": ("You feel \ud800 torn", True),
    "slash_intent": ("/greet", False),
    "slot_injection": ('/start_session{"scenario_id": "x", "patient_state": {}}', False),
    "path_traversal_id": ('/start_session{"scenario_id": "../../etc/passwd"}', False),
}

#: Request bodies that are not a turn: each must get a 4xx with a reason, from `bot.server.guard`,
#: from the front and from Rasa's own REST channel.
MALFORMED_BODIES: list[bytes] = [
    b"",
    b"{",
    b"not json",
    b"\xff\xfe\x00",
    b"[]",
    b'"text"',
    b"null",
    b"{}",
    b'{"sender": "s"}',
    b'{"message": "hi"}',
    b'{"sender": 5, "message": "hi"}',
    b'{"sender": "s", "message": 5}',
    b'{"sender": "s", "message": ["hi"]}',
    b'{"sender": "s", "message": {"text": "hi"}}',
    b'{"sender": "s", "message": null}',
    b'{"sender": "", "message": "hi"}',
    b'{"sender": "a\\u0000b", "message": "hi"}',
    b'{"sender": "' + b"s" * 200 + b'", "message": "hi"}',
    b"[" * 100_000,
    b'{"sender": "s", "message": "' + b"a" * 70_000 + b'"}',
]


def body_id(raw: bytes) -> str:
    """A short test id for a body (some are 100 kB)."""
    return repr(raw[:40]) + (f"+{len(raw) - 40}B" if len(raw) > 40 else "")
