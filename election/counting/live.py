"""The running tally the watchers' pages poll (every 2 s from each screen), kept per round
so that a poll costs an index lookup, and a poll after a paper was entered counts only the
papers entered since.

Every change that can move the running tally (a paper counted, a second entry resolved, a
record voided, a name corrected) appends an event to the election's ledger in the same
transaction, so the ledger's last sequence number (UNIQUE (election_id, seq): an index
lookup) says whether the tally of this process is still the tally of the database.

A poll reads the ledger's events after the kept position (an index range: no row, or a few).

- None: the answer kept in memory, with the JSON it sends already written and an ETag
  that lets a browser's poll be answered 304 without a body (1 statement).
- Events that cannot move the running tally (a second entry recorded, the board entered,
  a scan read...): the same answer and ETag (1 statement).
- Papers counted (``counting.paper_counted`` names the round and the box, never the
  paper): the D's of those boxes' counted records are compared with the D's this process
  has counted, the marks of the new ones fetched and counted, and their counts added to
  the kept counts (3 statements, 4 with a new write-in's name; the work is that of the
  boxes named, not of the whole round).
- Anything else (a second entry resolved, a box counted by the simulation, a round, name
  or rule changed, a record missing from what was counted): a full recount, as the first
  poll of a process does.

Records carry no receipt, voter, desk or time (counting/service.py), so "the
papers entered since" is found by set difference on D, box by box. Each app process keeps
its own copy (nothing is shared or written); the answer always equals a full recount of
what is committed (tests/counting/test_live_tally.py, on SQLite and PostgreSQL).
"""
from __future__ import annotations

import threading
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, replace

import orjson
from sqlalchemy import Text, cast, func, select
from sqlalchemy.orm import Session

from ..bulk import gc_paused, shared
from ..models import AuditCode, BallotBox, Election, ElectionEvent
from ..protocol import event_kinds as ek
from ..rules.tally_count import Counts
from ..rules.tally_types import Paper, TallyInput, TallyInputError
from .result import RunningSheet, add_written_in, build_input, paper_maker, running_counts, running_view
from .service import ballot_of

_KEEP = 16  # rounds kept per process (least recently polled dropped first)

# Events that cannot move a round's running tally: the records, the round, the candidates
# and their names stay as they were (a paper recorded by a scan batch or a confirmed scan
# has its own counting.paper_counted).
NEUTRAL = frozenset({
    ek.COUNTING_STAFF_APPOINTED, ek.COUNTING_BOX_MIXED, ek.COUNTING_DOUBTFUL_PAPER_DECIDED,
    ek.COUNTING_SECOND_ENTRY_RECORDED, ek.COUNTING_BOX_DIFFERENCE_EXPLAINED, ek.COUNTING_TALLY_BOARD_ENTERED,
    ek.COUNTING_TALLY_BOARD_EXPLAINED, ek.COUNTING_SCAN_BATCH_READ, ek.COUNTING_SCAN_BATCH_APPROVED,
    ek.COUNTING_SCAN_PAPER_ENTERED, ek.COUNTING_SCAN_PAPER_CONFIRMED, ek.COUNTING_SCAN_PAPER_RETURNED,
})


@dataclass(frozen=True)
class Live:
    """The running tally of a round at one ledger position: as data, as the JSON the poll
    sends, and the ETag naming that position."""

    data: dict
    body: bytes
    etag: str


@dataclass(frozen=True)
class _Kept:
    """What a process keeps of a round: the answer at ``position`` and what it was counted
    from, so that papers counted later are added to it. Never changed once kept."""

    position: int
    live: Live
    sheet: RunningSheet
    inp: TallyInput  # the round's posts, candidates (with the write-ins so far) and rules; no papers
    people: dict[str, dict]
    counts: Counts
    counted: dict[int | None, frozenset[str]]  # box id -> the D's of its counted records
    boxes: dict[str, frozenset[int]]  # box label (as events name it) -> box ids


class _Recount(Exception):
    """The change since the kept position is not papers added: count the round afresh."""


_cache: OrderedDict[tuple[str, int], _Kept] = OrderedDict()
_lock = threading.Lock()


def _position(db: Session, election: Election) -> int:
    """The last ledger sequence number of the election (an index lookup, whatever the count)."""
    return int(db.scalar(select(func.max(ElectionEvent.seq)).where(ElectionEvent.election_id == election.id)) or 0)


def live_tally(db: Session, election: Election, round_number: int) -> dict:
    """``running_tally`` of the round, counting only what changed since the last poll."""
    return live_state(db, election, round_number).data


