"""Generates Rasa NLU data for the MITI-code intents from the coder's authored corpus.

The corpus in `corpus/` (the per-code lines in `trainee/` and the thoughts of the practice
dialogues in `dialogues/`) is the source; `data/nlu/generated/mi_codes.yml` is derived from
it so that the bot's intent classifier and the behaviour coder learn from one corpus.
The file is written only when its content changes, so `make train` retrains only then.

Usage: python -m bot.build [--check]
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from pathlib import Path

import yaml

from scoring import CODES
from scoring.corpus import load_corpus
from scoring.dialogues import load_dialogues

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "data" / "nlu" / "generated" / "mi_codes.yml"
SESSION_NLU = ROOT / "data" / "nlu" / "session.yml"
HEADER = "# GENERATED from corpus/ by `python -m bot.build` - do not edit\n"

# Square brackets and braces are Rasa's entity-annotation syntax inside examples.
_MARKUP = str.maketrans({"[": "(", "]": ")", "{": "(", "}": ")"})


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text.translate(_MARKUP)).strip()


def _session_examples() -> set[str]:
    """Examples of the hand-written flow intents, which the generated data must not repeat."""
    document = yaml.safe_load(SESSION_NLU.read_text(encoding="utf-8"))
    examples = set()
    for block in document.get("nlu", []):
        for line in block.get("examples", "").splitlines():
            examples.add(_clean(line.lstrip("- ")).lower())
    return examples


def render_nlu() -> str:
    """Returns the generated NLU file's content.

    An utterance authored under two codes (which happens: the code depends on context the
    intent classifier does not see) is kept under neither, so DIET gets no contradictions.
    """
    codes_by_text: dict[str, set[str]] = defaultdict(set)
    first_form: dict[str, str] = {}
    for example in load_corpus() + load_dialogues():
        text = _clean(example.text)
        if not text:
            continue
        key = text.lower()
        codes_by_text[key].add(example.code)
        first_form.setdefault(key, text)

    reserved = _session_examples()
    by_code: dict[str, list[str]] = defaultdict(list)
    for key, codes in codes_by_text.items():
        if len(codes) == 1 and key not in reserved:
            by_code[next(iter(codes))].append(first_form[key])

    lines = [HEADER, 'version: "3.1"\n', "nlu:\n"]
    for code in CODES:
        if not by_code[code]:
            continue
        lines.append(f"  - intent: {code}\n    examples: |\n")
        lines.extend(f"      - {text}\n" for text in sorted(by_code[code]))
    return "".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the generated file is stale")
    args = parser.parse_args(argv)

    content = render_nlu()
    current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else None
    if content == current:
        print(f"{OUTPUT.relative_to(ROOT)} is up to date")
        return 0
    if args.check:
        print(f"{OUTPUT.relative_to(ROOT)} is stale: run `make data`", file=sys.stderr)
        return 1
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(content, encoding="utf-8")
    print(f"wrote {OUTPUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
