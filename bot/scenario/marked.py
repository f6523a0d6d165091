"""Read YAML into plain Python values plus the line number of every field."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from bot.scenario.errors import Problem, ScenarioError

#: Prefer the C loader: scenario files are a few hundred lines and load once per process.
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

FieldPath = tuple[str | int, ...]


def dotted(path: FieldPath) -> str:
    """Render a field path the way error messages show it: ``topics.sleep.surface[2]``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


class MarkedDoc:
    """A parsed YAML document with line numbers for its fields.

    Attributes:
        file: Path shown in error messages.
        data: The document as plain Python values.
    """

    def __init__(self, file: str, data: Any, marks: dict[FieldPath, int]) -> None:
        self.file = file
        self.data = data
        self._marks = marks

    def line(self, path: FieldPath) -> int:
        """Return the line of ``path``, or of its nearest ancestor that has one."""
        while path not in self._marks and path:
            path = path[:-1]
        return self._marks.get(path, 1)

    def problem(self, path: FieldPath, message: str) -> Problem:
        """Build a :class:`Problem` located at ``path``."""
        return Problem(self.file, self.line(path), dotted(path), message)


def _walk(
    node: yaml.Node, path: FieldPath, marks: dict[FieldPath, int], dup: list[Problem], file: str
) -> None:
    # A field is located at its key ("sleep:"), not at its value, which may start lines later.
    marks.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in seen:
                # PyYAML silently keeps the last duplicate; authors lose lines without noticing.
                dup.append(
                    Problem(
                        file,
                        key_node.start_mark.line + 1,
                        dotted((*path, key)),
                        "duplicate key (an earlier one with the same name is overridden)",
                    )
                )
            seen.add(key)
            marks[path + (key,)] = key_node.start_mark.line + 1
            _walk(value_node, (*path, key), marks, dup, file)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), marks, dup, file)


#: A scenario of hundreds of lines is tens of kilobytes; anything this large is a mistake.
MAX_BYTES = 1_000_000


def _refuse_aliases(text: str, file: str) -> None:
    """Scenario files never need YAML aliases; refusing them stops recursive and
    exponentially expanding ("billion laughs") documents before they are built."""
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.AliasEvent):
            line = event.start_mark.line + 1 if event.start_mark else 0
            raise ScenarioError(
                [Problem(file, line, "", "YAML aliases (*name) are not allowed in scenarios")]
            )


_KEY_LINE = re.compile(r"^\s*(- )?[\w-]+:(\s|$)")


def yaml_hint(reason: str, line: str, column: int = 0) -> str:
    """How to fix a YAML syntax error, in the terms an author uses (PyYAML's are terse).

    Args:
        reason: PyYAML's description of the problem.
        line: The text of the line it points at.
        column: Where in the line (0-based).
    """
    if "\t" in line or "cannot start any token" in reason:
        return "indentation problem: a tab is used; indent with spaces only (two per level)"
    if "mapping values are not allowed" in reason:
        # A second ': ' on a line that already has "field: text" is part of the text.
        if _KEY_LINE.match(line) and ": " not in line[: max(column, 0)]:
            return (
                "indentation problem: this field is indented more than the field above it; "
                "fields of the same section start in the same column"
            )
        return "the text has ': ' in it; put the whole text in double quotes"
    if "did not find expected key" in reason or "expected <block end>" in reason:
        return (
            "indentation problem: this line does not line up with the fields of its "
            "section; indent it like the line above it, or less to leave the section"
        )
    if "could not find expected ':'" in reason:
        return "a field name needs ':' after it, or the text above needs its closing quote"
    if "expected ',' or ']'" in reason:
        return "a list in [brackets] is not closed; add the ']' or put its texts in quotes"
    if "expected ',' or '}'" in reason:
        return "a mapping in {braces} is not closed; add the '}' or put its texts in quotes"
    if "end of stream" in reason:
        return "a quote is opened and never closed; close it on the same line"
    return "check the quotes and the indentation on this line and the one above it"


def read_marked(path: Path, shown_as: str | None = None) -> MarkedDoc:
    """Parse one YAML file, keeping line numbers.

    Args:
        path: File to read.
        shown_as: Name used in error messages (defaults to ``path``).

    Returns:
        The parsed document.

    Raises:
        ScenarioError: The file is missing, not UTF-8 or not valid YAML, or repeats a key.
    """
    file = shown_as or str(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ScenarioError(
                [Problem(file, 0, "", f"file is {size:,} bytes; the limit is {MAX_BYTES:,}")]
            )
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError([Problem(file, 0, "", f"cannot read file: {exc}")]) from exc
    try:
        _refuse_aliases(text, file)
        node = yaml.compose(text, Loader=_Loader)
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 0
        reason = getattr(exc, "problem", None) or str(exc)
        lines = text.splitlines()
        shown = lines[line - 1] if 0 < line <= len(lines) else ""
        column = mark.column if mark is not None else 0
        message = f"invalid YAML: {reason}; {yaml_hint(reason, shown, column)}"
        raise ScenarioError([Problem(file, line, "", message)]) from exc
    marks: dict[FieldPath, int] = {}
    duplicates: list[Problem] = []
    if node is not None:
        _walk(node, (), marks, duplicates, file)
    if duplicates:
        raise ScenarioError(duplicates)
    return MarkedDoc(file, data, marks)
