"""Local time for people, UTC for records.

Every moment is stored in UTC (models.base.utcnow) and the ledger's hour stamps are UTC
hours (protocol.chain.hour_stamp). People read the committee's local time: pages, Excel
exports, notices and "today" (deadlines, the date printed on a notice) use the zone named by
JUXUAN_TIMEZONE, Asia/Shanghai unless set. China has no daylight saving and a whole-hour
offset, so a UTC hour stamp is exactly one local hour.

The project's clock is ``now()``: every stored moment and every "today" comes from it, never
from ``datetime.now()`` elsewhere. It can be pinned (``pin``) to another moment from which it
runs on: the test suite pins it so that no test depends on the machine's date or zone, and a
committee can rehearse polling day before the day with ``JUXUAN_CLOCK_AT`` (an ISO moment
with its offset, e.g. ``2026-06-15T23:30+08:00``) set for the rehearsal instance only.
"""
from __future__ import annotations

import os
from datetime import date, datetime, timedelta, timezone
from functools import cache
from zoneinfo import ZoneInfo

DEFAULT_ZONE = "Asia/Shanghai"
PIN_VARIABLE = "JUXUAN_CLOCK_AT"

# How far the project's clock runs ahead of (or behind) the machine's: zero unless pinned.
_offset = timedelta(0)


def pin(moment: datetime | None) -> None:
    """Make ``now()`` read ``moment`` at this instant and run on from it; ``None`` unpins.
    A naive moment is a local one (the committee's zone)."""
    global _offset
    if moment is None:
        _offset = timedelta(0)
        return
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone())
    _offset = moment - datetime.now(timezone.utc)


def now() -> datetime:
    """The project clock: this moment, aware, in UTC. Every record's time and every "today"
    comes from here; tests pin it (or monkeypatch this function) and never read the
    machine's date."""
    return datetime.now(timezone.utc) + _offset


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def zone() -> ZoneInfo:
    """The committee's time zone."""
    return _zone(os.environ.get("JUXUAN_TIMEZONE") or DEFAULT_ZONE)


def local(moment: datetime) -> datetime:
    """A stored moment in local time (a naive value is a UTC one, as SQLite returns it)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(zone())


def local_hour(stamp: str) -> datetime:
    """The local start of a UTC hour stamp (``2026-11-23T01`` -> 09:00 in Beijing)."""
    return local(datetime.strptime(stamp, "%Y-%m-%dT%H").replace(tzinfo=timezone.utc))


def today() -> date:
    """Today's date where the committee is."""
    return now().astimezone(zone()).date()


def local_date(moment: datetime) -> date:
    """The local calendar date of a stored moment: a result published at 16:30 UTC on the
    29th was published on the 30th in Beijing, and its notice says the 30th."""
    return local(moment).date()


def local_stamp(stamp: str, fmt: str = "%Y-%m-%d %H:%M:%S") -> str:
    """An event's UTC stamp (``2026-11-29T16:30:00``, as the ledger writes it) in local time."""
    moment = datetime.fromisoformat(stamp)
    return local(moment).strftime(fmt)


def cn_date(day: date | datetime) -> str:
    """A date as printed on every notice, report and certificate: ``2026年11月30日``.

    A moment is first turned into the local date (never the UTC one)."""
    if isinstance(day, datetime):
        day = local_date(day)
    return f"{day.year}年{day.month}月{day.day}日"


def _pin_from_environment() -> None:
    value = os.environ.get(PIN_VARIABLE)
    if value:
        pin(datetime.fromisoformat(value))


_pin_from_environment()
