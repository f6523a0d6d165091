"""The one exception scenario loading raises, carrying every problem found."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One mistake in a scenario file.

    Attributes:
        file: Path of the file.
        line: 1-based line number (0 when unknown, e.g. an unreadable file).
        field: Dotted path to the field, e.g. ``topics.sleep.surface.change[2]``.
        message: What was expected and what was found.
    """

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.field or '<file>'}: {self.message}"


class ScenarioError(ValueError):
    """A scenario (or scenario test file) is missing, unreadable or invalid.

    Attributes:
        problems: Every problem found, in file order, so authors fix them in one pass.
    """

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.file, p.line, p.field))
        lines = [str(p) for p in self.problems]
        head = f"{len(lines)} problem(s) in scenario:" if len(lines) > 1 else ""
        super().__init__("\n".join([head, *lines]) if head else lines[0])
