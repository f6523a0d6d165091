"""The login form, forced and own password changes, and account management on *Accounts*."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.app.conftest import PASSWORD
from trainer_ui import audit
from trainer_ui.accounts import User
from trainer_ui.app_state import TOKEN_KEY
from trainer_ui.login_sessions import LoginSessions
from trainer_ui.throttle import ACCOUNT_LIMIT

NEW_PASSWORD = "a password of my own"


def log_in(at: AppTest, username: str, password: str) -> AppTest:
    at.text_input[0].input(username)
    at.text_input[1].input(password)
    return at.button[0].click().run()


def cookie_scripts(at: AppTest) -> list[str]:
    """The login cookie the page writes (by script, in an st.html element)."""
    return [e.proto.body for e in at.get("html") if "mi_login=" in e.proto.body]


def test_login_gives_the_browser_a_cookie_and_log_out_ends_the_login(harness) -> None:
    harness.user("admin1", "admin")
    harness.user("tina", "trainee")
    at = log_in(harness.run(), "tina", PASSWORD)
    token = at.session_state[TOKEN_KEY]
    (script,) = cookie_scripts(at)
    assert f"mi_login={token}; Path=/; Max-Age=43200; SameSite=Strict" in script
    assert "Secure" not in script  # plain http here; https adds it

    at.sidebar.button[0].click().run()  # Log out
    assert LoginSessions(harness.store.engine).user_id(token) is None
    assert at.title[0].value == "Motivational interviewing practice" and at.text_input
    assert [e.event for e in audit.recent(harness.store.engine)][:2] == ["logout", "login"]


def test_repeated_failures_make_the_form_say_how_long_to_wait(harness) -> None:
    harness.user("admin1", "admin")
    harness.user("tina", "trainee")
    at = harness.run()
    for _ in range(ACCOUNT_LIMIT):
        log_in(at, "tina", "wrong password")
        assert at.error[0].value == "Unknown user name or wrong password."
    log_in(at, "tina", PASSWORD)
    assert "Too many failed logins for this account. Try again in 30 seconds" in (at.error[0].value)
    assert TOKEN_KEY not in at.session_state


def test_a_login_ended_elsewhere_sends_the_tab_to_the_login_page(harness) -> None:
    harness.user("admin1", "admin")
    tina = harness.user("tina", "trainee")
    at = harness.run(tina)
    LoginSessions(harness.store.engine).end(at.session_state[TOKEN_KEY])
    at.run()
    assert "Your login has ended" in at.info[0].value
    assert at.button[0].label == "Log in"


def test_a_reset_password_must_be_changed_before_any_page(harness) -> None:
    admin = harness.user("admin1", "admin")
    tina = harness.user("tina", "trainee")
    temporary = harness.accounts.reset_password(tina.id, admin)
    at = log_in(harness.run(), "tina", temporary)
    assert at.title[0].value == "Choose a new password"
    assert len(at.sidebar.button) == 1  # log out, and no page to go to

    at.text_input[0].input(temporary)
    at.text_input[1].input(NEW_PASSWORD)
    at.text_input[2].input("a different one!")
    at.button[0].click().run()
    assert at.error[0].value == "The two new passwords differ."

    at.text_input[0].input(temporary)
    at.text_input[1].input(NEW_PASSWORD)
    at.text_input[2].input(NEW_PASSWORD)
    at.button[0].click().run()
    assert not at.exception
    assert at.title[0].value != "Choose a new password"
    assert harness.accounts.authenticate("tina", NEW_PASSWORD) is not None
    assert [t.value for t in at.toast] == ["Password changed. Your other logins have ended."]


def test_every_user_changes_their_own_password(harness) -> None:
    harness.user("admin1", "admin")
    sam = harness.user("sam", "supervisor")
    at = harness.run(sam, page="account")
    assert at.title[0].value == "Your password"
    at.text_input[0].input("not my password")
    at.text_input[1].input(NEW_PASSWORD)
    at.text_input[2].input(NEW_PASSWORD)
    at.button[0].click().run()
    assert at.error[0].value == "The current password is not right."
    at.text_input[0].input(PASSWORD)
    at.text_input[1].input(NEW_PASSWORD)
    at.text_input[2].input(NEW_PASSWORD)
    at.button[0].click().run()
    assert harness.accounts.authenticate("sam", NEW_PASSWORD) is not None
    # This tab stays logged in.
    assert LoginSessions(harness.store.engine).user_id(at.session_state[TOKEN_KEY]) == sam.id


def manage(at: AppTest, account: User) -> AppTest:
    """Chooses the account to manage on *Accounts*."""
    return at.selectbox(key="manage-account").set_value(account.id).run()


def test_an_administrator_resets_disables_enables_and_changes_roles(harness) -> None:
    admin = harness.user("admin1", "admin")
    tina = harness.user("tina", "trainee")
    tina_token = LoginSessions(harness.store.engine).start(tina.id)
    at = harness.run(admin)
    assert at.title[0].value == "Accounts"

    manage(at, tina)
    at.button(key="FormSubmitter:reset-password-Reset password").click().run()
    assert "Password of tina reset" in at.success[0].value
    temporary = at.code[0].value
    assert harness.accounts.authenticate("tina", temporary) is not None
    assert LoginSessions(harness.store.engine).user_id(tina_token) is None
    assert "must change password" in at.dataframe[0].value.to_string()

    manage(at, tina)
    assert "tina: trainee, must change password" in [t.value for t in at.text]
    at.selectbox(key=f"new-role-{tina.id}").select("supervisor")
    at.button(key="FormSubmitter:change-role-Change role").click().run()
    assert at.success[0].value == "tina is now supervisor."
    assert harness.accounts.get(tina.id).role == "supervisor"  # type: ignore[union-attr]

    manage(at, tina)
    [disable] = [b for b in at.button if b.label == "Disable account"]
    disable.click().run()
    assert at.success[0].value == "tina is disabled."
    manage(at, tina)
    [enable] = [b for b in at.button if b.label == "Enable account"]
    enable.click().run()
    assert at.success[0].value == "tina can log in again."

    log = at.dataframe[-1].value.to_string()
    for event in ("password reset", "role changed", "account disabled", "account enabled"):
        assert event in log, event


def test_an_administrator_cannot_disable_or_demote_the_last_administrator(harness) -> None:
    admin = harness.user("admin1", "admin")
    at = harness.run(admin)
    manage(at, admin)
    [disable] = [b for b in at.button if b.label == "Disable account"]
    assert disable.disabled  # not oneself
    at.selectbox(key=f"new-role-{admin.id}").select("trainee")
    at.button(key="FormSubmitter:change-role-Change role").click().run()
    assert "only enabled administrator" in at.error[0].value
    assert harness.accounts.get(admin.id).role == "admin"  # type: ignore[union-attr]
