"""Import expert-coded transcripts (AnnoMI, the shared evaluation format) as corrections lines.

Both formats code a whole therapist utterance with one behaviour; the output is the JSON
lines format of supervisors' corrections (``text``, ``code``, ``prev``; see
:func:`scoring.corpus.load_corrections`), which ``python -m scoring train --add`` trains on.
What maps and what does not is documented in ``docs/scoring.md`` ("Training on coded
transcripts"); in short:

- question open/closed, reflection simple/complex and information map one to one;
- advice becomes ``persuade_with_permission`` or ``persuade`` by the context rule the coder
  itself applies (:func:`scoring.rules.advice_permitted`): neither format says which;
- AnnoMI's ``other`` (backchannels and structuring, but also affirmations, autonomy and
  seeking collaboration, which AnnoMI does not code) is dropped unless ``keep_other``;
- AnnoMI's input subtypes ``options`` and ``negotiation`` (and the evaluation rows marked
  ``strict=False``, which are those) have no MITI counterpart and are dropped.

Several annotators of one utterance (AnnoMI-full has a row per annotator) are resolved by
majority; a tie goes to the code MITI prefers "when in doubt" (simple over complex
reflection, information over advice), and any other tie drops the utterance.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from scoring.rules import advice_permitted, context_from_history, features
from scoring.segment import get_nlp
from scoring.types import Turn

FORMATS = ("annomi", "eval")
ANNOMI_COLUMNS = (
    "transcript_id",
    "utterance_id",
    "interlocutor",
    "utterance_text",
    "annotator_id",
    "main_therapist_behaviour",
    "reflection_subtype",
    "question_subtype",
    "therapist_input_subtype",
)
EVAL_COLUMNS = ("transcript_id", "utterance_id", "text", "prev_client_text", "label", "strict")
#: Stands for advice until the context decides with or without permission.
ADVICE = "advice"
#: Labels that have no MITI 4.2.1 code of their own: dropped (``other`` unless kept).
UNMAPPED = ("options", "negotiation", "other")
_ANNOMI_SUBTYPE = {
    "question": ("question_subtype", {"open": "question_open", "closed": "question_closed"}),
    "reflection": (
        "reflection_subtype",
        {"simple": "reflection_simple", "complex": "reflection_complex"},
    ),
    "therapist_input": (
        "therapist_input_subtype",
        {
            "information": "giving_information",
            "advice": ADVICE,
            "options": "options",
            "negotiation": "negotiation",
        },
    ),
}
_EVAL_LABEL = {
    "open_question": "question_open",
    "closed_question": "question_closed",
    "simple_reflection": "reflection_simple",
    "complex_reflection": "reflection_complex",
    "giving_information": "giving_information",
    "advice_or_persuasion": ADVICE,
    "other": "other",
}
#: A tie between two labels goes to the one MITI 4.2.1 prefers when in doubt.
_TIE_PREFERENCE = {
    frozenset({"reflection_simple", "reflection_complex"}): "reflection_simple",
    frozenset({"giving_information", ADVICE}): "giving_information",
}
_MAX_PROBLEMS = 30


class CodedFileError(ValueError):
    """The file is not a coded-transcript file of the format asked for; nothing was written.

    Attributes:
        problems: one ``file:line: what is wrong`` message per problem found.
    """

    def __init__(self, problems: list[str]) -> None:
        shown = problems[:_MAX_PROBLEMS]
        more = len(problems) - len(shown)
        super().__init__("\n".join(shown + ([f"... and {more} more"] if more else [])))
        self.problems = problems


@dataclass
class _Utterance:
    transcript: str
    order: int
    speaker: str  # "trainee" or "patient"
    text: str
    labels: list[str] = field(default_factory=list)  # one per annotator (trainee turns)
    prev: str | None = None  # the patient's turn before, when the file gives it


@dataclass
class Imported:
    """What an import produced.

    Attributes:
        records: the corrections lines (dicts with ``text``, ``code``, ``prev``, provenance).
        dropped: therapist utterances left out, by reason.
    """

    records: list[dict] = field(default_factory=list)
    dropped: Counter = field(default_factory=Counter)

    @property
    def per_code(self) -> Counter:
        """How many lines each code got."""
        return Counter(r["code"] for r in self.records)


def _rows(path: Path, required: tuple[str, ...], problems: list[str]) -> Iterator[tuple[int, dict]]:
    """``(line, row)`` for each CSV row; the header's missing columns are a problem."""
    csv.field_size_limit(10_000_000)
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        header = reader.fieldnames or []
        missing = [c for c in required if c not in header]
        if missing:
            problems.append(f"{path}:1: missing column(s) {', '.join(missing)}")
            return
        while True:
            line = reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                problems.append(f"{path}:{line}: not CSV ({exc})")
                return
            if None in row or any(row.get(c) is None for c in required):
                problems.append(f"{path}:{line}: the row does not have the header's fields")
                continue
            yield line, row


