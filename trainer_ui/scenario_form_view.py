"""The scenario form and the YAML editor on the authoring page, over one draft in session state.

The draft (``DRAFT_KEY``, a ``Draft``) is the one state of the scenario being edited: its id,
its YAML text, and which generation of each editor's widgets shows it. It is replaced whole,
in one assignment, at one point: ``sync``, run before the editors are drawn (and by the
buttons that change the scenario, before they do).

No widget is ever set from code. Each is created with the draft's value as its ``value``
(its starting value; its key then holds what the author types), and ``sync`` compares each
widget with what the draft says it shows, folding in the ones the author changed. Neither
change callbacks nor values set in session state are reliable under Streamlit's fast
reruns: leaving the next field stops the run in progress, and a callback it was running, or
a value set in it before its widget was drawn, is lost, while Streamlit counts the change as
handled. A comparison made on every run catches every change, whichever run sees it.

When the draft changes under an editor (the YAML edited under the form, the form under the
YAML), that editor's widgets are renewed: their keys carry the draft's generation for that
editor, and a value the browser sends late for an older widget is ignored. An editor's own
edits never renew it, so typing on while the page reruns loses nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

import streamlit as st

from bot.scenario import LAYERS, STAGES, TALKS
from bot.scenario.model import DIFFICULTY, RISK_LEVELS
from bot.scenario.schema import ID_RE
from trainer_ui import scenario_form as form

DRAFT_KEY = "scenario_draft"
PERSONA, FACT, RISK, TOPIC = "persona", "fact", "risk", "topic"


@dataclass(frozen=True)
class Draft:
    """The scenario being edited, and which widgets show it."""

    scenario_id: str
    text: str
    #: The test dialogues as opened; their editor holds the edits.
    tests: str = ""
    form_generation: int = 0
    yaml_generation: int = 0
    #: How many times a scenario was opened: the id and test dialogue fields are renewed.
    opened: int = 0


def draft() -> Draft:
    """The draft now (an empty one before anything is opened)."""
    found = st.session_state.get(DRAFT_KEY)
    return found if isinstance(found, Draft) else Draft("", "")


def text() -> str:
    """The scenario text both editors show, and Validate and Publish read."""
    return draft().text


def _key(name: str, current: Draft | None = None) -> str:
    return f"form{(current or draft()).form_generation}.{name}"


def yaml_key() -> str:
    """The key of the YAML editor now."""
    return f"scenario_yaml{draft().yaml_generation}"


def id_key() -> str:
    """The key of the id field now."""
    return f"scenario_id{draft().opened}"


def tests_key() -> str:
    """The key of the test dialogues editor now."""
    return f"tests_yaml{draft().opened}"


def load(scenario_id: str, scenario_text: str, tests_text: str = "") -> None:
    """Opens a scenario: every editor gets new widgets, filled from it."""
    old = draft()
    st.session_state[DRAFT_KEY] = Draft(
        scenario_id,
        scenario_text,
        tests_text,
        old.form_generation + 1,
        old.yaml_generation + 1,
        old.opened + 1,
    )


def _from_form(old: Draft, data: dict[str, Any]) -> Draft:
    """The draft with the form's document: the YAML editor is renewed to show it."""
    new_text = form.dump(data)
    if new_text == old.text:
        return old
    return replace(old, text=new_text, yaml_generation=old.yaml_generation + 1)


# Reading the widgets: what each form field shows, and whether the author changed it.


def _shown(data: dict[str, Any], where: tuple[Any, ...]) -> Any:
    """What the form shows in a field for this document (None: the field has no place)."""
    section, *place, name = where
    if section == PERSONA:
        values = form.persona_values(data)
        values["age"] = max(12, min(110, values["age"]))  # the widget refuses others
        return values.get(name)
    if section == RISK:
        values = form.risk_values(data)
        return float(values["rapport"]) if name == "rapport" else values.get(name)
    if section == TOPIC:
        topic, layer = place
        if topic not in form.topic_ids(data) or layer not in LAYERS:
            return None
        return form.topic_values(data, topic, layer).get(name)
    rows = form.facts(data)
    n = int(place[0]) if str(place[0]).isdigit() else len(rows)
    return form.fact_values(*rows[n]).get(name) if n < len(rows) else None


def _same(a: Any, b: Any) -> bool:
    # Spacing the document does not keep is no change: a field shows its document's text.
    if isinstance(a, str) and isinstance(b, str):
        return [line.split() for line in a.splitlines() if line.strip()] == [
            line.split() for line in b.splitlines() if line.strip()
        ]
    return bool(a == b)


