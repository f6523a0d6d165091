"""Context and training details: backchannel patient turns, MITI tie-breaks, training units."""

from __future__ import annotations

from scoring import Turn
from scoring.codes import dominant_code, when_in_doubt
from scoring.corpus import Example
from scoring.rules import Context, context_from_history, features, says_something
from scoring.segment import get_nlp
from scoring.training.train import training_units


def _feats(text: str, prev: str) -> dict[str, float]:
    return features(get_nlp().make_doc(text), Context(prev_client=prev))


def test_backchannels_say_nothing_to_reflect() -> None:
    assert not says_something("Yeah.")
    assert not says_something("Mm-hmm, right.")
    assert says_something("I drink most nights after work.")


def test_a_backchannel_patient_turn_gives_no_overlap_evidence() -> None:
    after_backchannel = _feats("You drink most nights after work.", "Yeah.")
    after_content = _feats("You drink most nights after work.", "I drink most nights after work.")
    assert after_backchannel["has_prev"] == 0.0 and after_backchannel["overlap"] == 0.0
    assert after_content["has_prev"] == 1.0 and after_content["overlap"] == 1.0


def test_overlap_sees_other_forms_of_the_patients_words() -> None:
    feats = _feats("So the drinks help you relax.", "Drinking is how I get relaxed.")
    assert feats["overlap"] > 0.5


def test_history_skips_a_trailing_backchannel() -> None:
    history = [
        Turn("patient", "I drink most nights after work."),
        Turn("trainee", "Most nights."),
        Turn("patient", "Yeah."),
    ]
    assert context_from_history(history).prev_client == "I drink most nights after work."
    only_backchannel = [Turn("patient", "Yeah.")]
    assert context_from_history(only_backchannel).prev_client == "Yeah."


def test_in_doubt_simple_beats_complex_but_a_clear_complex_stays() -> None:
    close = {"reflection_complex": 0.5, "reflection_simple": 0.4}
    assert when_in_doubt("reflection_complex", close) == "reflection_simple"
    clear = {"reflection_complex": 0.9, "reflection_simple": 0.05}
    assert when_in_doubt("reflection_complex", clear) == "reflection_complex"
    assert when_in_doubt("question_open", clear) == "question_open"


def test_in_doubt_a_question_or_simple_reflection_beats_an_adherent_code() -> None:
    # MITI 4.2.1: "Question/Simple reflection over an adherent code"; the closest one wins.
    close = {"affirm": 0.45, "reflection_simple": 0.35, "question_closed": 0.2}
    assert when_in_doubt("affirm", close) == "reflection_simple"
    close = {"seeking_collaboration": 0.5, "question_open": 0.4, "reflection_simple": 0.1}
    assert when_in_doubt("seeking_collaboration", close) == "question_open"
    # Seek over Emphasize Autonomy still holds, and a clear affirmation stays one.
    autonomy = {"emphasizing_autonomy": 0.5, "seeking_collaboration": 0.4, "question_open": 0.1}
    assert when_in_doubt("emphasizing_autonomy", autonomy) == "seeking_collaboration"
    clear = {"affirm": 0.8, "reflection_simple": 0.15, "question_open": 0.05}
    assert when_in_doubt("affirm", clear) == "affirm"


def test_turn_label_is_one_of_the_unit_codes() -> None:
    # Summed probabilities favour a question, but no unit was coded a question.
    first = {"reflection_simple": 0.4, "question_open": 0.35, "reflection_complex": 0.25}
    second = {"reflection_complex": 0.4, "question_open": 0.35, "reflection_simple": 0.25}
    units = [("reflection_simple", 6, first), ("reflection_complex", 6, second)]
    assert dominant_code(units) == "reflection_complex"  # tie: MITI priority
    mixed = [("reflection_complex", 12, {}), ("question_open", 4, {}), ("other", 1, {})]
    assert dominant_code(mixed) == "reflection_complex"


def test_training_units_are_read_like_the_coder_reads_a_turn() -> None:
    turn = Example(
        "Okay. So you drink most nights. And it helps you unwind.",
        "reflection_simple",
        "I drink most nights, it helps me unwind.",
        "general_alcohol",
    )
    units, codes = training_units([turn])
    # "Okay." is settled by the rules and never reaches the head.
    assert [u.text for u in units] == ["So you drink most nights.", "And it helps you unwind."]
    assert codes == ["reflection_simple", "reflection_simple"]
