"""公民身份号码 GB 11643-1999: check digit, birth date, sex, masking."""

import datetime as dt

import pytest

from election.rules import idcard
from tests.factories import with_check_digit


def test_check_digit_gb11643_published_example() -> None:
    """GB 11643-1999 annex example 11010519491231002X."""
    assert idcard.check_digit("11010519491231002") == "X"
    card = idcard.parse("11010519491231002x")
    assert card.number.endswith("X")
    assert card.birth_date == dt.date(1949, 12, 31)
    assert card.sex == "女"  # 17th digit 2 is even


def test_sex_from_17th_digit_odd_is_male() -> None:
    assert idcard.parse(with_check_digit("32010219900101123")).sex == "男"
    assert idcard.parse(with_check_digit("32010219900101124")).sex == "女"


def test_bad_check_digit_refused() -> None:
    good = with_check_digit("32010219900101123")
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    with pytest.raises(idcard.IdCardError) as e:
        idcard.parse(bad)
    assert e.value.code == "id_checksum" and "校验码" in str(e.value)


@pytest.mark.parametrize("raw", ["1234", "32010219900101123", "3201021990010112345", "32010219900101A23X"])
def test_wrong_length_or_characters(raw: str) -> None:
    with pytest.raises(idcard.IdCardError) as e:
        idcard.parse(raw)
    assert e.value.code == "id_format"


def test_impossible_and_future_birth_dates() -> None:
    with pytest.raises(idcard.IdCardError) as e:
        idcard.parse(with_check_digit("32010219900230123"))
    assert e.value.code == "id_birth_date" and "19900230" in str(e.value)
    with pytest.raises(idcard.IdCardError) as e:
        idcard.parse(with_check_digit("32010220300101123"), today=dt.date(2026, 1, 1))
    assert e.value.code == "id_birth_date"


def test_masking() -> None:
    assert idcard.mask_id("32010219900101123X") == "3201**********123X"
    assert idcard.mask_phone("13812345678") == "138****5678"
