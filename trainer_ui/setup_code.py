"""The one-time code that guards the first-run page: written by `make run`, read by the app.

`scripts/run.py` writes a fresh code to a file only its owner can read and prints it in the
terminal; the app learns the file's path from ``APP_SETUP_CODE_FILE`` (never a process
argument, which every local user can read) and deletes it once the administrator exists.
Light on purpose (SQLAlchemy, no app modules): the launcher imports it before any server runs.
"""

from __future__ import annotations

import contextlib
import hmac
import os
import secrets
from pathlib import Path

import sqlalchemy as sa

from trainer_ui.db import users

SETUP_CODE_ENV = "APP_SETUP_CODE_FILE"
# No 0/O or 1/I/L: the code is read off a terminal and typed into a browser.
_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
_GROUPS, _GROUP = 3, 4  # 12 characters of 31: about 59 bits, far beyond guessing


def has_users(engine: sa.engine.Engine) -> bool:
    """Whether any account exists; False for a database not created yet."""
    try:
        with engine.connect() as connection:
            count = connection.execute(sa.select(sa.func.count()).select_from(users)).scalar()
    except (sa.exc.OperationalError, sa.exc.ProgrammingError):  # no users table yet
        return False
    return bool(count)


def write_code(path: Path) -> str:
    """Writes a new code to ``path`` (mode 600, replacing any older one) and returns it."""
    code = "-".join(
        "".join(secrets.choice(_ALPHABET) for _ in range(_GROUP)) for _ in range(_GROUPS)
    )
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(code + "\n")
    return code


def code_file() -> Path | None:
    """Where the launcher left the code (``APP_SETUP_CODE_FILE``), if it says."""
    path = os.environ.get(SETUP_CODE_ENV)
    return Path(path) if path else None


def _normal(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def code_matches(given: str) -> bool:
    """Whether ``given`` is the launcher's code (case, spaces and dashes ignored)."""
    path = code_file()
    try:
        expected = _normal(path.read_text()) if path else ""
    except OSError:
        expected = ""
    return bool(expected) and hmac.compare_digest(_normal(given).encode(), expected.encode())


def forget_code() -> None:
    """Deletes the code once it has been used: it sets up one administrator, once."""
    path = code_file()
    if path is not None:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
