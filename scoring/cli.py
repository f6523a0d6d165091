"""Command line: ``python -m scoring code``, ``report``, ``train`` and ``import-coded``.

Coding and reporting import only the runtime coder; the training subcommands import
``scoring.training`` when they run.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import os
import sys
import time
from pathlib import Path

from tqdm import tqdm

from scoring.codes import turn_code_of
from scoring.corpus import Example, load_corrections
from scoring.loader import MODES, CoderUnavailable, load_coder
from scoring.session import SessionTurn, build_report
from scoring.training.finetune import EPOCHS
from scoring.types import Coding, Turn

log = logging.getLogger("scoring")
#: The expert-coded development split, beside the repository when a developer has it.
DEV_SPLIT = Path(__file__).resolve().parents[2] / "shared" / "eval" / "annomi_dev_therapist.csv"
OUT_FIELDS = ("code", "confidence", "reason", "unit_codes")


def _check_row(row: dict, line: int) -> str | None:
    """Return why a CSV row cannot be coded, or ``None`` when it is fine."""
    if None in row:
        return f"line {line}: more fields than the header"
    if row.get("text") is None:
        return f"line {line}: missing 'text' field"
    if not (row.get("id") or "").strip():
        return f"line {line}: empty 'id'"
    return None


def turn_summary(codings: list[Coding]) -> tuple[str, float, str, str]:
    """One output row for a turn: its dominant code (see ``dominant_code``) and all unit codes."""
    code = turn_code_of(codings)
    main = next(c for c in codings if c.code == code)
    reason = main.reason
    if len(codings) > 1:
        reason += f" [{len(codings)} thought units; turn code = dominant behaviour]"
    return code, main.confidence, reason, ";".join(c.code for c in codings)


def code_csv(in_path: Path, out_path: Path, mode: str, batch_size: int) -> int:
    """Code every row of ``in_path`` into ``out_path``; return the number of bad rows.

    Raises:
        CoderUnavailable: when a trained coder was asked for and there is none.
    """
    csv.field_size_limit(10_000_000)
    with in_path.open(newline="", encoding="utf-8", errors="replace") as fh:
        reader = csv.DictReader(fh)
        fields = list(reader.fieldnames or [])
        if "text" not in fields or "id" not in fields:
            raise SystemExit(f"{in_path}: header must have columns id,text[,prev_client_text]")
        rows = list(reader)
    coder = load_coder(mode=mode)
    log.info("coding %d rows with the %s coder", len(rows), coder.mode)
    problems = {i: _check_row(r, i + 2) for i, r in enumerate(rows)}
    good = [i for i, p in problems.items() if p is None]
    results: dict[int, tuple[str, float, str, str]] = {}
    start = time.perf_counter()
    with tqdm(total=len(good), unit="row", desc="coding", file=sys.stderr) as bar:
        for s in range(0, len(good), batch_size):
            idx = good[s : s + batch_size]
            pairs = [(rows[i]["text"], rows[i].get("prev_client_text") or "") for i in idx]
            for i, codings in zip(idx, coder.code_rows(pairs, batch_size), strict=True):
                results[i] = turn_summary(codings)
            bar.update(len(idx))
    out_fields = fields + [f for f in OUT_FIELDS if f not in fields]
    with out_path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=out_fields, extrasaction="ignore")
        writer.writeheader()
        for i, row in enumerate(rows):
            row = {k: v for k, v in row.items() if k is not None}
            if problems[i]:
                log.warning("skipped bad row: %s", problems[i])
                row.update(code="", confidence="", reason=f"bad row: {problems[i]}")
            else:
                code, conf, reason, units = results[i]
                row.update(code=code, confidence=f"{conf:.3f}", reason=reason, unit_codes=units)
            writer.writerow(row)
    bad = sum(p is not None for p in problems.values())
    secs = time.perf_counter() - start
    log.info("coded %d rows in %.1f s (%d bad rows) -> %s", len(good), secs, bad, out_path)
    return bad


SPEAKERS = ("trainee", "patient")


class UnknownScenario(Exception):
    """The ``--scenario`` id names no usable scenario."""


def read_transcript(path: Path) -> tuple[list[Turn], list[str]]:
    """The turns of a JSON-lines transcript and the problems of its bad lines (``file:line: why``).

    Each non-blank line is ``{"speaker": "trainee" | "patient", "text": "..."}``.
    """
    turns: list[Turn] = []
    problems: list[str] = []
    with path.open(encoding="utf-8", errors="replace") as fh:
        for number, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            where = f"{path}:{number}"
            try:
                item = json.loads(raw)
            except json.JSONDecodeError as exc:
                problems.append(f"{where}: not valid JSON ({exc.msg})")
                continue
            if not isinstance(item, dict):
                problems.append(f"{where}: expected an object with 'speaker' and 'text'")
            elif item.get("speaker") not in SPEAKERS:
                problems.append(f"{where}: 'speaker' must be 'trainee' or 'patient'")
            elif not isinstance(item.get("text"), str):
                problems.append(f"{where}: 'text' must be a string")
            else:
                turns.append(Turn(item["speaker"], item["text"]))
    if not problems and not any(t.speaker == "trainee" for t in turns):
        problems.append(f"{path}: no trainee turn to report on")
    return turns, problems


def _scenario_facts(scenario_id: str) -> tuple[bool, dict[str, str]]:
    """Harm reduction or not, and ``{line text: risk kind}`` of the scenario's risk lines."""
    from bot.scenario import ScenarioError, load_scenario  # only here: scoring needs no bot

    try:
        scenario = load_scenario(scenario_id)
    except ScenarioError as exc:
        raise UnknownScenario(f"scenario {scenario_id!r}: {exc}") from exc
    listing = getattr(scenario, "risk_disclosures", None)
    if listing is None:
        log.warning("this version of bot.scenario lists no risk lines: no missed-risk notes")
        return scenario.rules.harm_reduction, {}
    lines = {str(text).strip(): str(kind) for text, kind in listing().items()}
    return scenario.rules.harm_reduction, lines


