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

from trainer_ui import audit
from trainer_ui.db import setup_claim, users
from trainer_ui.login_sessions import end_user_sessions
from trainer_ui.setup_code import has_users
from trainer_ui.store import PracticeSession, Store, now
from trainer_ui.throttle import LoginThrottle

TRAINEE, SUPERVISOR, EDUCATOR, ADMIN = "trainee", "supervisor", "educator", "admin"
ROLES = (TRAINEE, SUPERVISOR, EDUCATOR, ADMIN)
USERNAME_RE = re.compile(r"^[A-Za-z0-9_.-]{2,64}$")
MIN_PASSWORD = 10
# scrypt at n=2**14, r=8 costs ~16 MB and tens of milliseconds: slow for guessing, fine to log in.
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}
# Temporary passwords are read out or copied by hand: no 0/O, 1/l/I.
_TEMPORARY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


class AccountError(ValueError):
    """A user name or password was refused; the message says why."""


class AccountDisabled(AccountError):
    """The password was right but an administrator has disabled the account."""


@dataclass(frozen=True)
class User:
    """A person who can log in."""

    id: int
    username: str
    role: str
    supervisor_id: int | None = None
    disabled: bool = False
    #: Set by an administrator's reset: the user must choose a new password first.
    must_change_password: bool = False


def _user(row: sa.engine.Row) -> User:
    return User(
        row.id,
        row.username,
        row.role,
        row.supervisor_id,
        row.disabled_at is not None,
        bool(row.must_change_password),
    )


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"Passwords need at least {MIN_PASSWORD} characters.")


