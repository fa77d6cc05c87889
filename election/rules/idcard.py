"""公民身份号码 (GB 11643-1999): check digit, birth date, sex, and masking for display.

Only the 18-digit form is accepted: 15-digit numbers were replaced before 2013 and a roll
is built from current cards.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from operator import mul
from typing import NamedTuple

WEIGHTS: tuple[int, ...] = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
_ZERO_WEIGHT = ord("0") * sum(WEIGHTS)
_SHAPE = re.compile(r"^\d{17}[\dX]$")


class IdCardError(ValueError):
    """An ID number that cannot be accepted; `code` is stable, the message is Chinese."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class IdCard(NamedTuple):
    # A named tuple rather than a frozen dataclass: a roll import parses 100,000 of them, and
    # a frozen dataclass sets each field through object.__setattr__ (four times the cost).
    number: str
    region: str
    birth_date: dt.date
    sex: str  # "男" or "女"


_WIDE = str.maketrans("０１２３４５６７８９ｘＸ", "0123456789XX")
_CLEAN = re.compile(r"[0-9]{17}[0-9X]", re.ASCII)


def normalize(raw: str) -> str:
    """Strip blanks and full-width forms; lower-case x becomes X."""
    if type(raw) is str and _CLEAN.fullmatch(raw):
        return raw  # already in shape (nearly every number of a roll): nothing to change
    return "".join(str(raw).split()).translate(_WIDE).upper()


def check_digit(first17: str) -> str:
    """The 18th character for the first 17 digits (weights 7 9 10 ..., mod 11)."""
    # The digits' ASCII codes weighed (no int() per digit), less what the code of "0" adds.
    total = sum(map(mul, first17.encode("ascii"), WEIGHTS)) - _ZERO_WEIGHT
    return CHECK_CHARS[total % 11]


def parse(raw: str, today: dt.date | None = None) -> IdCard:
    """Parse and validate an ID number; raises IdCardError with a Chinese message."""
    number = normalize(raw)
    if not _SHAPE.match(number):
        raise IdCardError(
            "id_format",
            f"公民身份号码应为18位（前17位为数字，末位为数字或X），实际为{len(number)}位",
        )
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise IdCardError(
            "id_birth_date", f"公民身份号码中的出生日期{number[6:14]}不是真实存在的日期"
        ) from None
    if today is not None and birth > today:
        raise IdCardError(
            "id_birth_date", f"公民身份号码中的出生日期{birth.isoformat()}晚于今天"
        )
    if birth.year < 1880:
        raise IdCardError("id_birth_date", f"公民身份号码中的出生日期{birth.isoformat()}不可能")
    expected = check_digit(number[:17])
    if number[17] != expected:
        raise IdCardError(
            "id_checksum", "公民身份号码校验码错误（GB 11643-1999），请核对号码是否抄错"
        )
    return IdCard(number, number[:6], birth, "男" if number[16] in "13579" else "女")


def mask_id(number: str) -> str:
    """Keep the first 4 and last 4 characters: 3201**********123X."""
    n = normalize(number)
    if len(n) <= 8:
        return "*" * len(n)
    return n[:4] + "*" * (len(n) - 8) + n[-4:]


def mask_ids(numbers: Iterable[str]) -> list[str]:
    """mask_id of each number, those already in shape (as parse gives them) without a call each."""
    return [f"{n[:4]}**********{n[14:]}" if _CLEAN.fullmatch(n) else mask_id(n) for n in numbers]


def mask_phone(phone: str) -> str:
    """138****5678 for a mobile; for other numbers keep the first 3 and last 4."""
    p = "".join(str(phone).split())
    if len(p) <= 7:
        return "*" * len(p)
    return p[:3] + "*" * (len(p) - 7) + p[-4:]
