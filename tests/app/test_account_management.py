"""Account management, the login throttle, login tokens and the audit log, without a page."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from tests.app.conftest import PASSWORD
from trainer_ui import audit
from trainer_ui.accounts import AccountDisabled, AccountError, Accounts
from trainer_ui.auth import WRONG, LoginRefused, log_in, log_out
from trainer_ui.login_sessions import LoginSessions, LoginSettings
from trainer_ui.store import Store
from trainer_ui.throttle import ACCOUNT_LIMIT, CLIENT_LIMIT, LoginThrottle


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


@pytest.fixture()
def accounts(tmp_path) -> Accounts:
    return Accounts(Store(f"sqlite:///{tmp_path / 'app.db'}"))


@pytest.fixture()
def clock() -> Clock:
    return Clock()


def events(accounts: Accounts) -> list[tuple[str, str, str | None]]:
    """The audit log, oldest first: (event, account, actor)."""
    entries = reversed(audit.recent(accounts.engine))
    return [(e.event, e.username, e.actor) for e in entries]


# Administrators' changes ------------------------------------------------------------------


def test_a_reset_password_works_once_and_must_be_changed(accounts) -> None:
    admin = accounts.create("root", PASSWORD, "admin")
    tina = accounts.create("tina", PASSWORD, "trainee", by=admin)

    temporary = accounts.reset_password(tina.id, admin)

    assert len(temporary) >= 10 and accounts.authenticate("tina", PASSWORD) is None
    reset = accounts.authenticate("tina", temporary)
    assert reset is not None and reset.must_change_password
    with pytest.raises(AccountError, match="different"):
        accounts.change_password(reset, temporary, temporary)
    with pytest.raises(AccountError, match="current password"):
        accounts.change_password(reset, "not the one", "my own new password")
    accounts.change_password(reset, temporary, "my own new password")
    changed = accounts.authenticate("tina", "my own new password")
    assert changed is not None and not changed.must_change_password
    assert events(accounts) == [
        ("account_created", "root", "terminal"),
        ("account_created", "tina", "root"),
        ("password_reset", "tina", "root"),
        ("password_changed", "tina", None),
    ]


def test_an_administrator_may_choose_the_temporary_password(accounts) -> None:
    admin = accounts.create("root", PASSWORD, "admin")
    tina = accounts.create("tina", PASSWORD, "trainee")
    assert accounts.reset_password(tina.id, admin, "chosen temporary") == "chosen temporary"
    with pytest.raises(AccountError, match="at least 10"):
        accounts.reset_password(tina.id, admin, "short")


def test_a_disabled_account_cannot_log_in_until_enabled(accounts) -> None:
    admin = accounts.create("root", PASSWORD, "admin")
    tina = accounts.create("tina", PASSWORD, "trainee")
    accounts.set_disabled(tina.id, True, admin)
    with pytest.raises(AccountDisabled):
        accounts.authenticate("tina", PASSWORD)
    # A wrong password learns nothing about the account.
    assert accounts.authenticate("tina", "wrong password") is None
    accounts.set_disabled(tina.id, False, admin)
    assert accounts.authenticate("tina", PASSWORD) is not None
    assert [e for e, _, _ in events(accounts)][-2:] == ["account_disabled", "account_enabled"]


def test_a_role_change_keeps_a_supervisor_only_for_trainees(accounts) -> None:
    admin = accounts.create("root", PASSWORD, "admin")
    sam = accounts.create("sam", PASSWORD, "supervisor")
    tina = accounts.create("tina", PASSWORD, "trainee", sam.id)
    accounts.set_role(tina.id, "educator", admin)
    changed = accounts.get(tina.id)
    assert changed is not None and (changed.role, changed.supervisor_id) == ("educator", None)
    with pytest.raises(AccountError, match="Unknown role"):
        accounts.set_role(tina.id, "owner", admin)
    assert audit.recent(accounts.engine)[0].detail == "trainee -> educator"


def test_the_last_enabled_administrator_stays(accounts) -> None:
    root = accounts.create("root", PASSWORD, "admin")
    with pytest.raises(AccountError, match="only enabled administrator"):
        accounts.set_disabled(root.id, True, root)
    with pytest.raises(AccountError, match="only enabled administrator"):
        accounts.set_role(root.id, "trainee", root)
    second = accounts.create("second", PASSWORD, "admin")
    accounts.set_role(root.id, "supervisor", second)
    with pytest.raises(AccountError, match="only enabled administrator"):
        accounts.set_disabled(second.id, True, second)


# The throttle ------------------------------------------------------------------------------


def test_an_account_waits_after_repeated_failures_and_the_wait_doubles(accounts, clock) -> None:
    throttle = LoginThrottle(accounts.engine, clock)
    for _ in range(ACCOUNT_LIMIT - 1):
        throttle.failed("tina", "10.0.0.1")
    assert throttle.wait("tina", "10.0.0.1") is None
    throttle.failed("Tina ", "10.0.0.2")  # any case, any address: the same account
    wait = throttle.wait("tina", "10.0.0.3")
    assert wait is not None and (wait.seconds, wait.reason) == (30, "account")
    assert "Try again in 30 seconds" in wait.message()
    assert throttle.wait("sam", "10.0.0.3") is None  # other accounts are not held up

    clock.advance(seconds=31)
    assert throttle.wait("tina", "10.0.0.1") is None
    throttle.failed("tina", "10.0.0.1")
    wait = throttle.wait("tina", "10.0.0.1")
    assert wait is not None and wait.seconds == 60 and "1 minute;" in wait.message()

    throttle.forget_account("tina")  # a success or an administrator's reset
    assert throttle.wait("tina", "10.0.0.1") is None


def test_a_client_waits_after_failures_across_accounts(accounts, clock) -> None:
    throttle = LoginThrottle(accounts.engine, clock)
    for number in range(CLIENT_LIMIT):
        throttle.failed(f"user{number}", "10.0.0.9")
    wait = throttle.wait("anyone", "10.0.0.9")
    assert wait is not None and wait.reason == "client"
    assert "this computer or network" in wait.message()
    assert throttle.wait("anyone", "10.0.0.10") is None
    # Failures older than the window are forgotten.
    clock.advance(hours=2)
    assert throttle.wait("anyone", "10.0.0.9") is None


def test_the_wait_is_capped(accounts, clock) -> None:
    throttle = LoginThrottle(accounts.engine, clock)
    for _ in range(ACCOUNT_LIMIT + 12):
        throttle.failed("tina", "10.0.0.1")
    wait = throttle.wait("tina", "10.0.0.1")
    assert wait is not None and wait.seconds == 15 * 60


def test_log_in_refuses_while_throttled_even_with_the_right_password(accounts, clock) -> None:
    accounts.create("tina", PASSWORD, "trainee")
    sessions = LoginSessions(accounts.engine, clock=clock)
    throttle = LoginThrottle(accounts.engine, clock)
    for _ in range(ACCOUNT_LIMIT):
        with pytest.raises(LoginRefused, match=WRONG):
            log_in(accounts, sessions, "tina", "wrong password", "10.0.0.1", throttle)
    with pytest.raises(LoginRefused, match="Try again in 30 seconds"):
        log_in(accounts, sessions, "tina", PASSWORD, "10.0.0.1", throttle)
    clock.advance(seconds=30)
    done = log_in(accounts, sessions, "tina", PASSWORD, "10.0.0.1", throttle)
    assert done.user.username == "tina" and sessions.user_id(done.token) == done.user.id
    logged = [(e.event, e.client) for e in reversed(audit.recent(accounts.engine))]
    assert logged[1:] == [("login_failed", "10.0.0.1")] * ACCOUNT_LIMIT + [
        ("login_throttled", "10.0.0.1"),
        ("login", "10.0.0.1"),
    ]


def test_log_in_says_a_disabled_account_is_disabled_only_with_the_right_password(
    accounts,
) -> None:
    admin = accounts.create("root", PASSWORD, "admin")
    tina = accounts.create("tina", PASSWORD, "trainee")
    accounts.set_disabled(tina.id, True, admin)
    sessions = LoginSessions(accounts.engine)
    with pytest.raises(LoginRefused, match=WRONG):
        log_in(accounts, sessions, "tina", "wrong password", "local")
    with pytest.raises(LoginRefused, match="disabled"):
        log_in(accounts, sessions, "tina", PASSWORD, "local")


# Login tokens ------------------------------------------------------------------------------


def test_a_token_names_its_user_until_logged_out(accounts) -> None:
    tina = accounts.create("tina", PASSWORD, "trainee")
    sessions = LoginSessions(accounts.engine)
    token = sessions.start(tina.id)
    assert sessions.user_id(token) == tina.id
    # Another app instance on the same database shares the key.
    assert LoginSessions(accounts.engine).user_id(token) == tina.id
    log_out(accounts, sessions, tina, token, "local")
    assert sessions.user_id(token) is None
    assert events(accounts)[-1] == ("logout", "tina", None)


def test_forged_or_altered_tokens_are_refused(accounts) -> None:
    tina = accounts.create("tina", PASSWORD, "trainee")
    sessions = LoginSessions(accounts.engine)
    secret, expires, signature = sessions.start(tina.id).split(".")
    later = str(int(expires) + 86400)
    for token in (
        "",
        "garbage",
        f"{secret}.{later}.{signature}",  # a longer life
        f"{secret}x.{expires}.{signature}",
        f"{secret}.{expires}.{'0' * len(signature)}",
    ):
        assert sessions.user_id(token) is None, token


def test_a_login_ends_after_the_idle_timeout_and_at_its_expiry(accounts, clock) -> None:
    tina = accounts.create("tina", PASSWORD, "trainee")
    settings = LoginSettings(idle=timedelta(minutes=30), lifetime=timedelta(hours=2))
    sessions = LoginSessions(accounts.engine, settings, clock)
    token = sessions.start(tina.id)
    # Activity every 20 minutes keeps it alive, up to its lifetime.
    for _ in range(5):
        clock.advance(minutes=20)
        assert sessions.user_id(token) == tina.id
    clock.advance(minutes=20)
    assert sessions.user_id(token) is None  # two hours after the login

    idle = sessions.start(tina.id)
    clock.advance(minutes=31)
    assert sessions.user_id(idle) is None


def test_settings_come_from_the_environment(monkeypatch, caplog) -> None:
    monkeypatch.setenv("APP_LOGIN_IDLE_MINUTES", "15")
    monkeypatch.setenv("APP_LOGIN_MAX_HOURS", "0.5")
    assert LoginSettings.from_env() == LoginSettings(timedelta(minutes=15), timedelta(minutes=30))
    monkeypatch.setenv("APP_LOGIN_IDLE_MINUTES", "soon")
    assert LoginSettings.from_env().idle == timedelta(minutes=60)
    assert "APP_LOGIN_IDLE_MINUTES='soon'" in caplog.text


def test_a_reset_or_disabling_ends_every_login_and_a_change_all_but_its_own(accounts) -> None:
    admin = accounts.create("root", PASSWORD, "admin")
    tina = accounts.create("tina", PASSWORD, "trainee")
    sessions = LoginSessions(accounts.engine)

    here, elsewhere = sessions.start(tina.id), sessions.start(tina.id)
    accounts.change_password(tina, PASSWORD, "a brand new password", keep_token=here)
    assert sessions.user_id(here) == tina.id and sessions.user_id(elsewhere) is None

    temporary = accounts.reset_password(tina.id, admin)
    assert sessions.user_id(here) is None

    again = sessions.start(tina.id)
    accounts.set_disabled(tina.id, True, admin)
    assert sessions.user_id(again) is None
    assert temporary


def test_activity_keeps_a_login_with_a_short_idle_timeout_alive(accounts, clock) -> None:
    tina = accounts.create("tina", PASSWORD, "trainee")
    settings = LoginSettings(idle=timedelta(seconds=30), lifetime=timedelta(hours=1))
    sessions = LoginSessions(accounts.engine, settings, clock)
    token = sessions.start(tina.id)
    for _ in range(10):  # a click every 20 s for over three minutes
        clock.advance(seconds=20)
        assert sessions.user_id(token) == tina.id
