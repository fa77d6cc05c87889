"""The running tally the watchers' pages poll (every 2 s from each screen), kept per round
and ledger position so that a poll costs one index lookup instead of a recount.

Every change that can move the running tally (a paper counted, a second entry resolved, a
record voided, a name corrected) appends an event to the election's ledger in the same
transaction, so the ledger's last sequence number (UNIQUE (election_id, seq): an index
lookup) says whether the tally of this process is still the tally of the database.
A poll that finds it unchanged answers from memory, with the JSON it sends already written
and an ETag (the ledger position) that lets a browser's poll be answered 304 without a body;
the first poll after a change counts once (each app process keeps its own copy; nothing is
shared or written).
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

import orjson
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import Election, ElectionEvent
from .result import running_tally

_KEEP = 64  # rounds kept per process (least recently polled dropped first)


@dataclass(frozen=True)
class Live:
    """The running tally of a round at one ledger position: as data, as the JSON the poll
    sends, and the ETag naming that position."""

    data: dict
    body: bytes
    etag: str


_cache: OrderedDict[tuple, Live] = OrderedDict()
_lock = threading.Lock()


def _position(db: Session, election: Election) -> int:
    """The last ledger sequence number of the election (an index lookup, whatever the count)."""
    return int(db.scalar(select(func.max(ElectionEvent.seq)).where(ElectionEvent.election_id == election.id)) or 0)


def live_tally(db: Session, election: Election, round_number: int) -> dict:
    """``running_tally`` of the round, recounted only when the ledger moved since the last poll."""
    return live_state(db, election, round_number).data


def live_state(db: Session, election: Election, round_number: int) -> Live:
    """The round's running tally with its JSON and ETag, recounted only when the ledger moved."""
    key = (election.uid, round_number, _position(db, election))
    with _lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
            return hit
    data = running_tally(db, election, round_number)
    live = Live(data, orjson.dumps(data), f"{key[0]}-{round_number}-{key[2]}")
    with _lock:
        _cache[key] = live
        _cache.move_to_end(key)
        while len(_cache) > _KEEP:
            _cache.popitem(last=False)
    return live