def _with_field(data: dict[str, Any], where: tuple[Any, ...], value: Any) -> dict[str, Any]:
    """The document with one form field set; ``where`` is (section, ..., field name)."""
    section, *place, name = where
    if section == PERSONA:
        return form.with_persona(data, {**form.persona_values(data), name: value})
    if section == RISK:
        return form.with_risk(data, {**form.risk_values(data), name: value})
    if section == TOPIC:
        topic, layer = place
        return form.with_topic(
            data, topic, layer, {**form.topic_values(data, topic, layer), name: value}
        )
    rows = [form.fact_values(i, f) for i, f in form.facts(data)]
    rows[int(place[0])][name] = value
    return form.with_facts(data, rows)


def _form_fields(current: Draft) -> Iterator[tuple[str, tuple[Any, ...]]]:
    """The form's field widgets of this generation that hold a value: (key, where)."""
    prefix = _key("", current)
    for key in list(st.session_state):
        key = str(key)
        if not key.startswith(prefix):
            continue
        where = tuple(key[len(prefix) :].split("."))
        if where[0] in (PERSONA, RISK) and len(where) >= 2:
            yield key, (where[0], ".".join(where[1:]))
        elif (where[0], len(where)) in ((FACT, 3), (TOPIC, 4)) and where[-1] != "":
            yield key, where


def _fold_form(current: Draft) -> Draft:
    data = form.parse(current.text)
    if data is None:
        return current  # the form is not shown for an unreadable text
    for key, where in _form_fields(current):
        value = st.session_state.get(key)
        shown = _shown(data, where)
        if value is not None and shown is not None and not _same(value, shown):
            data = _with_field(data, where, value)
    return _from_form(current, data)


def sync() -> None:
    """Folds what the author changed in either editor, and the id field, into the draft."""
    current = draft()
    typed_yaml = st.session_state.get(yaml_key())
    if typed_yaml is not None and typed_yaml != current.text:
        # The YAML was edited: the form's widgets show an older text; new ones show this.
        new = replace(current, text=typed_yaml, form_generation=current.form_generation + 1)
    else:
        new = _fold_form(current)
    scenario_id = str(st.session_state.get(id_key(), new.scenario_id))
    if scenario_id != new.scenario_id:
        # The id is the file name and must match the YAML's 'id': the field writes it there.
        data = form.parse(new.text)
        if data is not None:
            data["id"] = scenario_id
            new = _from_form(new, data)
        new = replace(new, scenario_id=scenario_id)
    if new != current:
        st.session_state[DRAFT_KEY] = new


def _change(edit: Callable[[dict[str, Any]], dict[str, Any]], renew_form: bool) -> None:
    """A button's change to the document, after what was typed before it was pressed."""
    sync()
    current = draft()
    data = form.parse(current.text)
    if data is not None:
        new = _from_form(current, edit(data))
        if renew_form:  # rows move: every field is filled again from the new document
            new = replace(new, form_generation=new.form_generation + 1)
        st.session_state[DRAFT_KEY] = new


# Drawing the editors.


def show_id() -> str:
    """The id field; returns the id."""
    label = "Scenario id (file name, lower snake case)"
    return str(st.text_input(label, value=draft().scenario_id, key=id_key()))


def show_yaml() -> str:
    """The YAML editor; returns the draft's text."""
    st.text_area("Scenario (YAML)", value=text(), key=yaml_key(), height=420)
    return text()


def show_tests() -> str:
    """The test dialogues editor; returns its text."""
    label = "Test dialogues (YAML, optional)"
    return str(st.text_area(label, value=draft().tests, key=tests_key(), height=200))


def _field(
    widget: Callable[..., Any], label: str, where: tuple[Any, ...], value: Any, **kw: Any
) -> Any:
    """One form widget, starting from the draft's value; its key holds what is typed."""
    key = _key(".".join(str(part) for part in where))
    if "options" in kw:  # a picker starts from an index, not a value
        options = list(kw["options"])
        return widget(label, index=options.index(value) if value in options else 0, key=key, **kw)
    return widget(label, value=value, key=key, **kw)


def show_form() -> None:
    """The form: persona and brief, facts, risk profile, lines per topic and talk type."""
    data = form.parse(text())
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

    def field(widget: Callable[..., Any], label: str, name: str, **kw: Any) -> Any:
        return _field(widget, label, (PERSONA, name), _shown(data, (PERSONA, name)), **kw)

    title_col, name_col, age_col = st.columns([3, 2, 1])
    field(title_col.text_input, "Title (shown in the trainees' list)", "title")
    field(name_col.text_input, "Name", "name")
    field(age_col.number_input, "Age", "age", min_value=12, max_value=110, step=1)
    field(st.text_area, "Brief (what the trainee reads before the session)", "brief")
    field(
        st.text_area,
        "Background (the patient's life and history, for you and the facts)",
        "context",
    )
    field(st.text_input, "Opening line (the patient speaks first)", "opening_line")
    field(
        st.text_input,
        "Change goal (what change talk is measured against; need not be abstinence)",
        "change_goal",
    )
    difficulty, stage = st.columns(2)
    field(
        difficulty.selectbox,
        "Difficulty (how fast resistance softens)",
        "difficulty",
        options=list(DIFFICULTY),
    )
    field(stage.selectbox, "Stage of change at the start", "stage", options=STAGES[:3])


