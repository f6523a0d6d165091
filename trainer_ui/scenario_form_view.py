"""The scenario form on the authoring page: widgets over the YAML text in session state.

The YAML text (``YAML_KEY``) is the one source: every form change is written into it at
once (a widget callback), and a change of the YAML clears the form's values so they are
read from the YAML again. Both editors are therefore always validated by the same loader.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from bot.scenario import LAYERS, STAGES, TALKS
from bot.scenario.model import DIFFICULTY, RISK_LEVELS
from bot.scenario.schema import ID_RE
from trainer_ui import scenario_form as form

YAML_KEY = "scenario_yaml"
ID_KEY = "scenario_id"
PREFIX = "form."


def reset() -> None:
    """Forget the form's values: the next run reads them from the YAML again."""
    for key in [k for k in st.session_state if str(k).startswith(PREFIX)]:
        del st.session_state[key]


def _data() -> dict[str, Any] | None:
    return form.parse(st.session_state.get(YAML_KEY, ""))


def _save(data: dict[str, Any]) -> None:
    data["id"] = st.session_state.get(ID_KEY, "") or data.get("id", "")
    st.session_state[YAML_KEY] = form.dump(data)


def _values(section: str) -> dict[str, Any]:
    """The current values of one section's widgets, without the key prefix."""
    start = f"{PREFIX}{section}."
    return {
        str(k)[len(start) :]: v for k, v in st.session_state.items() if str(k).startswith(start)
    }


def _changed() -> None:
    # Every section is written back on any change: unchanged ones write what they read.
    data = _data()
    if data is None:
        return
    persona = _values("persona")
    if persona:
        data = form.with_persona(data, persona)
    fields = _values("fact")
    rows = [
        {f: fields.get(f"{n}.{f}", "") for f in ("id", "ask", "answer", "detail")}
        for n in range(len(form.facts(data)))
        if f"{n}.id" in fields
    ]
    if len(rows) == len(form.facts(data)):
        data = form.with_facts(data, rows)
    risk = _values("risk")
    if risk:
        data = form.with_risk(data, risk)
    shown = st.session_state.get(f"{PREFIX}shown")
    if shown and shown[0] in form.topic_ids(data):
        topic, layer = shown
        values = _values(f"topic.{topic}.{layer}")
        if values:
            data = form.with_topic(data, topic, layer, values)
    _save(data)


def _edit(change: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
    """Applies a structural change (add, remove) after the pending edits, then rereads."""
    _changed()
    data = _data()
    if data is not None:
        _save(change(data))
    reset()


def _init(key: str, value: Any) -> str:
    key = PREFIX + key
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
        "Title (shown in the trainees' list)", key=PREFIX + "persona.title", on_change=_changed
    )
    name_col.text_input("Name", key=PREFIX + "persona.name", on_change=_changed)
    age_col.number_input("Age", 12, 110, step=1, key=PREFIX + "persona.age", on_change=_changed)
    st.text_area(
        "Brief (what the trainee reads before the session)",
        key=PREFIX + "persona.brief",
        on_change=_changed,
    )
    st.text_area(
        "Background (the patient's life and history, for you and the facts)",
        key=PREFIX + "persona.context",
        on_change=_changed,
    )
    st.text_input(
        "Opening line (the patient speaks first)",
        key=PREFIX + "persona.opening_line",
        on_change=_changed,
    )
    st.text_input(
        "Change goal (what change talk is measured against; need not be abstinence)",
        key=PREFIX + "persona.change_goal",
        on_change=_changed,
    )
    difficulty, stage = st.columns(2)
    difficulty.selectbox(
        "Difficulty (how fast resistance softens)",
        list(DIFFICULTY),
        key=PREFIX + "persona.difficulty",
        on_change=_changed,
    )
    stage.selectbox(
        "Stage of change at the start",
        STAGES[:3],
        key=PREFIX + "persona.stage",
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
        with st.expander(label, expanded=not values["answer"]):
            st.text_input(
                "Fact id (lower snake case)", key=f"{PREFIX}fact.{n}.id", on_change=_changed
            )
            st.text_area(
                "Example questions (one per line)", key=f"{PREFIX}fact.{n}.ask", on_change=_changed
            )
            st.text_input("Answer", key=f"{PREFIX}fact.{n}.answer", on_change=_changed)
            st.text_input(
                "Detail (optional, for open questions)",
                key=f"{PREFIX}fact.{n}.detail",
                on_change=_changed,
            )
            st.button(
                "Remove this fact",
                key=f"{PREFIX}remove.{n}",
                on_click=_edit,
                args=(lambda d, n=n: form.remove_fact(d, n),),
            )
    st.button("Add a fact", key=PREFIX + "add_fact", on_click=_edit, args=(form.add_fact,))


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
        key=PREFIX + "risk.rapport",
        on_change=_changed,
    )
    for kind, levels in RISK_LEVELS.items():
        level, open_, guarded = st.columns([1, 2, 2])
        level.selectbox(
            form.RISK_NAMES[kind], levels, key=f"{PREFIX}risk.{kind}", on_change=_changed
        )
        open_.text_input(
            f"{form.RISK_NAMES[kind]}: open answer",
            key=f"{PREFIX}risk.{kind}.open",
            on_change=_changed,
        )
        guarded.text_input(
            f"{form.RISK_NAMES[kind]}: guarded answer",
            key=f"{PREFIX}risk.{kind}.guarded",
            on_change=_changed,
        )


def _add_topic() -> None:
    topic_id = st.session_state.get(PREFIX + "new_topic", "").strip()
    if not ID_RE.fullmatch(topic_id):
        st.session_state["form_message"] = (
            f"Topic id {topic_id!r}: use lower snake case (a-z, 0-9, _), e.g. 'sleep'."
        )
        return
    _edit(lambda d: form.add_topic(d, topic_id, topic_id.replace("_", " ").capitalize()))
    st.session_state[PREFIX + "shown_topic"] = topic_id


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
        if st.session_state[PREFIX + "shown_topic"] not in topics:
            st.session_state[PREFIX + "shown_topic"] = topics[0]
        pick, depth = st.columns(2)
        topic = pick.selectbox("Topic", topics, key=PREFIX + "shown_topic", on_change=_changed)
        layer = depth.selectbox(
            "Layer (surface: guarded; concerns: specific; core: values and fears)",
            LAYERS,
            key=PREFIX + "shown_layer",
            on_change=_changed,
        )
        st.session_state[PREFIX + "shown"] = (topic, layer)
        section = f"topic.{topic}.{layer}"
        for name, value in form.topic_values(data, topic, layer).items():
            _init(f"{section}.{name}", value)
        label, keywords = st.columns(2)
        label.text_input("Topic label", key=f"{PREFIX}{section}.label", on_change=_changed)
        keywords.text_input("Keywords", key=f"{PREFIX}{section}.keywords", on_change=_changed)
        for talk in TALKS:
            st.text_area(
                f"{talk.capitalize()} talk lines",
                key=f"{PREFIX}{section}.{talk}",
                help=form.TALK_HELP[talk],
                on_change=_changed,
            )
    new, add = st.columns([3, 1], vertical_alignment="bottom")
    new.text_input("New topic id (lower snake case, e.g. sleep)", key=PREFIX + "new_topic")
    add.button("Add topic", key=PREFIX + "add_topic", on_click=_add_topic)
    message = st.session_state.pop("form_message", None)
    if message:
        st.error(message)
