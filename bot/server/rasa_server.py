"""`rasa run` with the HTTP API token read from the environment instead of the command line.

Rasa 3.6 takes the token only as ``--auth-token``, and process arguments are readable by every
local user (``ps``). `bot.tools.services` starts ``python -m bot.server.rasa_server run ...``
with the token in ``RASA_API_TOKEN``; this module adds it to Rasa's own argument list inside
the process, where ``ps`` does not look, and drops it from the environment the server's
children inherit. It also makes Rasa's calls to the action server ride out a restart
(`bot.server.action_endpoint`, window ``ACTION_RETRY_SECONDS``), and check their answers
with a schema validator built once.
"""

from __future__ import annotations

import os
import sys
from collections.abc import MutableMapping

TOKEN_ENV = "RASA_API_TOKEN"
#: How long Rasa keeps calling when no action server takes a call (`bot.server.action_endpoint`).
ACTION_RETRY_ENV = "ACTION_RETRY_SECONDS"


def rasa_arguments(argv: list[str], environ: MutableMapping[str, str]) -> list[str]:
    """Rasa's command line: ``argv`` with the token from ``environ`` (removed from it).

    Raises:
        SystemExit: no token is set; Rasa's API would otherwise be open to any local user.
    """
    token = environ.pop(TOKEN_ENV, "")
    if not token:
        raise SystemExit(f"error: {TOKEN_ENV} is not set; Rasa's HTTP API needs a token")
    # One argument, not two: a random token can start with "-", which argparse would then
    # read as an option and refuse (about one start in 64).
    return [*argv, f"--auth-token={token}"]


def main() -> None:
    """Runs Rasa's command line as ``python -m rasa`` would."""
    sys.argv = ["rasa", *rasa_arguments(sys.argv[1:], os.environ)]
    # Imported here: `bot.tools.services` imports this module for TOKEN_ENV, without Rasa.
    from rasa.__main__ import main as rasa_main

    from bot.server.action_endpoint import (
        DEFAULT_RETRY_SECONDS,
        check_answers_with_one_validator,
        use_retrying_action_endpoint,
    )

    use_retrying_action_endpoint(float(os.environ.get(ACTION_RETRY_ENV) or DEFAULT_RETRY_SECONDS))
    check_answers_with_one_validator()

    rasa_main()


if __name__ == "__main__":
    main()
