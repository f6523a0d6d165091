"""Logging in and out: the throttle, the password check, the audit log and the login token."""

from __future__ import annotations

from dataclasses import dataclass

from trainer_ui import audit
from trainer_ui.accounts import AccountDisabled, Accounts, User
from trainer_ui.login_sessions import LoginSessions
from trainer_ui.throttle import LoginThrottle

WRONG = "Unknown user name or wrong password."


class LoginRefused(Exception):
    """A login was refused; the message is for the person at the form."""


@dataclass(frozen=True)
class LoggedIn:
    """A successful login: who, and the token that carries it across reloads."""

    user: User
    token: str


def log_in(
    accounts: Accounts,
    sessions: LoginSessions,
    username: str,
    password: str,
    client: str,
    throttle: LoginThrottle | None = None,
) -> LoggedIn:
    """Checks a login and starts a login session; every outcome goes to the audit log.

    Args:
        client: the address the form was sent from (the per-client throttle's key).

    Raises:
        LoginRefused: throttled (the message says how long to wait), wrong name or
            password (never which), or a disabled account (only with the right password).
    """
    throttle = throttle or LoginThrottle(accounts.engine)
    name = username.strip()
    wait = throttle.wait(name, client)
    if wait is not None:
        audit.log(accounts.engine, audit.LOGIN_THROTTLED, name, client=client, detail=wait.reason)
        raise LoginRefused(wait.message())
    try:
        user = accounts.authenticate(name, password)
    except AccountDisabled as error:
        audit.log(accounts.engine, audit.LOGIN_REFUSED_DISABLED, name, client=client)
        raise LoginRefused(str(error)) from None
    if user is None:
        throttle.failed(name, client)
        audit.log(accounts.engine, audit.LOGIN_FAILED, name, client=client)
        raise LoginRefused(WRONG)
    throttle.forget_account(name)
    token = sessions.start(user.id)
    audit.log(accounts.engine, audit.LOGIN, user.username, client=client)
    return LoggedIn(user, token)


def log_out(
    accounts: Accounts, sessions: LoginSessions, user: User, token: str | None, client: str
) -> None:
    """Ends the login everywhere (other tabs, a reload), not just in this tab."""
    sessions.end(token)
    audit.log(accounts.engine, audit.LOGOUT, user.username, client=client)
