"""Writing the election's event log: the one function every state change goes through.

Events are inserted, never updated or deleted. Each is a link of the protocol's hash
chain (election.protocol.chain): the first is the genesis, written when the election is
created. The election row is locked while the next sequence number is taken, so
concurrent writers queue instead of colliding.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db import begin_write
from ..models import Election, ElectionEvent, utcnow
from ..protocol import event_kinds as ek
from ..protocol.chain import ZERO_HASH, Event, event_hash, genesis


def second_stamp(moment: datetime | None = None) -> str:
    return (moment or utcnow()).strftime("%Y-%m-%dT%H:%M:%S")


ACTOR_KEY = "_by"
REASON_KEY = "_why"


def chain_payload(payload: dict, actor: str, reason: str) -> dict:
    """What the hash covers: the event's data and who did it, and why.

    The data's keys stay at the top level so a verifier reads protocol events
    (``ballots.printed``'s batch and digest, ``ledger.bundle_exported``'s files) exactly as
    docs/PROTOCOL.md states them; actor and reason ride along under reserved keys.
    """
    if ACTOR_KEY in payload or REASON_KEY in payload:
        raise ValueError(f"event payload may not use the reserved keys {ACTOR_KEY!r}/{REASON_KEY!r}")
    return {**payload, ACTOR_KEY: actor, REASON_KEY: reason}


def write_genesis(
    db: Session, election: Election, rulebook_fingerprint: str, roll_fingerprint: str,
    key_fingerprint: str = "", actor: str = "system",
) -> ElectionEvent:
    first = genesis(election.uid, rulebook_fingerprint, roll_fingerprint, key_fingerprint, second_stamp())
    row = ElectionEvent(
        election_id=election.id, seq=0, at=first.at, actor=actor, kind=ek.LEDGER_CHAIN_STARTED,
        payload=first.payload, reason="", prev_hash=ZERO_HASH, hash=first.hash,
    )
    db.add(row)
    db.flush()
    return row


def lock_chain_head(db: Session, election: Election) -> None:
    """Lock the election's row, the chain head (PostgreSQL; SQLite's write lock already
    serialises writers): what ``record_event`` takes to number the next event, taken earlier
    by a writer whose checks must see every event committed before its own (docs/ARCHITECTURE.md,
    the lock order: nothing another path locks may be locked after it).

    FOR NO KEY UPDATE: it excludes every other taker of the head, but not the key share an
    uncommitted insert of a row referring to the election holds (PostgreSQL's foreign-key
    check), so an event does not wait for the election's other inserts to commit
    (tests/ledger/test_chain_head_lock.py)."""
    db.execute(select(Election.id).where(Election.id == election.id).with_for_update(key_share=True))


def write_at_head(db: Session, election: Election) -> None:
    """A writer's start where its acts on an election are few and must see each other (the
    committee's nominations, its representatives): the write lock (SQLite, ``begin_write``)
    and the chain head (PostgreSQL) before the first read, so two at once are one after the
    other. Nothing such a writer writes after may be a row another path locks before its
    event (docs/ARCHITECTURE.md)."""
    begin_write(db)
    lock_chain_head(db, election)


def record_event(
    db: Session, election: Election, kind: str, payload: dict, actor: str,
    reason: str = "", at: str | None = None,
) -> ElectionEvent:
    """Append one event to the election's chain in the caller's transaction.

    `at` defaults to the current second; pass an hour stamp where privacy asks for it.
    ``kind`` is one of election/protocol/event_kinds.py's constants: a kind not registered
    there (and so not in PROTOCOL.md's table) is refused before anything is written.
    """
    if kind not in ek.REGISTRY:
        raise ValueError(f"event kind {kind!r} is not in election/protocol/event_kinds.py")
    lock_chain_head(db, election)
    last = db.execute(
        select(ElectionEvent.seq, ElectionEvent.hash)
        .where(ElectionEvent.election_id == election.id)
        .order_by(ElectionEvent.seq.desc())
        .limit(1)
    ).first()
    if last is None:
        raise RuntimeError(f"election {election.id} has no genesis event")
    seq, prev = last[0] + 1, last[1]
    when = at if at is not None else second_stamp()
    row = ElectionEvent(
        election_id=election.id, seq=seq, at=when, actor=actor, kind=kind,
        payload=payload, reason=reason, prev_hash=prev,
        hash=event_hash(seq, kind, chain_payload(payload, actor, reason), prev, when),
    )
    db.add(row)
    db.flush()
    return row


def as_chain_event(row: ElectionEvent) -> Event:
    """The protocol's view of a stored event (what the bundle publishes)."""
    payload = row.payload if row.kind == ek.LEDGER_CHAIN_STARTED else chain_payload(row.payload, row.actor, row.reason)
    return Event(row.seq, row.kind, payload, row.prev_hash, row.at, row.hash)


def events_of(db: Session, election: Election) -> list[ElectionEvent]:
    return list(
        db.scalars(
            select(ElectionEvent)
            .where(ElectionEvent.election_id == election.id)
            .order_by(ElectionEvent.seq)
        )
    )
