"""The coder on bad input: every message in the table, and any text at all, gets valid codes."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring import CODES, Turn
from scoring.coder import Coder
from tests.bad_input.cases import MESSAGES

HISTORY = [Turn("patient", "I don't really know why I'm here."), Turn("trainee", "Okay.")]
# database=None: no .hypothesis/ directory left in the work tree.
PROPERTY = settings(
    max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)


def assert_valid(codings: list) -> None:
    assert codings, "every turn gets at least one coding"
    for coding in codings:
        assert coding.code in CODES
        assert 0.0 <= coding.confidence <= 1.0
        assert coding.reason


@pytest.mark.parametrize("name", sorted(n for n in MESSAGES if n != "lone_surrogate"))
def test_every_message_in_the_table_is_coded(coder: Coder, name: str) -> None:
    assert_valid(coder.code_turn(MESSAGES[name][0], history=HISTORY))


def test_a_lone_surrogate_is_coded(coder: Coder) -> None:
    assert_valid(coder.code_turn(MESSAGES["lone_surrogate"][0], history=HISTORY))


@PROPERTY
@given(st.text(max_size=400))
def test_any_text_is_coded_with_known_codes(coder: Coder, text: str) -> None:
    assert_valid(coder.code_turn(text, history=HISTORY))


@PROPERTY
@given(
    st.text(max_size=200),
    st.lists(
        st.builds(Turn, st.sampled_from(["trainee", "patient"]), st.text(max_size=80)),
        max_size=6,
    ),
)
def test_any_history_is_accepted(coder: Coder, text: str, history: list[Turn]) -> None:
    assert_valid(coder.code_turn(text, history=history))