def _order(row: dict, where: str, problems: list[str]) -> int | None:
    """The row's utterance_id as a whole number, or ``None`` with the problem noted."""
    try:
        number = int(row["utterance_id"])
    except ValueError:
        number = -1
    if number < 0:
        problems.append(
            f"{where}: utterance_id must be a whole number, got {row['utterance_id']!r}"
        )
        return None
    return number


def _annomi_label(row: dict) -> str:
    """The row's label before context, or raise ValueError saying what is wrong."""
    main = row["main_therapist_behaviour"].strip()
    if main == "input":  # accepted too: descriptions of the format often name it so
        main = "therapist_input"
    if main == "other":
        return "other"
    if main not in _ANNOMI_SUBTYPE:
        raise ValueError(
            f"main_therapist_behaviour {main!r} is not question, reflection, therapist_input "
            "or other"
        )
    column, labels = _ANNOMI_SUBTYPE[main]
    subtype = row[column].strip()
    if subtype not in labels:
        raise ValueError(f"{main} needs {column} in {', '.join(labels)}, got {subtype!r}")
    return labels[subtype]


def read_annomi(path: Path) -> list[_Utterance]:
    """Utterances of an ``AnnoMI-full.csv``-style file, one per (transcript, utterance).

    Raises:
        CodedFileError: with every problem found.
    """
    problems: list[str] = []
    utterances: dict[tuple[str, int], _Utterance] = {}
    annotators: set[tuple[str, int, str]] = set()
    for line, row in _rows(path, ANNOMI_COLUMNS, problems):
        where = f"{path}:{line}"
        transcript = row["transcript_id"].strip()
        speaker = {"therapist": "trainee", "client": "patient"}.get(row["interlocutor"].strip())
        if not transcript:
            problems.append(f"{where}: empty transcript_id")
            continue
        order = _order(row, where, problems)
        if order is None:
            continue
        if speaker is None:
            problems.append(
                f"{where}: interlocutor must be therapist or client, got {row['interlocutor']!r}"
            )
            continue
        text = row["utterance_text"].strip()
        if speaker == "trainee" and not text:
            problems.append(f"{where}: empty utterance_text")
            continue
        annotator = (transcript, order, row["annotator_id"].strip())
        if annotator in annotators:
            problems.append(f"{where}: annotator {annotator[2]!r} coded this utterance twice")
            continue
        annotators.add(annotator)
        utterance = utterances.setdefault(
            (transcript, order), _Utterance(transcript, order, speaker, text)
        )
        if utterance.speaker != speaker:
            problems.append(f"{where}: another row gives this utterance another interlocutor")
            continue
        if speaker == "trainee":
            try:
                utterance.labels.append(_annomi_label(row))
            except ValueError as exc:
                problems.append(f"{where}: {exc}")
    if problems:
        raise CodedFileError(problems)
    return sorted(utterances.values(), key=lambda u: (u.transcript, u.order))


def read_eval(path: Path) -> list[_Utterance]:
    """Therapist turns of a file in the shared evaluation format (one row per turn).

    Rows marked ``strict=False`` (a label forced onto options or negotiation) are kept with
    the label ``options``, so they are dropped as such.

    Raises:
        CodedFileError: with every problem found.
    """
    problems: list[str] = []
    seen: set[tuple[str, int]] = set()
    out: list[_Utterance] = []
    for line, row in _rows(path, EVAL_COLUMNS, problems):
        where = f"{path}:{line}"
        transcript, label = row["transcript_id"].strip(), row["label"].strip()
        strict, text = row["strict"].strip().lower(), row["text"].strip()
        order = _order(row, where, problems)
        if order is None:
            continue
        if not transcript or not text:
            problems.append(f"{where}: empty {'transcript_id' if not transcript else 'text'}")
        elif label not in _EVAL_LABEL:
            problems.append(
                f"{where}: label must be one of {', '.join(_EVAL_LABEL)}, got {label!r}"
            )
        elif strict not in ("true", "false"):
            problems.append(f"{where}: strict must be True or False, got {row['strict']!r}")
        elif (transcript, order) in seen:
            problems.append(f"{where}: utterance {order} of transcript {transcript} repeats")
        else:
            seen.add((transcript, order))
            code = _EVAL_LABEL[label] if strict == "true" else "options"
            prev = row["prev_client_text"].strip()
            out.append(_Utterance(transcript, order, "trainee", text, [code], prev))
    if problems:
        raise CodedFileError(problems)
    return sorted(out, key=lambda u: (u.transcript, u.order))


