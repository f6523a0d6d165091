"""Scenario authoring in headless chromium, as an educator who does not write YAML.

The educator builds a patient in the form, publishes with one field left empty, reads where
to fix it, fixes it, adds a detail in the YAML view, sees the warning it brings and
publishes; a trainee then finds the patient in the list. Then the educator replaces the live
version (asked first), unpublishes it and restores it.

Every field typed is waited for in the app's draft (the YAML view shows it) before the next
action, as a person sees the page catch up; nothing waits on a fixed time.

Needs no Rasa: authoring validates and previews in the app, and choosing a patient from the
list does not talk to the patient server. The app publishes into a private scenarios folder.
"""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from bot.scenario import load_scenario
from bot.scenario.loader import DEFAULT_ROOT
from bot.tools import services
from tests.e2e.chromium import ARTIFACTS
from tests.e2e.test_browser import log_in, seed
from trainer_ui.store import Store

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

SHIPPED = "reluctant_psychiatric"
TITLE = "Pat: smoking and a new baby"


@dataclass
class App:
    url: str
    scenarios: Path


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    workdir = tmp_path_factory.mktemp("authoring-app")
    scenarios = workdir / "scenarios"
    scenarios.mkdir()
    for name in (f"{SHIPPED}.yml", f"{SHIPPED}.tests.yml"):
        shutil.copy(DEFAULT_ROOT / name, scenarios / name)
    seed(Store(f"sqlite:///{workdir / 'app.db'}"))
    running = services.start_app(
        services.free_port(),
        "http://127.0.0.1:9",
        "unused",
        workdir / "app.db",
        workdir,
        scenarios_dir=scenarios,
    )
    try:
        services.wait_until_ready(running, "/_stcore/health", timeout=120)
        yield App(running.url, scenarios)
    finally:
        services.stop([running])


def open_as(browser, app: App, username: str):
    page = browser.new_context(viewport={"width": 1280, "height": 1000}).new_page()
    page.set_default_timeout(60_000)
    page.goto(app.url)
    log_in(page, username)
    return page


def draft(page) -> dict:
    """The scenario as the app holds it now: the YAML editor always shows the app's draft."""
    data = yaml.safe_load(page.get_by_label("Scenario (YAML)").input_value())
    return data if isinstance(data, dict) else {}


def wait_for_draft(page, path: str, expected: object, timeout: float = 30.0) -> None:
    """Waits until the app's draft holds ``expected`` at ``path`` (dotted, e.g. persona.name).

    Waiting on the app's own state, not on time: the page reruns after every field, and the
    next action must not start from a draft that has not caught up yet.
    """
    deadline = time.monotonic() + timeout
    while True:
        found: object = draft(page)
        for part in path.split("."):
            found = found.get(part) if isinstance(found, dict) else None
        if found == expected:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"the app's draft has {path} = {found!r}, not {expected!r}")
        page.wait_for_timeout(100)


def type_into(page, label: str, text: str, path: str, expected: object = None) -> None:
    """Types as a person does and leaves the field, which commits it (the page reruns).

    Then waits until the app's draft has the value at ``path`` (by default the text with its
    spacing tidied, as the form writes it), and checks the field still shows what was typed.
    """
    field = page.get_by_label(label, exact=True)
    field.fill(text)
    field.press("Tab")
    wait_for_draft(page, path, " ".join(text.split()) if expected is None else expected)
    shows(field, text)


def shows(field, value: str) -> None:
    """Waits until a field shows ``value``: the page may still be drawing the last rerun."""
    from playwright.sync_api import expect

    expect(field).to_have_value(value, timeout=30_000)


