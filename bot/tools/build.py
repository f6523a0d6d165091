"""Generates Rasa NLU data for the `trainee_turn` intent from the coder's authored corpus.

Rasa's NLU does not decide a turn's MITI codes (the coder does); it only tells a clinician's
turn (`trainee_turn`) from the session's flow and from messages the patient answers in role
(`bot_challenge`, `off_topic`). So `data/nlu/generated/trainee_turn.yml` holds a sample of
the corpus (`corpus/trainee/` and the practice dialogues), the same number of lines from
each MITI code so that every kind of clinician turn is recognised as one.
The file is written only when its content changes, so `make train` retrains only then.

Usage: python -m bot.tools.build [--check]
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from pathlib import Path

import yaml

from bot.patient.inrole import TRAINEE_TURN
from scoring import CODES
from scoring.corpus import load_corpus
from scoring.dialogues import load_dialogues

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "data" / "nlu" / "generated" / "trainee_turn.yml"
SESSION_NLU = ROOT / "data" / "nlu" / "session.yml"
HEADER = "# GENERATED from corpus/ by `python -m bot.tools.build` - do not edit\n"
#: Lines per MITI code: enough for every form of clinician turn, few enough that `rasa
#: train` takes seconds rather than minutes.
PER_CODE = 80

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

    Each code's distinct lines are spread evenly over the sorted list and sampled, so the
    sample is the same on every machine and changes little when a line is added.
    """
    reserved = _session_examples()
    by_code: dict[str, dict[str, str]] = defaultdict(dict)
    for example in load_corpus() + load_dialogues():
        text = _clean(example.text)
        if text and text.lower() not in reserved:
            by_code[example.code].setdefault(text.lower(), text)
    chosen: dict[str, str] = {}
    for code in CODES:
        lines = [by_code[code][key] for key in sorted(by_code[code])]
        step = max(1, len(lines) / PER_CODE)
        for i in range(min(PER_CODE, len(lines))):
            chosen.setdefault(lines[int(i * step)].lower(), lines[int(i * step)])
    out = [HEADER, 'version: "3.1"\n', "nlu:\n", f"  - intent: {TRAINEE_TURN}\n    examples: |\n"]
    out.extend(f"      - {text}\n" for text in sorted(chosen.values()))
    return "".join(out)


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
