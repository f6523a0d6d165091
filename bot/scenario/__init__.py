"""Educator-authored simulated patients: schema, validation and loading (pure Python)."""

from bot.scenario.errors import Problem, ScenarioError
from bot.scenario.loader import list_scenarios, load_scenario, scenario_path
from bot.scenario.model import (
    GENERAL_TOPIC,
    IN_ROLE_KINDS,
    LAYERS,
    STAGES,
    TALKS,
    Line,
    Persona,
    Rules,
    Scenario,
    StartState,
    Topic,
)

__all__ = [
    "GENERAL_TOPIC",
    "IN_ROLE_KINDS",
    "LAYERS",
    "STAGES",
    "TALKS",
    "Line",
    "Persona",
    "Problem",
    "Rules",
    "Scenario",
    "ScenarioError",
    "StartState",
    "Topic",
    "list_scenarios",
    "load_scenario",
    "scenario_path",
]
