"""Local time for people, UTC for records.

Every moment is stored in UTC (models.base.utcnow) and the ledger's hour stamps are UTC
hours (protocol.chain.hour_stamp). People read the committee's local time: pages, Excel
exports, notices and "today" (deadlines, the date printed on a notice) use the zone named by
JUXUAN_TIMEZONE, Asia/Shanghai unless set. China has no daylight saving and a whole-hour
offset, so a UTC hour stamp is exactly one local hour.
"""
from __future__ import annotations

import os
from datetime import date, datetime, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

DEFAULT_ZONE = "Asia/Shanghai"


@lru_cache(maxsize=None)
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
    return datetime.now(zone()).date()
