"""Importing expert-coded transcripts: label mapping, majority vote, refusal of bad files."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from scoring.cli import main
from scoring.corpus import load_corrections
from scoring.training.coded import CodedFileError, import_coded, majority

ANNOMI_HEADER = (
    "mi_quality,transcript_id,video_title,video_url,topic,utterance_id,interlocutor,timestamp,"
    "utterance_text,annotator_id,therapist_input_exists,therapist_input_subtype,"
    "reflection_exists,reflection_subtype,question_exists,question_subtype,"
    "main_therapist_behaviour,client_talk_type"
)


def _annomi_row(
    transcript: int,
    utterance: int,
    who: str,
    text: str,
    main: str = "n/a",
    sub: str = "n/a",
    annotator: int = 1,
) -> list[str]:
    column = {"question": 15, "reflection": 13, "therapist_input": 11}.get(main)
    row = ["high", str(transcript), "a title", "http://example.org", "smoking", str(utterance)]
    row += [who, "00:00:01", text, str(annotator)] + ["n/a"] * 6 + [main, "n/a"]
    if column is not None:
        row[column] = sub
    return row


def _write_csv(path: Path, header: str, rows: list[list[str]]) -> Path:
    out = io.StringIO()
    out.write(header + "\n")
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_annomi_labels_map_to_miti_codes_with_the_patient_turn_before(tmp_path: Path) -> None:
    rows = [
        _annomi_row(7, 0, "therapist", "What would you like to talk about?", "question", "open"),
        _annomi_row(7, 1, "client", "My smoking, I guess, it costs a fortune."),
        _annomi_row(7, 2, "therapist", "The money worries you.", "reflection", "complex"),
        _annomi_row(7, 3, "client", "Yeah."),
        _annomi_row(
            7, 4, "therapist", "Most people who quit save a lot.", "therapist_input", "information"
        ),
        _annomi_row(7, 5, "therapist", "Do you smoke at work?", "question", "closed"),
        _annomi_row(7, 6, "therapist", "You could set a quit date.", "therapist_input", "advice"),
        _annomi_row(7, 7, "therapist", "Can I suggest something?", "question", "closed"),
        _annomi_row(7, 8, "client", "Sure, go ahead."),
        _annomi_row(7, 9, "therapist", "You could set a quit date.", "therapist_input", "advice"),
        _annomi_row(7, 10, "therapist", "Mm-hmm. Great to hear.", "other"),
        _annomi_row(7, 11, "therapist", "One choice is patches.", "therapist_input", "options"),
        _annomi_row(
            7, 12, "therapist", "Shall we plan the week?", "therapist_input", "negotiation"
        ),
    ]
    src = _write_csv(tmp_path / "AnnoMI-full.csv", ANNOMI_HEADER, rows)
    out = tmp_path / "out.jsonl"

    result = import_coded(src, out)

    lines = _lines(out)
    assert [(r["utterance_id"], r["code"]) for r in lines] == [
        (0, "question_open"),
        (2, "reflection_complex"),
        (4, "giving_information"),
        (5, "question_closed"),
        (6, "persuade"),  # no permission asked
        (7, "question_closed"),
        (9, "persuade_with_permission"),  # permission asked and granted
    ]
    assert lines[0]["prev"] == ""
    # After a backchannel the coder reads the patient turn before it, as in a session.
    assert lines[2]["prev"] == "My smoking, I guess, it costs a fortune."
    assert result.dropped == {"other": 1, "options": 1, "negotiation": 1}
    examples, problems = load_corrections(out)
    assert problems == [] and len(examples) == len(lines)


def test_keep_other_trains_annomi_other_as_other(tmp_path: Path) -> None:
    rows = [_annomi_row(1, 0, "therapist", "Okay, let's get started then.", "other")]
    src = _write_csv(tmp_path / "a.csv", ANNOMI_HEADER, rows)
    import_coded(src, tmp_path / "out.jsonl", keep_other=True)
    assert [r["code"] for r in _lines(tmp_path / "out.jsonl")] == ["other"]


def test_annotators_are_resolved_by_majority_and_miti_tie_rules(tmp_path: Path) -> None:
    said = "So it has been hard."
    rows = [
        # three annotators: majority complex
        _annomi_row(1, 0, "therapist", said, "reflection", "complex", annotator=1),
        _annomi_row(1, 0, "therapist", said, "reflection", "complex", annotator=2),
        _annomi_row(1, 0, "therapist", said, "reflection", "simple", annotator=3),
        # two annotators, simple against complex: MITI's "when in doubt" says simple
        _annomi_row(1, 1, "therapist", said, "reflection", "complex", annotator=1),
        _annomi_row(1, 1, "therapist", said, "reflection", "simple", annotator=2),
        # question against reflection: no rule settles it, the utterance is dropped
        _annomi_row(1, 2, "therapist", said, "reflection", "simple", annotator=1),
        _annomi_row(1, 2, "therapist", said, "question", "closed", annotator=2),
    ]
    src = _write_csv(tmp_path / "a.csv", ANNOMI_HEADER, rows)
    result = import_coded(src, tmp_path / "out.jsonl")
    assert [r["code"] for r in result.records] == ["reflection_complex", "reflection_simple"]
    assert result.dropped == {"annotators tied": 1}
    assert majority(["giving_information", "advice"]) == "giving_information"


EVAL_HEADER = "transcript_id,utterance_id,mi_quality,topic,text,prev_client_text,label,strict"


def test_the_evaluation_format_is_imported(tmp_path: Path) -> None:
    rows = [
        ["3", "0", "high", "diet", "How are the meals going?", "", "open_question", "True"],
        [
            "3",
            "2",
            "high",
            "diet",
            "Breakfast is the hard one.",
            "I skip breakfast a lot.",
            "simple_reflection",
            "True",
        ],
        ["3", "4", "high", "diet", "We could look at options.", "Ok.", "other", "False"],
        [
            "3",
            "6",
            "high",
            "diet",
            "You need to eat breakfast.",
            "Ok.",
            "advice_or_persuasion",
            "True",
        ],
        ["3", "8", "high", "diet", "Right.", "Fine.", "other", "True"],
    ]
    src = _write_csv(tmp_path / "dev.csv", EVAL_HEADER, rows)
    assert main(["import-coded", str(src), str(tmp_path / "out.jsonl")]) == 0
    lines = _lines(tmp_path / "out.jsonl")
    assert [(r["code"], r["prev"]) for r in lines] == [
        ("question_open", ""),
        ("reflection_simple", "I skip breakfast a lot."),
        ("persuade", "I skip breakfast a lot."),  # "Ok." is a backchannel: the turn before
    ]


@pytest.mark.parametrize(
    ("header", "rows", "message"),
    [
        (ANNOMI_HEADER.replace("utterance_text", "words"), [], "in.csv:1: header is neither"),
        (
            ANNOMI_HEADER.replace(",question_subtype", ""),
            [],
            "in.csv:1: missing column(s) question_subtype",
        ),
        (
            ANNOMI_HEADER,
            [
                _annomi_row(1, 0, "therapist", "Fine.", "question", "open"),
                _annomi_row(1, 1, "therapist", "How so?", "question", "n/a"),
            ],
            "in.csv:3: question needs question_subtype in open, closed, got 'n/a'",
        ),
        (
            ANNOMI_HEADER,
            [_annomi_row(1, 0, "counsellor", "Hello.", "other")],
            "in.csv:2: interlocutor must be therapist or client",
        ),
        (
            ANNOMI_HEADER,
            [_annomi_row(1, 0, "therapist", "Hi.", "other"), ["too", "short"]],
            "in.csv:3: the row does not have the header's fields",
        ),
        (
            ANNOMI_HEADER,
            [_annomi_row(1, 0, "therapist", "How so?", "question", "open")] * 2,
            "in.csv:3: annotator '1' coded this utterance twice",
        ),
        (
            EVAL_HEADER,
            [["1", "x", "high", "t", "Hi.", "", "other", "True"]],
            "in.csv:2: utterance_id must be a whole number",
        ),
        (
            EVAL_HEADER,
            [["1", "0", "high", "t", "Hi.", "", "praise", "True"]],
            "in.csv:2: label must be one of",
        ),
    ],
)
def test_malformed_files_are_refused_with_file_and_line_and_nothing_is_written(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    header: str,
    rows: list[list[str]],
    message: str,
) -> None:
    src = _write_csv(tmp_path / "in.csv", header, rows)
    out = tmp_path / "out.jsonl"
    out.write_text("earlier content\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        main(["import-coded", str(src), str(out)])
    assert exit_info.value.code == 1
    assert message in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == "earlier content\n"  # untouched
    assert [p.name for p in tmp_path.iterdir()] != [] and not list(tmp_path.glob(".out*"))


def test_a_file_with_nothing_mappable_is_refused(tmp_path: Path) -> None:
    src = _write_csv(
        tmp_path / "in.csv", ANNOMI_HEADER, [_annomi_row(1, 0, "therapist", "Hm.", "other")]
    )
    with pytest.raises(CodedFileError, match="no therapist utterance could be mapped"):
        import_coded(src, tmp_path / "out.jsonl")
    assert not (tmp_path / "out.jsonl").exists()


def test_a_file_that_is_not_utf8_is_refused_with_its_line(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_bytes((ANNOMI_HEADER + "\n").encode() + b"high,1,t,u,x,0,therapist,0,caf\xe9\n")
    with pytest.raises(CodedFileError, match=r"in.csv:2: not UTF-8"):
        import_coded(src, tmp_path / "out.jsonl")
    assert not (tmp_path / "out.jsonl").exists()