def _facts(data: dict[str, Any]) -> None:
    st.subheader("Facts")
    st.caption(
        "What the patient knows about their own life, so every question gets a true, "
        "consistent answer. Give three to five example questions in different words; the "
        "answer is short (for closed questions), the detail fuller (for open ones)."
    )
    for n, (fact_id, fact) in enumerate(form.facts(data)):
        values = form.fact_values(fact_id, fact)
        label = f"{fact_id}: {values['answer']}" if values["answer"] else f"{fact_id} (new)"
        # Keyed: the label follows the fact as it is typed, and must not close it meanwhile.
        with st.expander(label, expanded=not values["answer"], key=_key(f"fact_box.{n}")):
            for widget, field_label, name in (
                (st.text_input, "Fact id (lower snake case)", "id"),
                (st.text_area, "Example questions (one per line)", "ask"),
                (st.text_input, "Answer", "answer"),
                (st.text_input, "Detail (optional, for open questions)", "detail"),
            ):
                _field(widget, field_label, (FACT, n, name), values[name])
            st.button(
                "Remove this fact",
                key=_key(f"remove.{n}"),
                on_click=_change,
                args=(lambda d, n=n: form.remove_fact(d, n), True),
            )
    st.button("Add a fact", key=_key("add_fact"), on_click=_change, args=(form.add_fact, False))


def _risk(data: dict[str, Any]) -> None:
    st.subheader("Risk profile")
    st.caption(
        "How the patient answers a direct question about risk. For a risk they carry, give "
        "an open answer (said once rapport allows) and a guarded one (before then: it hedges, "
        "it never denies). For a risk at none, an open answer is optional (a plain no)."
    )

    def field(widget: Callable[..., Any], label: str, name: str, **kw: Any) -> Any:
        return _field(widget, label, (RISK, name), _shown(data, (RISK, name)), **kw)

    field(
        st.slider,
        "Rapport needed for the open answers",
        "rapport",
        min_value=0.0,
        max_value=10.0,
        step=0.5,
    )
    for kind, levels in RISK_LEVELS.items():
        name = form.RISK_NAMES[kind]
        level, open_, guarded = st.columns([1, 2, 2])
        field(level.selectbox, name, kind, options=levels)
        field(open_.text_input, f"{name}: open answer", f"{kind}.open")
        field(guarded.text_input, f"{name}: guarded answer", f"{kind}.guarded")


def _add_topic() -> None:
    topic_id = str(st.session_state.get(_key("new_topic"), "")).strip()
    if not ID_RE.fullmatch(topic_id):
        st.session_state["form_message"] = (
            f"Topic id {topic_id!r}: use lower snake case (a-z, 0-9, _), e.g. 'sleep'."
        )
        return
    label = topic_id.replace("_", " ").capitalize()
    _change(lambda d: form.add_topic(d, topic_id, label), False)
    # Set in a callback, before the picker is drawn: the new topic is shown next.
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
        # The pickers only choose what is shown: they write nothing into the draft.
        pick, depth = st.columns(2)
        topic = pick.selectbox("Topic", topics, key=_key("shown_topic"))
        layer = depth.selectbox(
            "Layer (surface: guarded; concerns: specific; core: values and fears)",
            LAYERS,
            key=_key("shown_layer"),
        )
        values = form.topic_values(data, topic, layer)
        label, keywords = st.columns(2)
        _field(label.text_input, "Topic label", (TOPIC, topic, layer, "label"), values["label"])
        _field(
            keywords.text_input, "Keywords", (TOPIC, topic, layer, "keywords"), values["keywords"]
        )
        for talk in TALKS:
            _field(
                st.text_area,
                f"{talk.capitalize()} talk lines",
                (TOPIC, topic, layer, talk),
                values[talk],
                help=form.TALK_HELP[talk],
            )
    new, add = st.columns([3, 1], vertical_alignment="bottom")
    new.text_input("New topic id (lower snake case, e.g. sleep)", key=_key("new_topic"))
    add.button("Add topic", key=_key("add_topic"), on_click=_add_topic)
    message = st.session_state.pop("form_message", None)
    if message:
        st.error(message)