def click(page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()


def test_an_educator_builds_a_patient_in_the_form_and_a_trainee_can_choose_it(
    browser, app: App
) -> None:
    page = open_as(browser, app, "eddie")
    page.get_by_text("Scenario authoring").first.wait_for()
    type_into(page, "Scenario id (file name, lower snake case)", "pat_smoking", "id")
    type_into(page, "Title (shown in the trainees' list)", TITLE, "title")
    type_into(page, "Name", "Pat", "persona.name")
    type_into(page, "Age", "29", "persona.age", 29)
    type_into(
        page,
        "Brief (what the trainee reads before the session)",
        "Pat, 29, smokes 15 a day. The baby is due in two months. The midwife asked Pat "
        "to see you. Explore Pat's ambivalence about smoking at home.",
        "brief",
    )
    type_into(
        page,
        "Background (the patient's life and history, for you and the facts)",
        "Warehouse worker, first baby on the way, smokes 15 a day since age 16.",
        "persona.context",
    )
    type_into(
        page,
        "Change goal (what change talk is measured against; need not be abstinence)",
        "Pat agrees to try one step towards a smoke-free home.",
        "change_goal",
    )
    talk_lines = {
        "change": "I know it's not ideal with the baby coming.\nI don't want the baby near it.",
        "sustain": "It's the only thing that calms me down.",
        "neutral": "Where do you want to start?\nWork's been long this week.",
        "discord": "I didn't come here to be told off.",
    }
    for talk, lines in talk_lines.items():
        type_into(
            page,
            f"{talk.capitalize()} talk lines",
            lines,
            f"topics.general.surface.{talk}",
            lines.split("\n"),
        )
    click(page, "Add a fact")
    page.get_by_label("Fact id (lower snake case)").wait_for()
    type_into(page, "Fact id (lower snake case)", "baby_due", "facts.baby_due.ask", [])
    asks = "When is the baby due?\nHow far along is your partner?\nHow long until the baby comes?"
    type_into(
        page, "Example questions (one per line)", asks, "facts.baby_due.ask", asks.split("\n")
    )
    type_into(page, "Answer", "Two months.", "facts.baby_due.answer")
    type_into(
        page,
        "Detail (optional, for open questions)",
        "Two months. March, if it's on time.",
        "facts.baby_due.detail",
    )
    # Every field typed is in the draft at once, not only the last one.
    written = draft(page)
    assert (written["title"], written["persona"]["name"]) == (TITLE, "Pat")
    assert written["topics"]["general"]["surface"]["change"] == talk_lines["change"].split("\n")

    # The opening line is still empty: publishing says what is wrong, on which line of the
    # YAML and where in the form to fix it.
    click(page, "Publish")
    page.get_by_text("nothing was published").wait_for()
    page.get_by_text("in the form, Persona: Opening line").wait_for()
    page.get_by_text(re.compile(r"^Line \d+ of the YAML \(persona\.opening_line\)")).wait_for()
    page.get_by_text(
        re.compile(r"scenarios/pat_smoking\.yml:\d+: persona\.opening_line: expected non-empty")
    ).wait_for()
    page.screenshot(path=str(ARTIFACTS / "browser_authoring_form_mistake.png"), full_page=True)
    assert not (app.scenarios / "pat_smoking.yml").exists()
    shows(page.get_by_label("Name", exact=True), "Pat")

    type_into(
        page,
        "Opening line (the patient speaks first)",
        "The midwife sent me. I know what you're going to say.",
        "persona.opening_line",
    )
    # The advanced view: a fact that needs rapport and has no dodge is valid, with a warning.
    page.get_by_role("tab", name="YAML (advanced)").click()
    data = draft(page)
    data["facts"]["baby_due"]["rapport"] = 4
    editor = page.get_by_label("Scenario (YAML)")
    editor.fill(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    editor.press("Tab")  # text areas commit on blur
    # The editor shows what was typed at once; Validate's result shows what the app holds.
    click(page, "Validate")
    page.get_by_text("Valid: 0 test dialogue(s)").wait_for()
    page.get_by_text("1 warning(s): the scenario works, but consider these.").wait_for()
    page.get_by_text(re.compile(r"facts\.baby_due\.deflect: the fact needs rapport 4")).wait_for()
    page.get_by_role("tab", name="Form").click()
    # Validating changes nothing in the editors; the form shows what the YAML holds.
    shows(page.get_by_label("Title (shown in the trainees' list)", exact=True), TITLE)
    assert draft(page) == data

    click(page, "Publish")
    page.get_by_text("Published pat_smoking. Trainees can choose it now.").wait_for()
    page.get_by_text("1 warning(s): the scenario works, but consider these.").wait_for()
    page.screenshot(path=str(ARTIFACTS / "browser_authoring_form_published.png"), full_page=True)
    scenario = load_scenario("pat_smoking", app.scenarios)
    assert (scenario.title, scenario.persona.name, scenario.persona.age) == (TITLE, "Pat", 29)
    assert scenario.facts["baby_due"].answer == "Two months."
    assert scenario.facts["baby_due"].rapport == 4
    assert len(scenario.topics["general"].lines[("surface", "neutral")]) == 2
    # The editors keep what was written.
    shows(page.get_by_label("Name", exact=True), "Pat")
    shows(page.get_by_label("Title (shown in the trainees' list)", exact=True), TITLE)
    assert draft(page) == data

    trainee = open_as(browser, app, "tina")
    trainee.get_by_label("Patient").click()
    trainee.get_by_role("option", name=TITLE).click()
    trainee.get_by_text("Pat agrees to try one step towards a smoke-free home.").wait_for()
    trainee.screenshot(path=str(ARTIFACTS / "browser_authoring_trainee_list.png"))


def test_replacing_asks_first_and_unpublishing_and_restoring_change_the_list(
    browser, app: App
) -> None:
    page = open_as(browser, app, "eddie")
    page.get_by_label("Scenario to open").click()
    page.get_by_role("option", name=SHIPPED).click()
    click(page, "Open in the editors")
    title = page.get_by_label("Title (shown in the trainees' list)", exact=True)
    page.wait_for_function(
        "() => [...document.querySelectorAll('input')].some(i => i.value.startsWith('Marcus:'))"
    )
    assert title.input_value().startswith("Marcus:")
    type_into(page, "Title (shown in the trainees' list)", "Marcus, revised", "title")
    click(page, "Publish")
    page.get_by_text(f"{SHIPPED} is live").wait_for()
    assert "Marcus, revised" not in (app.scenarios / f"{SHIPPED}.yml").read_text()
    click(page, "Replace the live version")
    page.get_by_text(f"Published {SHIPPED}.").wait_for()
    assert "Marcus, revised" in (app.scenarios / f"{SHIPPED}.yml").read_text()
    assert len(list((app.scenarios / "archive").glob(f"{SHIPPED}.*[0-9].yml"))) == 1
    shows(title, "Marcus, revised")

    page.get_by_label("Published scenario").click()
    page.get_by_role("option", name=SHIPPED).click()
    click(page, "Unpublish")
    page.get_by_text(f"Unpublished {SHIPPED}").wait_for()
    assert not (app.scenarios / f"{SHIPPED}.yml").exists()
    trainee = open_as(browser, app, "tina")
    trainee.get_by_label("Patient").click()
    assert trainee.get_by_role("option", name="Marcus, revised").count() == 0
    trainee.close()

    # The newest archived version, first in the list, is the one just unpublished.
    click(page, "Restore")
    page.get_by_text(f"Published {SHIPPED}.").wait_for()
    assert "Marcus, revised" in (app.scenarios / f"{SHIPPED}.yml").read_text()
    trainee = open_as(browser, app, "tina")
    trainee.get_by_label("Patient").click()
    trainee.get_by_role("option", name="Marcus, revised").wait_for()