def live_state(db: Session, election: Election, round_number: int) -> Live:
    """The round's running tally with its JSON and ETag (equal to ``running_tally``)."""
    key = (election.uid, round_number)
    with _lock:
        kept = _cache.get(key)
        if kept is not None:
            _cache.move_to_end(key)
    if kept is None:
        fresh = _recount(db, election, round_number, _position(db, election))
    else:
        # One statement whatever happened: no event since is the kept answer.
        events = db.execute(select(ElectionEvent.seq, ElectionEvent.kind, ElectionEvent.payload).where(
            ElectionEvent.election_id == election.id, ElectionEvent.seq > kept.position)).all()
        if not events:
            return kept.live
        position = max(seq for seq, _, _ in events)
        try:
            fresh = _advance(db, election, kept, position, [(kind, payload) for _, kind, payload in events])
        except _Recount:
            fresh = _recount(db, election, round_number, position)
    with _lock:
        now = _cache.get(key)
        if now is None or now.position < fresh.position:
            _cache[key] = fresh
            _cache.move_to_end(key)
        while len(_cache) > _KEEP:
            _cache.popitem(last=False)
    return fresh.live


def _live(election: Election, position: int, data: dict) -> Live:
    return Live(data, orjson.dumps(data), f"{election.uid}-{data['round']}-{position}")


def _recount(db: Session, election: Election, round_number: int, position: int) -> _Kept:
    """The round counted from all its records, as ``running_tally`` counts it."""
    with gc_paused():
        rows = db.execute(select(AuditCode.box_id, AuditCode.d_hash, cast(AuditCode.marks, Text)).where(
            AuditCode.election_id == election.id, AuditCode.round_number == round_number,
            AuditCode.state == "counted")).all()
        papers = shared((raw for _, _, raw in rows), paper_maker())
    counted: dict[int | None, set[str]] = defaultdict(set)
    for box_id, d, _ in rows:
        counted[box_id].add(d)
    sheet = RunningSheet.of(ballot_of(db, election, round_number))
    inp, people = build_input(db, election, round_number, papers=papers, running=True)
    counts = running_counts(inp, inp.papers)
    live = _live(election, position, running_view(sheet, inp, people, counts))
    boxes: dict[str, set[int]] = defaultdict(set)
    for box_id, label in db.execute(select(BallotBox.id, BallotBox.label).where(BallotBox.election_id == election.id)):
        boxes[label].add(box_id)
    return _Kept(position, live, sheet, replace(inp, papers=()), people, counts,
                 {b: frozenset(ds) for b, ds in counted.items()}, {k: frozenset(v) for k, v in boxes.items()})


def _advance(db: Session, election: Election, kept: _Kept, position: int, events: list[tuple[str, dict]]) -> _Kept:
    """``kept`` brought to ``position`` by the events since (kind, payload); _Recount when
    they are not papers of the round counted (or events that leave the tally)."""
    number = kept.sheet.number
    added: set[int] = set()
    for kind, payload in events:
        if kind == ek.COUNTING_PAPER_COUNTED:
            if payload.get("round") != number:
                continue  # another round's paper
            ids = kept.boxes.get(str(payload.get("box", "")))
            if ids is None:
                raise _Recount  # a box this process has not seen
            added |= ids
        elif kind not in NEUTRAL:
            raise _Recount
    if not added:
        return replace(kept, position=position)  # the same answer (and ETag)
    now: dict[int | None, set[str]] = defaultdict(set)
    for box_id, d in db.execute(select(AuditCode.box_id, AuditCode.d_hash).where(
            AuditCode.election_id == election.id, AuditCode.round_number == number,
            AuditCode.state == "counted", AuditCode.box_id.in_(sorted(added)))):
        now[box_id].add(d)
    new: list[str] = []
    for box_id in added:
        before = kept.counted.get(box_id, frozenset())
        if not before <= now[box_id]:
            raise _Recount  # a record counted before is no longer counted
        new.extend(now[box_id] - before)
    # Fewer new than events is right: what was kept may hold papers committed after its
    # position (a poll reads the ledger, then the records).
    with gc_paused():
        raws = db.scalars(select(cast(AuditCode.marks, Text)).where(
            AuditCode.election_id == election.id, AuditCode.d_hash.in_(new))).all()
        papers: list[Paper] = shared(raws, paper_maker())
    inp, people = _with_write_ins(db, kept, papers)
    try:
        counts = kept.counts.plus(running_counts(inp, papers))
        # The new papers only are checked (a re-vote's or a question's); the counts are all.
        data = running_view(kept.sheet, replace(inp, papers=tuple(papers), papers_issued=counts.papers,
                                                 papers_returned=counts.papers), people, counts)
    except TallyInputError:
        raise _Recount from None  # the recount says which paper, numbered as it numbers them
    counted = dict(kept.counted)
    for box_id in added:
        counted[box_id] = frozenset(now[box_id])
    return replace(kept, position=position, live=_live(election, position, data), inp=replace(inp, papers=()),
                   people=people, counts=counts, counted=counted)


def _with_write_ins(db: Session, kept: _Kept, papers: list[Paper]) -> tuple[TallyInput, dict[str, dict]]:
    """The kept input and names with the people first written in on ``papers``."""
    people = dict(kept.people)
    candidates = list(kept.inp.candidates)
    add_written_in(db, papers, people, candidates)
    if len(candidates) == len(kept.inp.candidates):
        return kept.inp, kept.people
    return replace(kept.inp, candidates=tuple(candidates)), people
