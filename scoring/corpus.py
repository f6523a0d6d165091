"""Load the project's authored trainee corpus (``corpus/trainee/<code>.yml``), and
supervisors' corrections exported by the trainer app (JSON lines)."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

import yaml

from scoring.codes import CODES

CORPUS_DIR = Path(__file__).resolve().parents[1] / "corpus" / "trainee"


class CorpusError(ValueError):
    """A corpus file breaks the format documented at the top of each file."""


@dataclass(frozen=True)
class Example:
    """One authored trainee utterance.

    Attributes:
        text: what the trainee says.
        code: its MITI 4.2.1 code (one of :data:`scoring.CODES`).
        prev_client_text: the patient turn it answers ("" at the start of a session).
        topic: scenario topic (e.g. ``substance_use``) or ``general``.
    """

    text: str
    code: str
    prev_client_text: str
    topic: str


def _group_examples(path: Path, code: str, group: object, index: int) -> list[Example]:
    if not isinstance(group, dict) or not isinstance(group.get("texts"), list):
        raise CorpusError(f"{path}: group {index} needs a 'texts' list")
    topic = str(group.get("topic", "general"))
    prev = str(group.get("prev") or "").strip()
    out = []
    for text in group["texts"]:
        if not isinstance(text, str) or not text.strip():
            raise CorpusError(f"{path}: group {index} ({topic}) has an empty or non-text item")
        out.append(Example(text.strip(), code, prev, topic))
    return out


def load_file(path: Path) -> list[Example]:
    """Load one corpus file.

    Raises:
        CorpusError: if the file does not follow the documented format.
    """
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise CorpusError(f"{path}: expected a mapping with 'code' and 'groups'")
    code = data.get("code")
    if code not in CODES:
        raise CorpusError(f"{path}: 'code' must be one of {CODES}, got {code!r}")
    if path.stem != code:
        raise CorpusError(f"{path}: file name must be the code ({code}.yml)")
    groups = data.get("groups")
    if not isinstance(groups, list):
        raise CorpusError(f"{path}: 'groups' must be a list")
    out: list[Example] = []
    for i, group in enumerate(groups):
        out.extend(_group_examples(path, code, group, i))
    return out


def load_corpus(root: str | Path | None = None) -> list[Example]:
    """Load every ``<code>.yml`` under ``root`` (default ``corpus/trainee/``), deduplicated.

    Args:
        root: folder of corpus files.

    Returns:
        Examples in file-name then file order; exact duplicates (text, prev, code) dropped.
    """
    folder = Path(root) if root else CORPUS_DIR
    seen: set[tuple[str, str, str]] = set()
    out: list[Example] = []
    for path in sorted(folder.glob("*.yml")):
        for ex in load_file(path):
            key = (ex.text.lower(), ex.prev_client_text.lower(), ex.code)
            if key not in seen:
                seen.add(key)
                out.append(ex)
    return out


#: Topic given to examples that come from supervisors' corrections.
CORRECTION_TOPIC = "supervisor_correction"


def load_corrections(path: Path) -> tuple[list[Example], list[str]]:
    """Read corrections exported by the app's Coder agreement page (one JSON object a line).

    Each line needs ``text`` and ``code`` (one of :data:`scoring.CODES`); ``prev`` (the
    patient's turn before) is optional. Bad lines are skipped and described, never fatal, so
    one damaged line does not throw away a year of supervisors' work.

    Returns:
        The examples, and one message per skipped line (``"file:line: why"``).

    Raises:
        OSError: if the file cannot be read.
    """
    examples: list[Example] = []
    problems: list[str] = []
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"{where}: not JSON ({exc.msg})")
            continue
        if not isinstance(record, dict):
            problems.append(f"{where}: expected an object with 'text' and 'code'")
            continue
        text, code, prev = record.get("text"), record.get("code"), record.get("prev") or ""
        if not isinstance(text, str) or not text.strip():
            problems.append(f"{where}: 'text' must be non-empty text")
        elif code not in CODES:
            problems.append(f"{where}: 'code' must be one of the MITI codes, got {code!r}")
        elif not isinstance(prev, str):
            problems.append(f"{where}: 'prev' must be text")
        else:
            examples.append(Example(text.strip(), code, prev.strip(), CORRECTION_TOPIC))
    return examples, problems


_LEADS = ["So, ", "Okay, so ", "Um, ", "Yeah, ", "Mm, ", "Right, ", "And ", "Well, ", "Uh, "]
_INSERTS = ["um,", "uh,", "you know,", "kind of", "like", "I mean,", "sort of"]


def _disfluent(text: str, rng: random.Random) -> str:
    """Insert a spoken disfluency (filler or repeated word) at a random word boundary."""
    words = text.split()
    if len(words) < 3:
        return text
    i = rng.randrange(1, len(words) - 1)
    if rng.random() < 0.5:
        words.insert(i, rng.choice(_INSERTS))
    else:
        words.insert(i, words[i].rstrip(",.?!") + ",")
    return " ".join(words)


def _typo(text: str, rng: random.Random) -> str:
    """Swap two adjacent letters inside one longer word (trainees type in a chat box)."""
    words = text.split()
    long_words = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if not long_words:
        return text
    i = rng.choice(long_words)
    w = words[i]
    j = rng.randrange(1, len(w) - 2)
    words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
    return " ".join(words)


def augment(examples: list[Example], seed: int = 11, share: float = 0.8) -> list[Example]:
    """Add one spoken-style variant to a seeded share of the examples.

    Transcribed speech opens with fillers, repeats words, says "you know" and "kind of", and
    often loses its final punctuation or capitals; typed chat has typos. The authored corpus
    is mostly written style, so the variants teach the head that these do not change the
    behaviour.
    """
    rng = random.Random(seed)
    out = list(examples)
    for ex in examples:
        if rng.random() > share:
            continue
        text = ex.text
        if ex.code != "other" and rng.random() < 0.5:
            text = rng.choice(_LEADS) + text[0].lower() + text[1:]
        text = _disfluent(text, rng) if rng.random() < 0.7 else _typo(text, rng)
        if rng.random() < 0.3:
            text = text.rstrip(".!")
        if rng.random() < 0.2:
            text = text.lower()
        if text != ex.text:
            out.append(Example(text, ex.code, ex.prev_client_text, ex.topic))
    return out