def report_jsonl(
    in_path: Path, out_path: Path, mode: str = "auto", scenario_id: str | None = None
) -> list[str]:
    """Code a transcript and write its report as JSON; return the bad lines (nothing written)."""
    turns, problems = read_transcript(in_path)
    if problems:
        return problems
    harm_reduction, disclosures = _scenario_facts(scenario_id) if scenario_id else (False, {})
    coder = load_coder(mode=mode)
    opening = []
    session: list[SessionTurn] = []
    history: list[Turn] = []
    for turn in turns:
        if turn.speaker == "trainee":
            codings = coder.code_turn(turn.text, history=history)
            session.append(SessionTurn(turn.text, codings))
        elif session:
            last = session[-1]
            reply = f"{last.reply} {turn.text}".strip()
            session[-1] = SessionTurn(last.text, last.codings, reply)
        else:
            opening.append(turn.text)
        history.append(turn)
    report = build_report(
        session,
        opening=" ".join(opening),
        code_turn=coder.code_turn,
        harm_reduction=harm_reduction,
        disclosures=disclosures,
    )
    data = {"scenario": scenario_id, "coder": coder.mode, **report.to_dict()}
    tmp = out_path.with_name(out_path.name + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, out_path)
    log.info("reported %d trainee turns -> %s", len(session), out_path)
    return []


