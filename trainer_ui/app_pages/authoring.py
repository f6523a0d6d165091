"""Educator page: a scenario in a form or as YAML; validate, preview, test, publish, archive."""

from __future__ import annotations

import streamlit as st

from bot.patient import start_state
from bot.scenario import Problem, list_scenarios
from scoring import Turn
from trainer_ui import authoring
from trainer_ui import scenario_form as form
from trainer_ui import scenario_form_view as editors
from trainer_ui.accounts import ADMIN, EDUCATOR
from trainer_ui.app_state import coder, require
from trainer_ui.report_view import PATIENT_AVATAR

require(EDUCATOR, ADMIN)

NEW = "(new scenario)"
PENDING_KEY = "authoring_pending"
CONFIRMED_KEY = "authoring_confirmed"
NOTE_KEY = "authoring_note"

st.title("Scenario authoring")
st.caption(authoring.RETRAINING_NOTE)


def open_in_editors(scenario_id: str, text: str, tests_text: str) -> None:
    editors.load(scenario_id, text, tests_text)
    st.session_state.pop(PENDING_KEY, None)
    st.session_state.pop("preview_chat", None)


def open_chosen() -> None:
    # A keyed picker whose chosen scenario was just unpublished has no choice: start anew.
    chosen = st.session_state.get("authoring_open") or NEW
    if chosen == NEW:
        open_in_editors("", form.dump(form.blank("")), "")
    else:
        open_in_editors(chosen, *authoring.template(chosen))


if editors.DRAFT_KEY not in st.session_state:
    open_in_editors("", form.dump(form.blank("")), "")
# The one point where what was typed in either editor becomes the draft, before they show it.
editors.sync()

# Opening is a button, not a change of the picker: the editors are only ever replaced on
# purpose, never because the list of scenarios changed after a publish.
pick, open_button = st.columns([3, 1], vertical_alignment="bottom")
pick.selectbox("Scenario to open", [NEW, *list_scenarios()], key="authoring_open")
open_button.button("Open in the editors", on_click=open_chosen)


scenario_id = editors.show_id()
form_tab, yaml_tab = st.tabs(["Form", "YAML (advanced)"])
with form_tab:
    editors.show_form()
with yaml_tab:
    st.caption(
        "The whole scenario, including what the form does not show (keywords of facts, "
        "rules, in-role answers, tags). See scenarios/README.md for every field."
    )
    text = editors.show_yaml()
    with st.expander("YAML with line numbers"):
        st.code(text, language="yaml", line_numbers=True)
    tests_text = editors.show_tests()


def show_problems(problems: list[Problem], heading: str) -> None:
    """The loader's messages, where each is in the form, and the YAML around its line."""
    st.error(f"{len(problems)} problem(s): {heading}")
    # st.code shows the messages verbatim: author text is never interpreted as markup. Long
    # messages wrap: the fix is at the end of the line, and must not need sideways scrolling.
    st.code("\n".join(str(p) for p in problems), language=None, wrap_lines=True)
    for problem in problems[:5]:
        where = form.place(problem.field)
        if where:
            st.caption(f"{problem.field}: in the form, {where}.")
        if problem.line and problem.file.endswith(f"{scenario_id}.yml"):
            st.caption(f"Line {problem.line} of the YAML ({problem.field or 'syntax'}):")
            st.code(authoring.excerpt(text, problem.line), language=None)


def show_warnings(warnings: list[str]) -> None:
    if warnings:
        st.warning(f"{len(warnings)} warning(s): the scenario works, but consider these.")
        st.code("\n".join(warnings), language=None, wrap_lines=True)


def publish(scenario_id: str, text: str, tests_text: str, replace_live: bool) -> None:
    """Publishes if valid and tested; over a live scenario, only once the author confirms."""
    with st.status("Publishing…", expanded=True) as status:
        st.write("Validating the scenario and running its tests…")
        checked = authoring.check(scenario_id, text, tests_text)
        failed = (
            [name for name, fails in authoring.run_tests(checked, coder()) if fails]
            if checked.ok
            else []
        )
        if not checked.ok:
            status.update(label="Not published", state="error")
        elif failed:
            status.update(label="Not published: scenario tests fail", state="error")
        elif authoring.is_live(scenario_id) and not replace_live:
            status.update(label="Waiting for your confirmation", state="complete")
            st.session_state[PENDING_KEY] = (scenario_id, text, tests_text)
            return
        else:
            authoring.publish(scenario_id, text, tests_text, replace_live=replace_live)
            status.update(label=f"Published {scenario_id}", state="complete")
    if not checked.ok:
        show_problems(checked.problems, "nothing was published. Fix these and try again.")
    elif failed:
        st.error("Not published: these scenario tests fail: " + "; ".join(failed))
    else:
        kept = " The previous version is in the archive below." if replace_live else ""
        st.success(f"Published {scenario_id}. Trainees can choose it now.{kept}")
        show_warnings(checked.warnings)


