"""The app's SQL schema (SQLAlchemy Core): accounts and logins, sessions, ratings, reviews."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("username", sa.String(64), nullable=False, unique=True),
    sa.Column("password_hash", sa.String(256), nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    # A trainee's supervisor: who may review their sessions.
    sa.Column("supervisor_id", sa.Integer, sa.ForeignKey("users.id"), nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    # Set while an administrator has disabled the account: it cannot log in.
    sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
    # True after an administrator's reset: the next login must choose a new password.
    sa.Column("must_change_password", sa.Boolean, nullable=True),
)

# A login that survives reloads: the browser holds a signed token naming the row by the
# SHA-256 of its secret part, so the table alone cannot be turned back into tokens.
login_sessions = sa.Table(
    "login_sessions",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    # Set by log out, a password change or reset, or disabling the account.
    sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
)

# Failed logins by key ("account:<name>" or "client:<address>"), kept for the throttle's
# window only.
login_failures = sa.Table(
    "login_failures",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("key", sa.String(160), nullable=False, index=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
)

# Every login, failure, reset and account change. Names, not ids: failures name accounts that
# may not exist, and an entry outlives its account.
audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("event", sa.String(32), nullable=False),
    sa.Column("username", sa.String(64), nullable=False),
    # Who did it, when not the account itself (an administrator, or "terminal").
    sa.Column("actor", sa.String(64), nullable=True),
    sa.Column("client", sa.String(64), nullable=True),
    sa.Column("detail", sa.String(200), nullable=False, default=""),
)

# Named secrets the app makes for itself, shared by every app instance on this database:
# the key that signs login tokens.
app_secrets = sa.Table(
    "app_secrets",
    metadata,
    sa.Column("name", sa.String(32), primary_key=True),
    sa.Column("value", sa.String(128), nullable=False),
)

# At most one row: the first administrator's creation claims it inside its transaction, so two
# first-run visitors at once cannot both become administrator (the second insert fails on the
# primary key, on SQLite and PostgreSQL alike).
setup_claim = sa.Table(
    "setup_claim",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
)

practice_sessions = sa.Table(
    "practice_sessions",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("scenario_id", sa.String(128), nullable=False),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=True),
    # The coded transcript, copied from the tracker store when the report first opens, so
    # progress, cohort views and exports need no round trip to Rasa per session.
    sa.Column("snapshot", sa.JSON, nullable=True),
    sa.Column("reviewed_by", sa.Integer, sa.ForeignKey("users.id"), nullable=True),
    sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
)

self_ratings = sa.Table(
    "self_ratings",
    metadata,
    sa.Column("session_id", sa.String(64), sa.ForeignKey("practice_sessions.id"), primary_key=True),
    sa.Column("reflections", sa.Integer, nullable=False),
    sa.Column("open_questions", sa.Integer, nullable=False),
    sa.Column("mi_consistency", sa.Integer, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

overrides = sa.Table(
    "overrides",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("session_id", sa.String(64), sa.ForeignKey("practice_sessions.id"), nullable=False),
    sa.Column("turn", sa.Integer, nullable=False),
    sa.Column("unit", sa.Integer, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    # The coder's code stays here for ever: agreement is measured against it.
    sa.Column("original_code", sa.String(32), nullable=False),
    sa.Column("new_code", sa.String(32), nullable=False),
    sa.Column("by_user", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
)

comments = sa.Table(
    "comments",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("session_id", sa.String(64), sa.ForeignKey("practice_sessions.id"), nullable=False),
    # None: a comment on the whole session.
    sa.Column("turn", sa.Integer, nullable=True),
    sa.Column("author", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
)

# Columns added after the first release; an older SQLite file gets them on start.
_ADDED_COLUMNS = {
    "users": ["disabled_at", "must_change_password"],
    "practice_sessions": ["user_id", "snapshot", "reviewed_by", "reviewed_at"],
}


def create_schema(engine: sa.engine.Engine) -> None:
    """Creates missing tables and adds columns newer than an existing database."""
    metadata.create_all(engine)
    inspector = sa.inspect(engine)
    for table_name, names in _ADDED_COLUMNS.items():
        present = {column["name"] for column in inspector.get_columns(table_name)}
        table = metadata.tables[table_name]
        for name in names:
            if name in present:
                continue
            column_type = table.c[name].type.compile(dialect=engine.dialect)
            with engine.begin() as connection:
                connection.execute(
                    sa.text(f"ALTER TABLE {table_name} ADD COLUMN {name} {column_type}")
                )
