"""Command line: ``python -m bot.scenario check [FILE_OR_ID ...]`` validates scenarios."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.scenario.dialogues import load_dialogues
from bot.scenario.errors import ScenarioError
from bot.scenario.lint import scenario_warnings
from bot.scenario.loader import list_scenarios, load_scenario


def main(argv: list[str] | None = None) -> int:
    """Validate the named scenarios (all of them by default); print one line per problem."""
    parser = argparse.ArgumentParser(prog="python -m bot.scenario")
    parser.add_argument("command", choices=["check", "list"])
    parser.add_argument("targets", nargs="*", help="scenario ids or .yml paths")
    args = parser.parse_args(argv)
    if args.command == "list":
        print("\n".join(list_scenarios()))
        return 0
    targets = args.targets or list_scenarios()
    failed = 0
    for target in targets:
        path = Path(target)
        root, scenario_id = (
            (path.parent, path.name.removesuffix(".yml"))
            if target.endswith(".yml")
            else (None, target)
        )
        try:
            scenario = load_scenario(scenario_id, root)
            dialogues = load_dialogues(scenario_id, root)
        except ScenarioError as error:
            failed += 1
            print(error, file=sys.stderr)
            continue
        for warning in scenario_warnings(scenario):
            print(warning)
        print(
            f"{scenario.id}: ok ({len(scenario.topics)} topics, {scenario.line_count()} "
            f"lines, {len(scenario.facts)} facts, {len(dialogues)} test dialogues)"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
