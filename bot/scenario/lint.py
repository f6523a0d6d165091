"""Warnings about a scenario that loads: what the loader noticed, and phrasings not recognised."""

from __future__ import annotations

from bot.scenario.model import GENERAL_TOPIC, Scenario


def scenario_warnings(scenario: Scenario) -> list[str]:
    """Every warning about a valid scenario, one line each, as ``file:line: warning: ...``."""
    out = [
        f"{w.file}:{w.line}: warning: {w.field or '<file>'}: {w.message}" for w in scenario.warnings
    ]
    # Phrasings double as examples of what the topic detector recognises; say when one is
    # not, so authors can add a keyword (bot.patient imports this package: import it here).
    from bot.patient.topics import detect_topic

    for topic in scenario.topics.values():
        expected = None if topic.id == GENERAL_TOPIC else topic.id
        for phrasing in topic.phrasings:
            found = detect_topic(scenario, phrasing)
            if found != expected:
                out.append(
                    f"{scenario.path}: warning: topics.{topic.id}.phrasings: {phrasing!r} "
                    f"is recognised as {found or 'no topic'}; add a keyword"
                )
    return out
