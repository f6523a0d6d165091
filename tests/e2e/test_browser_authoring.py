"""Scenario authoring in headless chromium, as an educator who does not write YAML.

The educator builds a patient in the form, publishes with one field left empty, reads where
to fix it, fixes it and publishes; a trainee then finds the patient in the list. Then the
educator replaces the live version (asked first) and unpublishes it.

Needs no Rasa: authoring validates and previews in the app, and choosing a patient from the
list does not talk to the patient server. The app publishes into a private scenarios folder.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.scenario import load_scenario
from bot.scenario.loader import DEFAULT_ROOT
from bot.tools import services
from tests.e2e.test_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, log_in, seed
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


@pytest.fixture()
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


def open_as(browser, app: App, username: str):
    page = browser.new_context(viewport={"width": 1280, "height": 1000}).new_page()
    page.set_default_timeout(60_000)
    page.goto(app.url)
    log_in(page, username)
    return page


def settled(page) -> None:
    """Waits until the app has finished the run the last action started."""
    page.wait_for_timeout(200)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="detached")


def type_into(page, label: str, text: str) -> None:
    """Types as a person does; leaving the field commits it (and reruns the page)."""
    field = page.get_by_label(label, exact=True)
    field.fill(text)
    field.press("Tab")
    settled(page)


def click(page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()
    settled(page)


def test_an_educator_builds_a_patient_in_the_form_and_a_trainee_can_choose_it(
    browser, app: App
) -> None:
    page = open_as(browser, app, "eddie")
    page.get_by_text("Scenario authoring").first.wait_for()
    type_into(page, "Scenario id (file name, lower snake case)", "pat_smoking")
    type_into(page, "Title (shown in the trainees' list)", TITLE)
    type_into(page, "Name", "Pat")
    type_into(page, "Age", "29")
    type_into(
        page,
        "Brief (what the trainee reads before the session)",
        "Pat, 29, smokes 15 a day. The baby is due in two months. The midwife asked Pat "
        "to see you. Explore Pat's ambivalence about smoking at home.",
    )
    type_into(
        page,
        "Background (the patient's life and history, for you and the facts)",
        "Warehouse worker, first baby on the way, smokes 15 a day since age 16.",
    )
    type_into(
        page,
        "Change goal (what change talk is measured against; need not be abstinence)",
        "Pat agrees to try one step towards a smoke-free home.",
    )
    for talk, lines in {
        "Change": "I know it's not ideal with the baby coming.\nI don't want the baby near it.",
        "Sustain": "It's the only thing that calms me down.",
        "Neutral": "Where do you want to start?\nWork's been long this week.",
        "Discord": "I didn't come here to be told off.",
    }.items():
        type_into(page, f"{talk} talk lines", lines)
    click(page, "Add a fact")
    page.get_by_label("Fact id (lower snake case)").wait_for()
    type_into(page, "Fact id (lower snake case)", "baby_due")
    type_into(
        page,
        "Example questions (one per line)",
        "When is the baby due?\nHow far along is your partner?\nHow long until the baby comes?",
    )
    type_into(page, "Answer", "Two months.")
    type_into(page, "Detail (optional, for open questions)", "Two months. March, if it's on time.")

    # The opening line is still empty: publishing says where to fix it, in the form's words.
    click(page, "Publish")
    page.get_by_text("nothing was published").wait_for()
    page.get_by_text("in the form, Persona: Opening line").wait_for()
    page.screenshot(path=str(ARTIFACTS / "browser_authoring_form_mistake.png"), full_page=True)
    assert not (app.scenarios / "pat_smoking.yml").exists()

    type_into(
        page,
        "Opening line (the patient speaks first)",
        "The midwife sent me. I know what you're going to say.",
    )
    click(page, "Publish")
    page.get_by_text("Published pat_smoking. Trainees can choose it now.").wait_for()
    page.screenshot(path=str(ARTIFACTS / "browser_authoring_form_published.png"), full_page=True)
    scenario = load_scenario("pat_smoking", app.scenarios)
    assert (scenario.persona.name, scenario.persona.age) == ("Pat", 29)
    assert scenario.facts["baby_due"].answer == "Two months."
    # The editors keep what was written.
    assert page.get_by_label("Name", exact=True).input_value() == "Pat"

    trainee = open_as(browser, app, "tina")
    trainee.get_by_label("Patient").click()
    trainee.get_by_role("option", name=TITLE).click()
    trainee.get_by_text("Pat agrees to try one step towards a smoke-free home.").wait_for()
    trainee.screenshot(path=str(ARTIFACTS / "browser_authoring_trainee_list.png"))


def test_replacing_asks_first_and_unpublishing_takes_the_patient_out_of_the_list(
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
    type_into(page, "Title (shown in the trainees' list)", "Marcus, revised")
    click(page, "Publish")
    page.get_by_text(f"{SHIPPED} is live").wait_for()
    assert "Marcus, revised" not in (app.scenarios / f"{SHIPPED}.yml").read_text()
    click(page, "Replace the live version")
    page.get_by_text(f"Published {SHIPPED}.").wait_for()
    assert "Marcus, revised" in (app.scenarios / f"{SHIPPED}.yml").read_text()
    assert len(list((app.scenarios / "archive").glob(f"{SHIPPED}.*[0-9].yml"))) == 1

    page.get_by_label("Published scenario").click()
    page.get_by_role("option", name=SHIPPED).click()
    click(page, "Unpublish")
    page.get_by_text(f"Unpublished {SHIPPED}").wait_for()
    trainee = open_as(browser, app, "tina")
    trainee.get_by_label("Patient").click()
    assert trainee.get_by_role("option", name="Marcus, revised").count() == 0
