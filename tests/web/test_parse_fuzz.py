"""Typed form fields (election.web.parse), fuzzed: any text gives the value or the page's
UserError, quickly. Found: a risk limit typed as ``1e99999999`` made Fraction build a
hundred-million-digit integer (a request held for minutes); it is now read as the rulebook
reads a share."""
from __future__ import annotations

import time
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from election.errors import UserError
from election.web import parse

NUMBERS = st.sampled_from(list("0123456789eE+-./_ ")).map(str)
typed = st.one_of(st.text(max_size=40), st.text(NUMBERS, max_size=40),
                  st.builds(lambda d, e: f"{d}e{e}", st.integers(0, 9), st.integers(-10**12, 10**12)))


@pytest.mark.parametrize("text", ["1e99999999", "1E+99999999", "-1e-99999999", "1/1e9"])
def test_a_huge_exponent_is_refused_at_once(text: str) -> None:
    started = time.monotonic()
    with pytest.raises(UserError, match="风险上限"):
        parse.fraction(text, "风险上限无效")
    assert time.monotonic() - started < 0.5


def test_the_usual_forms_still_read() -> None:
    assert parse.fraction(" 1/20 ", "m") == parse.fraction("0.05", "m") == parse.fraction("5e-2", "m") == Fraction(1, 20)
    assert parse.fraction("  ", "m") is None


@settings(max_examples=300, deadline=None, database=None)
@given(typed)
def test_any_typed_text_is_a_value_or_the_pages_message(text: str) -> None:
    for read in (lambda: parse.integer(text, "m"), lambda: parse.optional_integer(text, "m"),
                 lambda: parse.iso_date(text, "m"), lambda: parse.fraction(text, "m"),
                 lambda: parse.json_document(text.encode("utf-8", "surrogatepass"))):
        started = time.monotonic()
        try:
            read()
        except UserError as error:
            assert error.messages == ["m"]
        assert time.monotonic() - started < 0.5