def confirm_replace() -> None:
    st.session_state[CONFIRMED_KEY] = st.session_state.pop(PENDING_KEY, None)


def cancel_replace() -> None:
    st.session_state.pop(PENDING_KEY, None)
    st.session_state[NOTE_KEY] = "Nothing was published; the live version is unchanged."


validate_col, test_col, publish_col = st.columns(3)
if validate_col.button("Validate"):
    checked = authoring.check(scenario_id, text, tests_text)
    if checked.ok:
        st.success(
            f"Valid: {len(checked.dialogues)} test dialogue(s). Press Publish to make it "
            "available to trainees."
        )
        show_warnings(checked.warnings)
    else:
        show_problems(checked.problems, "fix these before publishing.")
if test_col.button("Run scenario tests"):
    checked = authoring.check(scenario_id, text, tests_text)
    if not checked.ok:
        show_problems(checked.problems, "fix these before running the tests.")
    elif not checked.dialogues:
        st.info("This scenario has no test dialogues yet.")
    else:
        for name, failures in authoring.run_tests(checked, coder()):
            if failures:
                st.error(f"Failed: {name}")
                st.code("\n".join(failures), language=None, wrap_lines=True)
            else:
                st.success(f"Passed: {name}")
if publish_col.button("Publish", type="primary"):
    st.session_state.pop(PENDING_KEY, None)
    publish(scenario_id, text, tests_text, replace_live=False)
confirmed = st.session_state.pop(CONFIRMED_KEY, None)
if confirmed:
    publish(confirmed[0], confirmed[1], confirmed[2], replace_live=True)
if NOTE_KEY in st.session_state:
    st.info(st.session_state.pop(NOTE_KEY))
pending = st.session_state.get(PENDING_KEY)
if pending:
    st.warning(
        f"{pending[0]} is live: trainees can choose it now. Replace it? Sessions started "
        "from now on get the new version; the current one is kept in the archive below and "
        "can be restored."
    )
    yes, no = st.columns(2)
    yes.button("Replace the live version", type="primary", on_click=confirm_replace)
    no.button("Cancel", on_click=cancel_replace)

st.subheader("Published and archived versions")
st.caption(
    "Unpublishing takes a scenario out of the trainees' list and keeps it in the archive; "
    "every replaced version is archived too. Restoring publishes an archived version again."
)
live = list_scenarios()
take_down, take_down_button = st.columns([3, 1], vertical_alignment="bottom")
# No keys on these two pickers: their options change as versions come and go, and a keyed
# picker would keep an empty choice; unkeyed, it starts again from the first option.
chosen_live = take_down.selectbox("Published scenario", live)
if take_down_button.button("Unpublish", disabled=not live) and chosen_live:
    version = authoring.unpublish(chosen_live)
    st.success(f"Unpublished {chosen_live}: trainees no longer see it. Kept as {version.label}.")
versions = authoring.archived()
bring_back, bring_back_button = st.columns([3, 1], vertical_alignment="bottom")
chosen_version = bring_back.selectbox("Archived version", versions, format_func=lambda v: v.label)
if bring_back_button.button("Restore", disabled=not versions) and chosen_version:
    restored_text, restored_tests = authoring.archived_text(chosen_version)
    publish(chosen_version.scenario_id, restored_text, restored_tests, replace_live=False)
if chosen_version:
    st.button(
        "Open this version in the editors",
        on_click=lambda: open_in_editors(
            chosen_version.scenario_id, *authoring.archived_text(chosen_version)
        ),
    )

st.subheader("Preview: chat with this version")
st.caption("The preview runs the patient model here, with the text above; nothing is published.")
with st.form("preview", clear_on_submit=True):
    said = st.text_input("Your response to the patient")
    send, restart = st.columns(2)
    sent = send.form_submit_button("Send")
    restarted = restart.form_submit_button("Restart preview")
if restarted:
    st.session_state.pop("preview_chat", None)
if sent and said.strip():
    checked = authoring.check(scenario_id, text, "")
    if checked.scenario is None:
        show_problems(checked.problems, "the preview needs a valid scenario.")
    else:
        scenario = checked.scenario
        preview = st.session_state.get("preview_chat")
        if not preview or preview["scenario"] != scenario.id:
            preview = {"scenario": scenario.id, "state": start_state(scenario), "turns": []}
        history = [Turn("patient", scenario.persona.opening_line)]
        for trainee, patient, _ in preview["turns"]:
            history += [Turn("trainee", trainee), Turn("patient", patient)]
        reply = authoring.preview_reply(scenario, preview["state"], said, coder(), history)
        preview["state"] = reply.state
        preview["turns"].append((said, reply.text, reply.talk))
        st.session_state["preview_chat"] = preview
preview = st.session_state.get("preview_chat")
if preview:
    for trainee, patient, talk in preview["turns"]:
        st.chat_message("user").text(trainee)
        st.chat_message("assistant", avatar=PATIENT_AVATAR).text(f"{patient}  [{talk} talk]")
