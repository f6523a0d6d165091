"""`credentials.yml` gives Rasa the checked REST channel, at the built-in channel's URL.

What the channel answers is tested on the real Rasa server in
`tests/deploy/test_rest_bad_input.py`; this only guards the wiring, without a server.
"""

from __future__ import annotations

from pathlib import Path

from rasa.core.run import create_http_input_channels

from bot.server.channels import CheckedRestInput
from bot.server.guard import MAX_MESSAGE_CHARS

ROOT = Path(__file__).resolve().parents[2]


def test_credentials_register_the_checked_channel_as_rest() -> None:
    [channel] = create_http_input_channels(None, str(ROOT / "credentials.yml"))
    assert isinstance(channel, CheckedRestInput)
    # The URL prefix: /webhooks/rest/webhook, where the app and the front send turns.
    assert channel.url_prefix() == "rest"
    assert channel.max_chars == MAX_MESSAGE_CHARS


def test_the_limit_can_be_set_in_the_credentials() -> None:
    assert CheckedRestInput.from_credentials({"max_chars": 800}).max_chars == 800
