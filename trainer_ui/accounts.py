"""Accounts, password hashing and the access rules every page and export goes through.

Also the administrators' command line: ``python -m trainer_ui.accounts create-admin NAME`` or
``reset-password NAME`` (``--help`` for more).
"""

from __future__ import annotations

import argparse
import getpass
import hashlib
import hmac
import os
import re
import secrets
import sys
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from trainer_ui.db import setup_claim, users
from trainer_ui.setup_code import has_users
from trainer_ui.store import PracticeSession, Store, now

TRAINEE, SUPERVISOR, EDUCATOR, ADMIN = "trainee", "supervisor", "educator", "admin"
ROLES = (TRAINEE, SUPERVISOR, EDUCATOR, ADMIN)
USERNAME_RE = re.compile(r"^[A-Za-z0-9_.-]{2,64}$")
MIN_PASSWORD = 10
# scrypt at n=2**14, r=8 costs ~16 MB and tens of milliseconds: slow for guessing, fine to log in.
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}


class AccountError(ValueError):
    """A user name or password was refused; the message says why."""


@dataclass(frozen=True)
class User:
    """A person who can log in."""

    id: int
    username: str
    role: str
    supervisor_id: int | None = None


def hash_password(password: str) -> str:
    """A salted scrypt hash, ``scrypt$<salt hex>$<hash hex>``."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, **_SCRYPT)
    return f"scrypt${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches a hash from :func:`hash_password` (constant time)."""
    try:
        scheme, salt_hex, digest_hex = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    digest = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt_hex), **_SCRYPT)
    return hmac.compare_digest(digest.hex(), digest_hex)


class Accounts:
    """Users in the app database.

    Args:
        store: the app's store (its engine holds the users table).
    """

    def __init__(self, store: Store) -> None:
        self.engine = store.engine

    def needs_setup(self) -> bool:
        """True until the first administrator exists: there is no default account."""
        return not has_users(self.engine)

    def create(
        self, username: str, password: str, role: str, supervisor_id: int | None = None
    ) -> User:
        """Creates an account.

        Raises:
            AccountError: bad name, short password, unknown role or name taken.
        """
        username = self._check_new(username, password, role)
        with self.engine.begin() as connection:
            return self._insert(connection, username, password, role, supervisor_id)

    def create_first_admin(self, username: str, password: str) -> User:
        """Creates the first administrator, atomically: of two visitors at once, one succeeds.

        Raises:
            AccountError: an account already exists, or the name or password is refused.
        """
        username = self._check_new(username, password, ADMIN)
        taken = AccountError("An administrator already exists; please log in.")
        try:
            with self.engine.begin() as connection:
                # The claim's primary key makes a second, concurrent set-up fail here; the
                # count refuses a set-up after accounts were made another way (the terminal).
                connection.execute(setup_claim.insert().values(id=1, at=now()))
                if connection.execute(sa.select(sa.func.count()).select_from(users)).scalar():
                    raise taken
                return self._insert(connection, username, password, ADMIN, None)
        except sa.exc.IntegrityError:
            raise taken from None

    def _check_new(self, username: str, password: str, role: str) -> str:
        username = username.strip()
        if not USERNAME_RE.match(username):
            raise AccountError("User names are 2-64 letters, digits, '.', '_' or '-'.")
        if len(password) < MIN_PASSWORD:
            raise AccountError(f"Passwords need at least {MIN_PASSWORD} characters.")
        if role not in ROLES:
            raise AccountError(f"Unknown role {role!r}.")
        if self.by_name(username) is not None:
            raise AccountError(f"The user name {username!r} is taken.")
        return username

    @staticmethod
    def _insert(
        connection: sa.engine.Connection,
        username: str,
        password: str,
        role: str,
        supervisor_id: int | None,
    ) -> User:
        supervisor_id = supervisor_id if role == TRAINEE else None
        result = connection.execute(
            users.insert().values(
                username=username,
                password_hash=hash_password(password),
                role=role,
                supervisor_id=supervisor_id,
                created_at=now(),
            )
        )
        return User(int(result.inserted_primary_key[0]), username, role, supervisor_id)

    def authenticate(self, username: str, password: str) -> User | None:
        """The user, when the password is right; None otherwise (never says which was wrong)."""
        with self.engine.connect() as connection:
            row = connection.execute(
                sa.select(users).where(users.c.username == username.strip())
            ).first()
        if row is None:
            # Hash anyway so that unknown names take as long as wrong passwords.
            verify_password(password, hash_password("x"))
            return None
        if not verify_password(password, row.password_hash):
            return None
        return User(row.id, row.username, row.role, row.supervisor_id)

    def get(self, user_id: int) -> User | None:
        """One user by id."""
        with self.engine.connect() as connection:
            row = connection.execute(sa.select(users).where(users.c.id == user_id)).first()
        return User(row.id, row.username, row.role, row.supervisor_id) if row else None

    def by_name(self, username: str) -> User | None:
        """One user by name."""
        with self.engine.connect() as connection:
            row = connection.execute(sa.select(users).where(users.c.username == username)).first()
        return User(row.id, row.username, row.role, row.supervisor_id) if row else None

    def all(self) -> list[User]:
        """Every user, by name."""
        with self.engine.connect() as connection:
            rows = connection.execute(sa.select(users).order_by(users.c.username)).all()
        return [User(r.id, r.username, r.role, r.supervisor_id) for r in rows]

    def set_supervisor(self, trainee_id: int, supervisor_id: int | None) -> None:
        """Assigns a trainee to a supervisor."""
        with self.engine.begin() as connection:
            connection.execute(
                users.update().where(users.c.id == trainee_id).values(supervisor_id=supervisor_id)
            )

    def set_password(self, user_id: int, password: str) -> None:
        """Replaces a password (same length rule as on creation)."""
        if len(password) < MIN_PASSWORD:
            raise AccountError(f"Passwords need at least {MIN_PASSWORD} characters.")
        with self.engine.begin() as connection:
            connection.execute(
                users.update()
                .where(users.c.id == user_id)
                .values(password_hash=hash_password(password))
            )

    def trainees_of(self, user: User) -> list[User]:
        """The trainees whose sessions ``user`` may review (all of them for an admin)."""
        trainees = [u for u in self.all() if u.role == TRAINEE]
        if user.role == ADMIN:
            return trainees
        if user.role == SUPERVISOR:
            return [u for u in trainees if u.supervisor_id == user.id]
        return []


