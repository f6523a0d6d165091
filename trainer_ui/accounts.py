"""Accounts, password hashing and the access rules every page and export goes through."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

import sqlalchemy as sa

from trainer_ui.db import users
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
        with self.engine.connect() as connection:
            count = connection.execute(sa.select(sa.func.count()).select_from(users)).scalar()
        return not count

    def create(
        self, username: str, password: str, role: str, supervisor_id: int | None = None
    ) -> User:
        """Creates an account.

        Raises:
            AccountError: bad name, short password, unknown role or name taken.
        """
        username = username.strip()
        if not USERNAME_RE.match(username):
            raise AccountError("User names are 2-64 letters, digits, '.', '_' or '-'.")
        if len(password) < MIN_PASSWORD:
            raise AccountError(f"Passwords need at least {MIN_PASSWORD} characters.")
        if role not in ROLES:
            raise AccountError(f"Unknown role {role!r}.")
        if self.by_name(username) is not None:
            raise AccountError(f"The user name {username!r} is taken.")
        with self.engine.begin() as connection:
            result = connection.execute(
                users.insert().values(
                    username=username,
                    password_hash=hash_password(password),
                    role=role,
                    supervisor_id=supervisor_id if role == TRAINEE else None,
                    created_at=now(),
                )
            )
            user_id = int(result.inserted_primary_key[0])
        return User(user_id, username, role, supervisor_id if role == TRAINEE else None)

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
