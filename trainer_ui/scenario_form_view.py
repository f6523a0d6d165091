"""The scenario form and the YAML editor on the authoring page, over one scenario text.

The text in session state (``SOURCE_KEY``) is the one source, and both editors are views of
it, so both are validated by the same loader. A form change writes the text at once (a
widget callback); a YAML edit replaces it. Each editor's widgets carry a generation in
their keys, renewed when the other editor changes the text: a widget is never set from
code, so a value the browser sends late for an old widget cannot undo the newer text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import streamlit as st

from bot.scenario import LAYERS, STAGES, TALKS
from bot.scenario.model import DIFFICULTY, RISK_LEVELS
from bot.scenario.schema import ID_RE
from trainer_ui import scenario_form as form

SOURCE_KEY = "scenario_text"
ID_KEY = "scenario_id"
FORM_GENERATION = "form_generation"
YAML_GENERATION = "yaml_generation"


def _key(name: str) -> str:
    return f"form{st.session_state.get(FORM_GENERATION, 0)}.{name}"


def yaml_key() -> str:
    """The key of the YAML editor now (tests read it)."""
    return f"scenario_yaml{st.session_state.get(YAML_GENERATION, 0)}"


def text() -> str:
    """The scenario text both editors show."""
    return str(st.session_state.get(SOURCE_KEY, ""))


def reset() -> None:
    """New form widgets, read from the text on the next run; the old ones are forgotten."""
    for key in [k for k in st.session_state if re.match(r"form\d+\.", str(k))]:
        del st.session_state[key]
    st.session_state[FORM_GENERATION] = st.session_state.get(FORM_GENERATION, 0) + 1


def load(scenario_text: str) -> None:
    """Puts a whole new text in both editors."""
    set_text(scenario_text)
    reset()


def set_text(scenario_text: str) -> None:
    """Replaces the text; the YAML editor shows it from the next run."""
    st.session_state.pop(yaml_key(), None)
    st.session_state[SOURCE_KEY] = scenario_text
    st.session_state[YAML_GENERATION] = st.session_state.get(YAML_GENERATION, 0) + 1


def _yaml_edited(key: str) -> None:
    if key == yaml_key():  # a late value from a replaced editor is ignored
        st.session_state[SOURCE_KEY] = st.session_state[key]
        reset()


def show_yaml() -> str:
    """The YAML editor; returns the text."""
    key = yaml_key()
    if key not in st.session_state:
        st.session_state[key] = text()
    st.text_area("Scenario (YAML)", key=key, height=420, on_change=_yaml_edited, args=(key,))
    return text()


def _data() -> dict[str, Any] | None:
    return form.parse(text())


def _save(data: dict[str, Any]) -> None:
    data["id"] = st.session_state.get(ID_KEY, "") or data.get("id", "")
    set_text(form.dump(data))


def _values(section: str) -> dict[str, Any]:
    """The current values of one section's widgets, without the key prefix."""
    start = _key(f"{section}.")
    return {
        str(k)[len(start) :]: v for k, v in st.session_state.items() if str(k).startswith(start)
    }


def _changed() -> None:
    # Every section is written back on any change. Streamlit may have dropped the state of
    # widgets an interrupted run did not reach, so a missing value is the document's own.
    data = _data()
    if data is None:
        return
    data = form.with_persona(data, {**form.persona_values(data), **_values("persona")})
    fields = _values("fact")
    rows = []
    for n, (fact_id, fact) in enumerate(form.facts(data)):
        row = form.fact_values(fact_id, fact)
        rows.append({name: fields.get(f"{n}.{name}", value) for name, value in row.items()})
    data = form.with_facts(data, rows)
    data = form.with_risk(data, {**form.risk_values(data), **_values("risk")})
    shown = st.session_state.get(_key("shown"))
    if shown and shown[0] in form.topic_ids(data):
        topic, layer = shown
        values = _values(f"topic.{topic}.{layer}")
        if values:
            data = form.with_topic(
                data, topic, layer, {**form.topic_values(data, topic, layer), **values}
            )
    _save(data)