def can_view(user: User, session: PracticeSession, accounts: Accounts) -> bool:
    """Owner, the owner's supervisor and administrators may read a session."""
    if session.user_id == user.id:
        return True
    if user.role == ADMIN:
        return True
    if user.role == SUPERVISOR and session.user_id is not None:
        owner = accounts.get(session.user_id)
        return owner is not None and owner.supervisor_id == user.id
    return False


def can_review(user: User, session: PracticeSession, accounts: Accounts) -> bool:
    """Only supervisors (of the owner) and administrators override codes and comment."""
    return user.role in (SUPERVISOR, ADMIN) and can_view(user, session, accounts)


def can_delete(user: User, session: PracticeSession) -> bool:
    """A transcript belongs to its trainee: only they delete it."""
    return session.user_id == user.id


def _ask_password() -> str:
    """Asks twice without echo at a terminal; reads one line when input is piped."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    password = getpass.getpass(f"New password (at least {MIN_PASSWORD} characters): ")
    if getpass.getpass("The same password again: ") != password:
        raise AccountError("The two passwords differ.")
    return password


def main(argv: Sequence[str] | None = None) -> int:
    """Creates an administrator or resets a password from the terminal (the app's database).

    Args:
        argv: the arguments (``sys.argv[1:]`` by default).
    """
    parser = argparse.ArgumentParser(
        prog="python -m trainer_ui.accounts",
        description="Manage the trainer app's accounts from the terminal. The database is "
        "APP_DATABASE_URL (default sqlite:///var/app.db). Passwords are asked for (or read "
        "as one line from piped input), never taken as arguments: other users can read "
        "arguments with `ps`.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create-admin", help="create an administrator account")
    create.add_argument("username")
    reset = commands.add_parser("reset-password", help="set a new password for an account")
    reset.add_argument("username")
    args = parser.parse_args(argv)

    accounts = Accounts(Store.from_env())
    try:
        if args.command == "create-admin":
            password = _ask_password()
            if accounts.needs_setup():
                user = accounts.create_first_admin(args.username, password)
            else:
                user = accounts.create(args.username, password, ADMIN)
            print(f"Administrator {user.username} created.")
            return 0
        found = accounts.by_name(args.username.strip())
        if found is None:
            raise AccountError(f"There is no account {args.username!r}.")
        accounts.set_password(found.id, _ask_password())
        print(f"Password of {found.username} ({found.role}) changed.")
        return 0
    except AccountError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    # A database this creates holds password hashes: its owner's alone, as under `make run`.
    os.umask(0o077)
    sys.exit(main())
