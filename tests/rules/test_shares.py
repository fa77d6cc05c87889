"""A share is written "p/q" everywhere and compared exactly in integers."""
from __future__ import annotations

from fractions import Fraction

from election.rules.shares import at_least, more_than, needed_at_least, needed_more_than, share_text


def test_share_text_is_numerator_slash_denominator_even_for_whole_numbers() -> None:
    assert share_text(Fraction(1, 2)) == "1/2"
    assert share_text(Fraction(4, 6)) == "2/3"
    assert share_text(Fraction(1)) == "1/1"
    assert share_text(Fraction("0.05")) == "1/20"


def test_at_least_and_more_than_at_the_edge() -> None:
    half = Fraction(1, 2)
    assert at_least(5, 10, half) and not more_than(5, 10, half)
    assert more_than(6, 10, half)
    assert needed_at_least(10, half) == 5 and needed_more_than(10, half) == 6
    assert needed_at_least(11, Fraction(1, 5)) == 3 and needed_more_than(9, Fraction(2, 3)) == 7
