"""First-run set-up and log in: no default account, hashed passwords, role navigation."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from tests.app.conftest import APP, PASSWORD
from trainer_ui.accounts import hash_password, verify_password
from trainer_ui.db import users

PAGES = Path(APP).parent / "app_pages"


def test_first_run_asks_for_an_administrator_and_logs_them_in(harness) -> None:
    at = harness.run()
    assert at.title[0].value == "Welcome: set up the administrator"

    at.text_input[0].input("root-admin")
    at.text_input[1].input(PASSWORD)
    at.text_input[2].input(PASSWORD)
    at.button[0].click().run()

    assert not at.exception
    admin = harness.accounts.by_name("root-admin")
    assert admin is not None and admin.role == "admin"
    assert at.title[0].value == "Accounts"


def test_set_up_refuses_short_and_mismatched_passwords(harness) -> None:
    at = harness.run()
    at.text_input[0].input("root-admin")
    at.text_input[1].input("short")
    at.text_input[2].input("short")
    at.button[0].click().run()
    assert "at least 10" in at.error[0].value
    assert harness.accounts.needs_setup()


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
        direct.session_state["user_id"] = tina.id
        direct.run()
        assert "not available to your role" in direct.error[0].value, page


def test_pages_refuse_visitors_who_are_not_logged_in(harness) -> None:
    harness.user("admin1", "admin")
    for page in ("practice", "my_sessions", "progress", "drills", "sessions", "review"):
        direct = AppTest.from_file(str(PAGES / f"{page}.py"), default_timeout=60).run()
        assert direct.error[0].value == "Please log in.", page