def _read_corrections(parser: argparse.ArgumentParser, paths: list[Path]) -> list[Example]:
    """Examples from every ``--add`` file; bad lines are reported, an unusable file stops."""
    added: list[Example] = []
    for path in paths:
        if not path.is_file():
            parser.error(f"no such corrections file: {path}")
        examples, problems = load_corrections(path)
        for problem in problems:
            log.warning("skipped %s", problem)
        if not examples:
            parser.error(f"{path}: no usable corrections ({len(problems)} bad lines, see above)")
        log.info("adding %d corrections from %s", len(examples), path)
        added.extend(examples)
    return added


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m scoring``."""
    parser = argparse.ArgumentParser(prog="python -m scoring", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p_code = sub.add_parser("code", help="code a CSV of trainee turns (id,text,prev_client_text)")
    p_code.add_argument("input", type=Path)
    p_code.add_argument("output", type=Path)
    p_code.add_argument(
        "--mode",
        choices=MODES,
        default="auto",
        help="auto/model: the trained coder (make coder), never trained here; rules: rules only",
    )
    p_code.add_argument("--batch-size", type=int, default=512)
    p_report = sub.add_parser(
        "report",
        help="the fidelity report of one transcript (JSON lines of speaker and text) as JSON",
    )
    p_report.add_argument("input", type=Path, metavar="IN.jsonl")
    p_report.add_argument("output", type=Path, metavar="OUT.json")
    p_report.add_argument(
        "--scenario", default=None, metavar="ID", help="scenario id: its risk lines and stance"
    )
    p_report.add_argument("--mode", choices=("auto", "model", "rules"), default="auto")
    p_train = sub.add_parser(
        "train", help="fine-tune the encoder and train the heads from corpus/ into models/coder/"
    )
    p_train.add_argument("--out", type=Path, default=None, help="default: models/coder/")
    p_train.add_argument(
        "--epochs",
        type=int,
        default=None,
        help=f"fine-tuning epochs (default {EPOCHS}; 0: packaged encoder as is)",
    )
    p_train.add_argument(
        "--add",
        type=Path,
        action="append",
        default=[],
        metavar="CORRECTIONS.jsonl",
        help="also train on supervisors' corrections exported by the app (repeatable)",
    )
    p_import = sub.add_parser(
        "import-coded",
        help="turn expert-coded transcripts (AnnoMI-full.csv, or the evaluation format) into "
        "a corrections file for `train --add`",
    )
    p_import.add_argument("input", type=Path, metavar="IN.csv")
    p_import.add_argument("output", type=Path, metavar="OUT.jsonl")
    p_import.add_argument(
        "--format",
        choices=("annomi", "eval"),
        default=None,
        help="default: told apart by the header",
    )
    p_import.add_argument(
        "--keep-other",
        action="store_true",
        help="train on AnnoMI's 'other' as the code other (it also holds affirmations, "
        "autonomy and collaboration, which AnnoMI does not code); dropped by default",
    )
    p_calibrate = sub.add_parser(
        "calibrate",
        help="fit scoring/calibration.json on expert-coded sessions (evaluation format)",
    )
    p_calibrate.add_argument(
        "--data", type=Path, default=DEV_SPLIT, help="default: ../shared/eval/ therapist file"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if args.command == "code":
        if not args.input.is_file():
            parser.error(f"no such input file: {args.input}")
        try:
            bad = code_csv(args.input, args.output, args.mode, args.batch_size)
        except CoderUnavailable as exc:
            parser.exit(2, f"python -m scoring code: {exc}\n")
        if bad:
            log.warning("%d bad rows were written with an empty code and the reason", bad)
        return 0
    if args.command == "report":
        if not args.input.is_file():
            parser.error(f"no such input file: {args.input}")
        try:
            problems = report_jsonl(args.input, args.output, args.mode, args.scenario)
        except UnknownScenario as exc:
            parser.error(str(exc))
        except CoderUnavailable as exc:
            parser.exit(2, f"python -m scoring report: {exc}\n")
        if problems:
            for problem in problems:
                print(problem, file=sys.stderr)
            print(f"{len(problems)} bad lines: nothing written", file=sys.stderr)
            return 2
        return 0
    if args.command == "import-coded":
        return _import_coded(parser, args)
    if args.command == "calibrate":
        return _calibrate(parser, args)
    return _train(parser, args)


def _import_coded(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """``python -m scoring import-coded``: malformed input is refused and nothing written."""
    from scoring.training.coded import CodedFileError, import_coded

    if not args.input.is_file():
        parser.error(f"no such input file: {args.input}")
    try:
        result = import_coded(args.input, args.output, args.format, args.keep_other)
    except CodedFileError as exc:
        parser.exit(1, f"{exc}\nnothing written to {args.output}\n")
    codes = ", ".join(f"{code} {n}" for code, n in sorted(result.per_code.items()))
    dropped = ", ".join(f"{why} {n}" for why, n in sorted(result.dropped.items())) or "none"
    print(f"wrote {len(result.records)} coded utterances to {args.output} ({codes})")
    print(f"dropped: {dropped}")
    print(f"train with: make coder CODER_ADD={args.output}")
    return 0


def _calibrate(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """``python -m scoring calibrate``: refit the committed calibration."""
    from scoring.training.calibrate import calibrate

    if not args.data.is_file():
        parser.error(f"no such file: {args.data} (the expert-coded sessions to calibrate on)")
    try:
        result = calibrate(args.data)
    except CoderUnavailable as exc:
        parser.exit(1, f"{exc}\n")
    held_out = result["provenance"]["cv_held_out"]
    print(f"pressure_min {result['pressure_min']}; held out: {json.dumps(held_out)}")
    print("wrote scoring/calibration.json (commit it)")
    return 0


def _train(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """``python -m scoring train``: the only command that trains the coder."""
    from scoring.training.train import train

    epochs = EPOCHS if args.epochs is None else args.epochs
    if epochs < 0:
        parser.error("--epochs must be 0 or more")
    added = _read_corrections(parser, args.add)
    head = train(out_dir=args.out, progress=True, epochs=epochs, added=added)
    meta = head.meta
    print(f"trained head on {meta['training_examples']} examples -> {args.out or 'models/coder/'}")
    return 0
