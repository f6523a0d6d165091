"""First-run set-up and log in: no default account, hashed passwords, role navigation."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from tests.app.conftest import APP, PASSWORD
from trainer_ui import setup_code
from trainer_ui.accounts import AccountError, Accounts, hash_password, verify_password
from trainer_ui.db import users
from trainer_ui.store import Store

PAGES = Path(APP).parent / "app_pages"
ROOT = Path(APP).resolve().parents[1]


@pytest.fixture()
def code_file(tmp_path, monkeypatch) -> Path:
    """The set-up code as `scripts/run.py` leaves it for the app."""
    path = tmp_path / "var" / "setup-code"
    setup_code.write_code(path)
    monkeypatch.setenv(setup_code.SETUP_CODE_ENV, str(path))
    return path


def fill_setup(at: AppTest, code: str, password: str = PASSWORD) -> None:
    at.text_input[0].input(code)
    at.text_input[1].input("root-admin")
    at.text_input[2].input(password)
    at.text_input[3].input(password)
    at.button[0].click().run()


def test_first_run_asks_for_the_code_and_an_administrator_and_logs_them_in(
    harness, code_file
) -> None:
    at = harness.run()
    assert at.title[0].value == "Welcome: set up the administrator"
    assert stat.S_IMODE(code_file.stat().st_mode) == 0o600

    # Typed as read off the terminal, in lower case and with spaces, it still matches.
    fill_setup(at, " " + code_file.read_text().strip().lower().replace("-", " "))

    assert not at.exception
    admin = harness.accounts.by_name("root-admin")
    assert admin is not None and admin.role == "admin"
    assert at.title[0].value == "Accounts"
    assert not code_file.exists()  # one use only


def test_set_up_refuses_a_wrong_code(harness, code_file) -> None:
    at = harness.run()
    fill_setup(at, "ABCD-EFGH-JKLM")
    assert "not the set-up code" in at.error[0].value
    assert harness.accounts.needs_setup() and code_file.exists()


def test_set_up_refuses_every_code_when_the_launcher_left_none(harness) -> None:
    at = harness.run()
    fill_setup(at, "")
    assert "not the set-up code" in at.error[0].value
    assert any("create-admin" in c.value for c in at.caption)
    assert harness.accounts.needs_setup()


def test_set_up_refuses_short_and_mismatched_passwords(harness, code_file) -> None:
    at = harness.run()
    fill_setup(at, code_file.read_text(), password="short")
    assert "at least 10" in at.error[0].value
    assert harness.accounts.needs_setup()


def test_two_first_administrators_at_once_cannot_both_be_created(harness) -> None:
    # Each thread has its own engine and connections, as two app sessions would.
    url = str(harness.store.engine.url)
    racers = [Accounts(Store(url)) for _ in range(6)]
    start = threading.Barrier(len(racers))
    outcomes: list[str] = []

    def claim(number: int) -> None:
        start.wait()
        try:
            racers[number].create_first_admin(f"admin{number}", PASSWORD)
            outcomes.append("created")
        except AccountError as error:
            outcomes.append(str(error))

    threads = [threading.Thread(target=claim, args=(n,)) for n in range(len(racers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("created") == 1, outcomes
    assert set(outcomes) - {"created"} == {"An administrator already exists; please log in."}
    assert [u.role for u in harness.accounts.all()] == ["admin"]


def test_set_up_after_an_account_exists_is_refused(harness) -> None:
    harness.user("tina", "trainee")  # e.g. made in the terminal
    with pytest.raises(AccountError, match="already exists"):
        harness.accounts.create_first_admin("late-admin", PASSWORD)


def run_cli(url: str, *args: str, password: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "APP_DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "trainer_ui.accounts", *args],
        input=password + "\n",
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        start_new_session=True,  # no terminal: the password comes from the pipe
        timeout=120,
    )


def test_terminal_creates_an_administrator_and_resets_a_password(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    created = run_cli(url, "create-admin", "root", password=PASSWORD)
    assert created.returncode == 0, created.stderr
    assert "Administrator root created." in created.stdout
    # A database the command creates holds password hashes: owner only.
    assert stat.S_IMODE((tmp_path / "app.db").stat().st_mode) == 0o600
    accounts = Accounts(Store(url))
    assert accounts.authenticate("root", PASSWORD) is not None
    # The web set-up is closed once an administrator exists.
    with pytest.raises(AccountError):
        accounts.create_first_admin("web-admin", PASSWORD)

    reset = run_cli(url, "reset-password", "root", password="a new long password")
    assert reset.returncode == 0, reset.stderr
    assert accounts.authenticate("root", "a new long password") is not None
    assert accounts.authenticate("root", PASSWORD) is None

    unknown = run_cli(url, "reset-password", "nobody", password="a new long password")
    short = run_cli(url, "create-admin", "second", password="short")
    assert unknown.returncode == 1 and "no account 'nobody'" in unknown.stderr
    assert short.returncode == 1 and "at least 10" in short.stderr


def test_login_with_wrong_password_says_so_without_saying_which(harness) -> None:
    harness.user("admin1", "admin")
    harness.user("tina", "trainee")
    at = harness.run()
    at.text_input[0].input("tina")
    at.text_input[1].input("wrong password!")
    at.button[0].click().run()
    assert at.error[0].value == "Unknown user name or wrong password."


def test_trainee_logs_in_and_lands_on_practice(harness) -> None:
    harness.user("admin1", "admin")
    harness.user("tina", "trainee")
    at = harness.run()
    at.text_input[0].input("tina")
    at.text_input[1].input(PASSWORD)
    at.button[0].click().run()
    assert not at.exception
    assert at.title[0].value == "Motivational interviewing practice"


def test_passwords_are_stored_salted_and_hashed(harness) -> None:
    harness.user("admin1", "admin")
    with harness.store.engine.connect() as connection:
        stored = connection.execute(sa.select(users.c.password_hash)).scalar_one()
    assert PASSWORD not in stored and stored.startswith("scrypt$")
    assert hash_password(PASSWORD) != hash_password(PASSWORD)  # per-user salt
    assert verify_password(PASSWORD, stored) and not verify_password("nope", stored)


def test_a_trainee_cannot_open_supervisor_or_educator_pages(harness) -> None:
    harness.user("admin1", "admin")
    tina = harness.user("tina", "trainee")
    for page in ("sessions", "review", "agreement", "authoring", "users"):
        # Not in a trainee's navigation: Streamlit falls back to their default page.
        at = harness.run(tina, page=page)
        assert at.title[0].value == "Motivational interviewing practice", page
        # And each page checks the role itself, should it ever be reached directly.
        direct = AppTest.from_file(str(PAGES / f"{page}.py"), default_timeout=60)
        harness.login(direct, tina)
        direct.run()
        assert "not available to your role" in direct.error[0].value, page


def test_pages_refuse_visitors_who_are_not_logged_in(harness) -> None:
    harness.user("admin1", "admin")
    for page in ("practice", "my_sessions", "progress", "drills", "sessions", "review"):
        direct = AppTest.from_file(str(PAGES / f"{page}.py"), default_timeout=60).run()
        assert direct.error[0].value == "Please log in.", page
