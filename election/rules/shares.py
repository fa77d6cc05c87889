"""Shares of a whole (1/2, 2/3, 1/5 of the voters, of those present, of the votes cast).

A share is a Fraction; it is written as "p/q" (never through float, "1/1" stays "1/1") in every
message, ledger payload, bundle file and page; "at least" is ≥ and "more than" is >, both
compared exactly in integers."""
from __future__ import annotations

from fractions import Fraction


def share_text(share: Fraction) -> str:
    """The share as "p/q" text, as messages and published files write it."""
    return f"{share.numerator}/{share.denominator}"


def at_least(part: int, whole: int, share: Fraction) -> bool:
    """part ≥ whole · share, exactly."""
    return part * share.denominator >= whole * share.numerator


def more_than(part: int, whole: int, share: Fraction) -> bool:
    """part > whole · share, exactly."""
    return part * share.denominator > whole * share.numerator


def needed_at_least(whole: int, share: Fraction) -> int:
    """The smallest count that is at least ``share`` of ``whole``."""
    return -(-whole * share.numerator // share.denominator)


def needed_more_than(whole: int, share: Fraction) -> int:
    """The smallest count that is more than ``share`` of ``whole``."""
    return whole * share.numerator // share.denominator + 1
