"""The scenario form's document edits: nothing the form does not show is lost."""

from __future__ import annotations

from bot.scenario.loader import DEFAULT_ROOT
from trainer_ui import authoring
from trainer_ui import scenario_form as form

SOURCE = "reluctant_psychiatric"


def shipped() -> dict:
    data = form.parse((DEFAULT_ROOT / f"{SOURCE}.yml").read_text())
    assert data is not None
    return data


def test_every_section_read_and_written_back_unchanged_still_loads() -> None:
    data = shipped()
    out = form.with_persona(data, form.persona_values(data))
    out = form.with_facts(out, [form.fact_values(i, f) for i, f in form.facts(data)])
    out = form.with_risk(out, form.risk_values(data))
    for topic in form.topic_ids(data):
        for layer in ("surface", "concerns", "core"):
            out = form.with_topic(out, topic, layer, form.topic_values(data, topic, layer))
    checked = authoring.check(SOURCE, form.dump(out))
    assert checked.ok, checked.problems
    before = authoring.check(SOURCE, (DEFAULT_ROOT / f"{SOURCE}.yml").read_text()).scenario
    assert checked.scenario is not None and before is not None
    assert checked.scenario.line_count() == before.line_count()
    assert checked.scenario.facts == before.facts


def test_renaming_a_fact_keeps_what_the_form_does_not_show() -> None:
    data = shipped()
    rows = [form.fact_values(i, f) for i, f in form.facts(data)]
    rows[0]["id"] = "full_name"
    out = form.with_facts(data, rows)
    assert list(out["facts"])[0] == "full_name"
    assert out["facts"]["full_name"]["keywords"] == data["facts"]["name"]["keywords"]


def test_an_unchanged_line_keeps_its_tags_and_an_emptied_layer_goes() -> None:
    data = shipped()
    values = form.topic_values(data, "sleep", "surface")
    values["neutral"] += "\nA new line of mine."
    out = form.with_topic(data, "sleep", "surface", values)
    neutral = out["topics"]["sleep"]["surface"]["neutral"]
    assert {"text": "Not great.", "tags": ["short"]} in neutral
    assert neutral[-1] == "A new line of mine."
    emptied = dict.fromkeys(["change", "sustain", "neutral", "discord"], "")
    out = form.with_topic(data, "sleep", "core", {"label": "Sleep", "keywords": "sleep", **emptied})
    assert "core" not in out["topics"]["sleep"]


def test_loader_fields_are_placed_in_the_form() -> None:
    assert form.place("persona.opening_line") == "Persona: Opening line"
    assert form.place("facts.baby_due.answer") == "Facts: 'baby_due', Answer"
    assert form.place("risk.answers.self_harm") == "Risk profile: Self-harm"
    assert form.place("topics.general.surface.change") == "Lines: topic 'general', surface / change"
    assert form.place("in_role.greet") == ""