def majority(labels: list[str]) -> str | None:
    """The annotators' majority label; a tie MITI does not settle gives ``None``."""
    counts = Counter(labels).most_common()
    top = [label for label, n in counts if n == counts[0][1]]
    if len(top) == 1:
        return top[0]
    return _TIE_PREFERENCE.get(frozenset(top))


def _history(utterances: list[_Utterance]) -> Iterator[tuple[_Utterance, list[Turn]]]:
    """Each trainee utterance with the turns before it in its transcript."""
    history: list[Turn] = []
    transcript = None
    for u in utterances:
        if u.transcript != transcript:
            history, transcript = [], u.transcript
        said = next((t.text for t in reversed(history) if t.speaker == "patient"), None)
        if u.prev and u.prev != said:
            history.append(Turn("patient", u.prev))  # the evaluation format gives it per row
        if u.speaker == "trainee":
            yield u, list(history)
        history.append(Turn(u.speaker, u.text))


def to_records(utterances: list[_Utterance], source: str, keep_other: bool = False) -> Imported:
    """Map the utterances' labels onto MITI codes, with the patient turn before each."""
    result = Imported()
    make_doc = get_nlp().make_doc
    for u, history in _history(utterances):
        label = majority(u.labels)
        if label is None:
            result.dropped["annotators tied"] += 1
            continue
        if label in UNMAPPED and not (label == "other" and keep_other):
            result.dropped[label] += 1
            continue
        ctx = context_from_history(history)
        if label == ADVICE:
            permitted = advice_permitted(features(make_doc(u.text), ctx))
            label = "persuade_with_permission" if permitted else "persuade"
        result.records.append(
            {
                "text": u.text,
                "code": label,
                "prev": ctx.prev_client,
                "source": source,
                "transcript_id": u.transcript,
                "utterance_id": u.order,
            }
        )
    return result


def write_jsonl(records: list[dict], out_path: Path) -> None:
    """Write the lines to a temporary file beside ``out_path``, then rename it into place."""
    out_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out_path.name}.", dir=out_path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            for record in records:
                fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        os.replace(tmp, out_path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def detect_format(path: Path) -> str | None:
    """``"annomi"`` or ``"eval"`` from the file's header, or ``None``."""
    with path.open(newline="", encoding="utf-8") as fh:
        header = next(csv.reader(fh), [])
    if "utterance_text" in header:
        return "annomi"
    if "label" in header and "text" in header:
        return "eval"
    return None


def import_coded(
    in_path: Path, out_path: Path, fmt: str | None = None, keep_other: bool = False
) -> Imported:
    """Read ``in_path``, map its labels, write ``out_path`` (nothing if the file is bad).

    Args:
        in_path: an ``AnnoMI-full.csv``-style file or one in the shared evaluation format.
        out_path: the corrections file to write (JSON lines).
        fmt: ``"annomi"`` or ``"eval"``; ``None`` tells them apart by the header.
        keep_other: train on AnnoMI's ``other`` as the code ``other`` instead of dropping it.

    Raises:
        CodedFileError: the file is malformed (every problem as ``file:line: what``).
    """
    try:
        in_path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        line = in_path.read_bytes()[: exc.start].count(b"\n") + 1
        raise CodedFileError([f"{in_path}:{line}: not UTF-8 text ({exc.reason})"]) from exc
    fmt = fmt or detect_format(in_path)
    if fmt not in FORMATS:
        raise CodedFileError(
            [f"{in_path}:1: header is neither AnnoMI's nor the evaluation format's"]
        )
    utterances = read_annomi(in_path) if fmt == "annomi" else read_eval(in_path)
    result = to_records(utterances, source=in_path.name, keep_other=keep_other)
    if not result.records:
        raise CodedFileError([f"{in_path}:1: no therapist utterance could be mapped"])
    write_jsonl(result.records, out_path)
    return result
