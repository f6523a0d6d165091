"""Educator page: edit a scenario as YAML, validate it, preview it by chatting, test, publish."""

from __future__ import annotations

import streamlit as st

from bot.patient import start_state
from bot.scenario import list_scenarios
from scoring import Turn
from trainer_ui import authoring
from trainer_ui.accounts import ADMIN, EDUCATOR
from trainer_ui.app_state import coder, require
from trainer_ui.report_view import PATIENT_AVATAR

user = require(EDUCATOR, ADMIN)

st.title("Scenario authoring")
st.caption(authoring.RETRAINING_NOTE)

existing = list_scenarios(authoring.SCENARIOS_ROOT)
start_from = st.selectbox("Start from", ["(new scenario)", *existing])
if st.session_state.get("authoring_loaded") != start_from:
    # Load the chosen file into the editors once; afterwards the editors own the text.
    st.session_state["authoring_loaded"] = start_from
    source = "" if start_from == "(new scenario)" else start_from
    st.session_state["scenario_id"] = source
    st.session_state["scenario_yaml"] = authoring.template(source) if source else ""
    tests_path = authoring.SCENARIOS_ROOT / f"{source}.tests.yml"
    st.session_state["tests_yaml"] = (
        tests_path.read_text() if source and tests_path.exists() else ""
    )
    st.session_state.pop("preview_chat", None)

scenario_id = st.text_input("Scenario id (file name, lower snake case)", key="scenario_id")
text = st.text_area("Scenario (YAML)", key="scenario_yaml", height=420)
tests_text = st.text_area("Test dialogues (YAML, optional)", key="tests_yaml", height=200)


def show_problems(problems: list[str]) -> None:
    st.error(f"{len(problems)} problem(s): nothing was published.")
    # st.code shows the messages verbatim: author text is never interpreted as markup.
    st.code("\n".join(problems), language=None)


validate_col, test_col, publish_col = st.columns(3)
if validate_col.button("Validate"):
    checked = authoring.check(scenario_id, text, tests_text)
    if checked.ok:
        st.success(f"Valid: {len(checked.dialogues)} test dialogue(s).")
    else:
        show_problems(checked.problems)
if test_col.button("Run scenario tests"):
    checked = authoring.check(scenario_id, text, tests_text)
    if not checked.ok:
        show_problems(checked.problems)
    elif not checked.dialogues:
        st.info("This scenario has no test dialogues yet.")
    else:
        for name, failures in authoring.run_tests(checked, coder()):
            if failures:
                st.error(f"Failed: {name}")
                st.code("\n".join(failures), language=None)
            else:
                st.success(f"Passed: {name}")
if publish_col.button("Publish", type="primary"):
    with st.status("Publishing…", expanded=True) as status:
        st.write("Validating the scenario and its tests…")
        checked = authoring.check(scenario_id, text, tests_text)
        failed = (
            [name for name, failures in authoring.run_tests(checked, coder()) if failures]
            if checked.ok
            else []
        )
        if not checked.ok:
            status.update(label="Not published", state="error")
        elif failed:
            status.update(label="Not published: scenario tests fail", state="error")
        else:
            st.write("Writing the files…")
            authoring.publish(scenario_id, text, tests_text)
            st.write(authoring.RETRAINING_NOTE)
            status.update(label=f"Published {scenario_id}", state="complete")
    if not checked.ok:
        show_problems(checked.problems)
    elif failed:
        st.error("Not published: these scenario tests fail: " + "; ".join(failed))
    else:
        st.success(f"Published {scenario_id}. Trainees can choose it now.")

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
        show_problems(checked.problems)
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