def temporary_password() -> str:
    """A random password to hand over after a reset, e.g. ``k7mq-2xfa-p9dr`` (about 59 bits)."""
    return "-".join(
        "".join(secrets.choice(_TEMPORARY_ALPHABET) for _ in range(4)) for _ in range(3)
    )


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
        self,
        username: str,
        password: str,
        role: str,
        supervisor_id: int | None = None,
        by: User | None = None,
    ) -> User:
        """Creates an account (``by``: the administrator, recorded in the audit log).

        Raises:
            AccountError: bad name, short password, unknown role or name taken.
        """
        username = self._check_new(username, password, role)
        with self.engine.begin() as connection:
            user = self._insert(connection, username, password, role, supervisor_id)
            audit.record(
                connection,
                audit.ACCOUNT_CREATED,
                username,
                actor=by.username if by else "terminal",
                detail=f"role {role}",
            )
            return user

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
                user = self._insert(connection, username, password, ADMIN, None)
                audit.record(connection, audit.ACCOUNT_CREATED, username, detail="first admin")
                return user
        except sa.exc.IntegrityError:
            raise taken from None

    def _check_new(self, username: str, password: str, role: str) -> str:
        username = username.strip()
        if not USERNAME_RE.match(username):
            raise AccountError("User names are 2-64 letters, digits, '.', '_' or '-'.")
        _check_password(password)
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
        """The user, when the password is right; None otherwise (never says which was wrong).

        Raises:
            AccountDisabled: the password is right but the account is disabled; only someone
                who knows the password learns that.
        """
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
        if row.disabled_at is not None:
            raise AccountDisabled("This account is disabled. Ask your administrator.")
        return _user(row)

    def get(self, user_id: int) -> User | None:
        """One user by id."""
        with self.engine.connect() as connection:
            row = connection.execute(sa.select(users).where(users.c.id == user_id)).first()
        return _user(row) if row else None

    def by_name(self, username: str) -> User | None:
        """One user by name."""
        with self.engine.connect() as connection:
            row = connection.execute(sa.select(users).where(users.c.username == username)).first()
        return _user(row) if row else None

    def all(self) -> list[User]:
        """Every user, by name."""
        with self.engine.connect() as connection:
            rows = connection.execute(sa.select(users).order_by(users.c.username)).all()
        return [_user(r) for r in rows]

    def set_supervisor(self, trainee_id: int, supervisor_id: int | None) -> None:
        """Assigns a trainee to a supervisor."""
        with self.engine.begin() as connection:
            connection.execute(
                users.update().where(users.c.id == trainee_id).values(supervisor_id=supervisor_id)
            )

    def set_password(self, user_id: int, password: str, by: str = "terminal") -> None:
        """Replaces a password (same length rule as on creation) and ends the user's logins.

        The terminal's reset: the new password is the administrator's own choice, so it
        need not be changed at the next login.
        """
        _check_password(password)
        user = self._existing(user_id)
        with self.engine.begin() as connection:
            self._store_password(connection, user_id, password, must_change=False)
            end_user_sessions(connection, user_id)
            audit.record(connection, audit.PASSWORD_RESET, user.username, actor=by)
        LoginThrottle(self.engine).forget_account(user.username)

    def reset_password(self, user_id: int, by: User, temporary: str = "") -> str:
        """An administrator's reset: a temporary password, to be changed at the next login.

        Ends the user's logins and clears their failed logins, so they can log in at once.

        Args:
            temporary: the password to hand over; empty for a generated one.

        Returns:
            The temporary password.
        """
        temporary = temporary or temporary_password()
        _check_password(temporary)
        user = self._existing(user_id)
        with self.engine.begin() as connection:
            self._store_password(connection, user_id, temporary, must_change=True)
            end_user_sessions(connection, user_id)
            audit.record(connection, audit.PASSWORD_RESET, user.username, actor=by.username)
        LoginThrottle(self.engine).forget_account(user.username)
        return temporary

    def change_password(
        self, user: User, current: str, new: str, keep_token: str | None = None
    ) -> None:
        """A user's own change: needs the current password; ends their other logins.

        Args:
            keep_token: the login making the change, which stays logged in.

        Raises:
            AccountError: the current password is wrong, or the new one is refused.
        """
        with self.engine.connect() as connection:
            stored = connection.execute(
                sa.select(users.c.password_hash).where(users.c.id == user.id)
            ).scalar()
        if stored is None or not verify_password(current, stored):
            raise AccountError("The current password is not right.")
        _check_password(new)
        if new == current:
            raise AccountError("Choose a password different from the current one.")
        with self.engine.begin() as connection:
            self._store_password(connection, user.id, new, must_change=False)
            end_user_sessions(connection, user.id, keep=keep_token)
            audit.record(connection, audit.PASSWORD_CHANGED, user.username)

    def set_disabled(self, user_id: int, disabled: bool, by: User) -> None:
        """Disables an account (its logins end at once) or enables it again.

        Raises:
            AccountError: it would leave no enabled administrator.
        """
        user = self._existing(user_id)
        with self.engine.begin() as connection:
            if disabled and user.role == ADMIN:
                self._keep_an_admin(connection, user_id)
            connection.execute(
                users.update()
                .where(users.c.id == user_id)
                .values(disabled_at=now() if disabled else None)
            )
            if disabled:
                end_user_sessions(connection, user_id)
            event = audit.ACCOUNT_DISABLED if disabled else audit.ACCOUNT_ENABLED
            audit.record(connection, event, user.username, actor=by.username)

    def set_role(self, user_id: int, role: str, by: User) -> None:
        """Changes a role; it applies at the user's next click. Only trainees keep a supervisor.

        Raises:
            AccountError: unknown role, or it would leave no enabled administrator.
        """
        if role not in ROLES:
            raise AccountError(f"Unknown role {role!r}.")
        user = self._existing(user_id)
        if role == user.role:
            return
        with self.engine.begin() as connection:
            if user.role == ADMIN:
                self._keep_an_admin(connection, user_id)
            values: dict[str, object] = {"role": role}
            if role != TRAINEE:
                values["supervisor_id"] = None
            connection.execute(users.update().where(users.c.id == user_id).values(**values))
            audit.record(
                connection,
                audit.ROLE_CHANGED,
                user.username,
                actor=by.username,
                detail=f"{user.role} -> {role}",
            )

    def _existing(self, user_id: int) -> User:
        user = self.get(user_id)
        if user is None:
            raise AccountError("There is no such account.")
        return user

    @staticmethod
    def _store_password(
        connection: sa.engine.Connection, user_id: int, password: str, must_change: bool
    ) -> None:
        connection.execute(
            users.update()
            .where(users.c.id == user_id)
            .values(password_hash=hash_password(password), must_change_password=must_change)
        )

    @staticmethod
    def _keep_an_admin(connection: sa.engine.Connection, leaving: int) -> None:
        # Checked inside the change's transaction; without an enabled administrator only the
        # terminal could manage accounts again.
        others = connection.execute(
            sa.select(sa.func.count())
            .select_from(users)
            .where(users.c.role == ADMIN, users.c.disabled_at.is_(None), users.c.id != leaving)
        ).scalar()
        if not others:
            raise AccountError(
                "This is the only enabled administrator: make another account administrator first."
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