def _edit(change: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
    """Applies a structural change (add, remove) after the pending edits, then rereads."""
    _changed()
    data = _data()
    if data is not None:
        _save(change(data))
    reset()


def _init(key: str, value: Any) -> str:
    key = _key(key)
    if key not in st.session_state:
        st.session_state[key] = value
    return key


def show_form() -> None:
    """The form: persona and brief, facts, risk profile, lines per topic and talk type."""
    data = _data()
    if data is None:
        st.warning(
            "The form cannot read this scenario's YAML. Validate to see the line to fix in "
            "the YAML view, or open another scenario."
        )
        return
    _persona(data)
    _facts(data)
    _risk(data)
    _lines(data)


def _persona(data: dict[str, Any]) -> None:
    st.subheader("Persona and brief")
    values = form.persona_values(data)
    values["age"] = max(12, min(110, values["age"]))  # the widget refuses others
    for name, value in values.items():
        _init(f"persona.{name}", value)
    title_col, name_col, age_col = st.columns([3, 2, 1])
    title_col.text_input(
        "Title (shown in the trainees' list)", key=_key("persona.title"), on_change=_changed
    )
    name_col.text_input("Name", key=_key("persona.name"), on_change=_changed)
    age_col.number_input("Age", 12, 110, step=1, key=_key("persona.age"), on_change=_changed)
    st.text_area(
        "Brief (what the trainee reads before the session)",
        key=_key("persona.brief"),
        on_change=_changed,
    )
    st.text_area(
        "Background (the patient's life and history, for you and the facts)",
        key=_key("persona.context"),
        on_change=_changed,
    )
    st.text_input(
        "Opening line (the patient speaks first)",
        key=_key("persona.opening_line"),
        on_change=_changed,
    )
    st.text_input(
        "Change goal (what change talk is measured against; need not be abstinence)",
        key=_key("persona.change_goal"),
        on_change=_changed,
    )
    difficulty, stage = st.columns(2)
    difficulty.selectbox(
        "Difficulty (how fast resistance softens)",
        list(DIFFICULTY),
        key=_key("persona.difficulty"),
        on_change=_changed,
    )
    stage.selectbox(
        "Stage of change at the start",
        STAGES[:3],
        key=_key("persona.stage"),
        on_change=_changed,
    )


def _facts(data: dict[str, Any]) -> None:
    st.subheader("Facts")
    st.caption(
        "What the patient knows about their own life, so every question gets a true, "
        "consistent answer. Give three to five example questions in different words; the "
        "answer is short (for closed questions), the detail fuller (for open ones)."
    )
    for n, (fact_id, fact) in enumerate(form.facts(data)):
        values = form.fact_values(fact_id, fact)
        for name, value in values.items():
            _init(f"fact.{n}.{name}", value)
        label = f"{fact_id}: {values['answer']}" if values["answer"] else f"{fact_id} (new)"
        # Keyed: the label follows the fact as it is typed, and must not close it meanwhile.
        with st.expander(label, expanded=not values["answer"], key=f"fact_box_{n}"):
            st.text_input(
                "Fact id (lower snake case)", key=_key(f"fact.{n}.id"), on_change=_changed
            )
            st.text_area(
                "Example questions (one per line)", key=_key(f"fact.{n}.ask"), on_change=_changed
            )
            st.text_input("Answer", key=_key(f"fact.{n}.answer"), on_change=_changed)
            st.text_input(
                "Detail (optional, for open questions)",
                key=_key(f"fact.{n}.detail"),
                on_change=_changed,
            )
            st.button(
                "Remove this fact",
                key=_key(f"remove.{n}"),
                on_click=_edit,
                args=(lambda d, n=n: form.remove_fact(d, n),),
            )
    st.button("Add a fact", key=_key("add_fact"), on_click=_edit, args=(form.add_fact,))


def _risk(data: dict[str, Any]) -> None:
    st.subheader("Risk profile")
    st.caption(
        "How the patient answers a direct question about risk. For a risk they carry, give "
        "an open answer (said once rapport allows) and a guarded one (before then: it hedges, "
        "it never denies). For a risk at none, an open answer is optional (a plain no)."
    )
    for name, value in form.risk_values(data).items():
        _init(f"risk.{name}", float(value) if name == "rapport" else value)
    st.slider(
        "Rapport needed for the open answers",
        0.0,
        10.0,
        step=0.5,
        key=_key("risk.rapport"),
        on_change=_changed,
    )
    for kind, levels in RISK_LEVELS.items():
        level, open_, guarded = st.columns([1, 2, 2])
        level.selectbox(form.RISK_NAMES[kind], levels, key=_key(f"risk.{kind}"), on_change=_changed)
        open_.text_input(
            f"{form.RISK_NAMES[kind]}: open answer",
            key=_key(f"risk.{kind}.open"),
            on_change=_changed,
        )
        guarded.text_input(
            f"{form.RISK_NAMES[kind]}: guarded answer",
            key=_key(f"risk.{kind}.guarded"),
            on_change=_changed,
        )


def _add_topic() -> None:
    topic_id = st.session_state.get(_key("new_topic"), "").strip()
    if not ID_RE.fullmatch(topic_id):
        st.session_state["form_message"] = (
            f"Topic id {topic_id!r}: use lower snake case (a-z, 0-9, _), e.g. 'sleep'."
        )
        return
    _edit(lambda d: form.add_topic(d, topic_id, topic_id.replace("_", " ").capitalize()))
    st.session_state[_key("shown_topic")] = topic_id


def _lines(data: dict[str, Any]) -> None:
    st.subheader("Lines per topic and talk type")
    st.caption(
        "One line per row. The topic 'general' is the fallback and needs surface lines of all "
        "four kinds. Keywords (comma separated) are the words that, in a trainee's turn, name "
        "the topic. Tags of unchanged lines are kept; set tags in the YAML view."
    )
    topics = form.topic_ids(data)
    if not topics:
        st.info("This scenario has no topics yet; add one below.")
    else:
        _init("shown_topic", topics[0])
        if st.session_state[_key("shown_topic")] not in topics:
            st.session_state[_key("shown_topic")] = topics[0]
        pick, depth = st.columns(2)
        topic = pick.selectbox("Topic", topics, key=_key("shown_topic"), on_change=_changed)
        layer = depth.selectbox(
            "Layer (surface: guarded; concerns: specific; core: values and fears)",
            LAYERS,
            key=_key("shown_layer"),
            on_change=_changed,
        )
        st.session_state[_key("shown")] = (topic, layer)
        section = f"topic.{topic}.{layer}"
        for name, value in form.topic_values(data, topic, layer).items():
            _init(f"{section}.{name}", value)
        label, keywords = st.columns(2)
        label.text_input("Topic label", key=_key(f"{section}.label"), on_change=_changed)
        keywords.text_input("Keywords", key=_key(f"{section}.keywords"), on_change=_changed)
        for talk in TALKS:
            st.text_area(
                f"{talk.capitalize()} talk lines",
                key=_key(f"{section}.{talk}"),
                help=form.TALK_HELP[talk],
                on_change=_changed,
            )
    new, add = st.columns([3, 1], vertical_alignment="bottom")
    new.text_input("New topic id (lower snake case, e.g. sleep)", key=_key("new_topic"))
    add.button("Add topic", key=_key("add_topic"), on_click=_add_topic)
    message = st.session_state.pop("form_message", None)
    if message:
        st.error(message)
