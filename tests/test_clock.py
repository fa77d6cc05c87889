"""The project clock at the UTC/Beijing day boundary: 15:30 UTC is 23:30 in Beijing (the
same day), 16:30 UTC is 00:30 the next day; every date a page or a print shows is the local one."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from election import clock
from election.address import is_loopback, public_url, receipt_check_url

LATE_EVENING = datetime(2026, 11, 29, 15, 30, tzinfo=UTC)  # 23:30 on the 29th in Beijing
AFTER_MIDNIGHT = datetime(2026, 11, 29, 16, 30, tzinfo=UTC)  # 00:30 on the 30th in Beijing


@pytest.fixture(autouse=True)
def _beijing(monkeypatch):
    monkeypatch.delenv("JUXUAN_TIMEZONE", raising=False)


@pytest.mark.parametrize(("moment", "day"), [(LATE_EVENING, date(2026, 11, 29)), (AFTER_MIDNIGHT, date(2026, 11, 30))])
def test_today_is_the_local_day_of_the_project_clock(monkeypatch, moment, day) -> None:
    monkeypatch.setattr(clock, "now", lambda: moment)
    assert clock.today() == day
    assert clock.local_date(moment) == day
    assert clock.cn_date(moment) == f"{day.year}年{day.month}月{day.day}日"


def test_a_naive_moment_is_utc_and_a_date_prints_as_it_is() -> None:
    assert clock.cn_date(datetime(2026, 11, 29, 16, 30)) == "2026年11月30日"
    assert clock.cn_date(date(2027, 1, 5)) == "2027年1月5日"  # no leading zeros, as notices are written


def test_event_stamps_read_in_local_time() -> None:
    assert clock.local_stamp("2026-11-29T16:30:00") == "2026-11-30 00:30:00"
    assert clock.local_stamp("2026-11-29T15:30:00", "%H:%M") == "23:30"


def test_another_zone_moves_the_boundary(monkeypatch) -> None:
    monkeypatch.setenv("JUXUAN_TIMEZONE", "Asia/Urumqi")  # UTC+6: 16:30 UTC is still the 29th
    assert clock.cn_date(AFTER_MIDNIGHT) == "2026年11月29日"


def test_public_address_from_host_and_port() -> None:
    assert public_url("0.0.0.0", 5001, lan="192.168.1.20") == "http://192.168.1.20:5001"
    assert public_url("10.0.0.7", "8000") == "http://10.0.0.7:8000"
    assert receipt_check_url("http://192.168.1.20:5001/") == "http://192.168.1.20:5001/r"
    for url in ("http://127.0.0.1:5000/r", "http://localhost:5000", "http://[::1]:5000/r", "127.0.0.2"):
        assert is_loopback(url), url
    for url in ("http://192.168.1.20:5001/r", "https://juxuan.example.gov.cn/r"):
        assert not is_loopback(url), url
