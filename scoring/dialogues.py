"""Load the project's authored practice dialogues (``corpus/dialogues/*.yml``).

The per-code files in ``corpus/trainee/`` hold many trainee lines after one shared patient
turn, all of one code; a dialogue holds a whole session, so every trainee turn follows the
patient turn it really answers, codes come in the mix a session has, and one turn can hold
several thoughts. Each coded thought becomes an :class:`~scoring.corpus.Example`.

Format of every file (each file's header comment points here):

    version: "1"
    topic: <topic id, e.g. general_alcohol or substance_tapering>
    counsellor: mi_consistent | mixed | mi_inconsistent
    turns:
      - patient: <what the patient says>
      - trainee:                 # one speaker turn, one entry per thought, in order
          - reflection_simple: <a thought>
          - question_open: <the next thought of the same turn>

Check files with ``python -m scoring.dialogues FILE...`` (prints counts, exit 1 on errors).
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import yaml

from scoring.codes import CODES
from scoring.corpus import CorpusError, Example

DIALOGUE_DIR = Path(__file__).resolve().parents[1] / "corpus" / "dialogues"
COUNSELLORS = ("mi_consistent", "mixed", "mi_inconsistent")


def _thoughts(path: Path, index: int, turn: object) -> list[tuple[str, str]]:
    where = f"{path}: turn {index + 1}"
    if not isinstance(turn, list) or not turn:
        raise CorpusError(f"{where}: 'trainee' needs a list of {{code: text}} thoughts")
    out = []
    for item in turn:
        if not isinstance(item, dict) or len(item) != 1:
            raise CorpusError(f"{where}: each thought is one 'code: text' pair, got {item!r}")
        ((code, text),) = item.items()
        if code not in CODES:
            raise CorpusError(f"{where}: unknown code {code!r} (one of {', '.join(CODES)})")
        if not isinstance(text, str) or not text.strip():
            raise CorpusError(f"{where}: the {code} thought is empty or not text")
        out.append((code, text.strip()))
    return out


def load_dialogue(path: Path) -> list[Example]:
    """Every coded trainee thought of one dialogue, with the patient turn before it.

    Raises:
        CorpusError: if the file does not follow the format in this module's docstring.
    """
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise CorpusError(f"{path}: not valid YAML ({exc})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("turns"), list):
        raise CorpusError(f"{path}: expected a mapping with 'topic', 'counsellor' and 'turns'")
    topic = data.get("topic")
    if not isinstance(topic, str) or not topic.strip():
        raise CorpusError(f"{path}: 'topic' must be a topic id")
    if data.get("counsellor") not in COUNSELLORS:
        raise CorpusError(f"{path}: 'counsellor' must be one of {', '.join(COUNSELLORS)}")
    prev = ""
    out: list[Example] = []
    for i, turn in enumerate(data["turns"]):
        if not isinstance(turn, dict) or len(turn) != 1 or not set(turn) <= {"patient", "trainee"}:
            raise CorpusError(f"{path}: turn {i + 1} must be 'patient: text' or 'trainee: [...]'")
        if "patient" in turn:
            if not isinstance(turn["patient"], str) or not turn["patient"].strip():
                raise CorpusError(f"{path}: turn {i + 1}: the patient turn is empty")
            prev = turn["patient"].strip()
            continue
        for code, text in _thoughts(path, i, turn["trainee"]):
            out.append(Example(text, code, prev, topic.strip()))
    return out


def load_dialogues(root: str | Path | None = None) -> list[Example]:
    """Every thought of every dialogue under ``root`` (default ``corpus/dialogues/``)."""
    folder = Path(root) if root else DIALOGUE_DIR
    out: list[Example] = []
    for path in sorted(folder.glob("*.yml")):
        out.extend(load_dialogue(path))
    return out


def main(paths: list[str]) -> int:
    """Check dialogue files and print their thoughts per code."""
    if not paths:
        print("usage: python -m scoring.dialogues FILE.yml [FILE.yml ...]", file=sys.stderr)
        return 2
    total: Counter[str] = Counter()
    failed = 0
    for name in paths:
        try:
            examples = load_dialogue(Path(name))
        except (CorpusError, OSError) as exc:
            print(f"ERROR {exc}")
            failed += 1
            continue
        counts = Counter(ex.code for ex in examples)
        total.update(counts)
        print(f"ok {name}: {len(examples)} thoughts, {dict(sorted(counts.items()))}")
    print(f"total {sum(total.values())} thoughts: {dict(sorted(total.items()))}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
