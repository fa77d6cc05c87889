"""Counted records encrypted as they are entered, for the public recount (docs/DECISIONS.md
"Public recount"): once the trustees' joint key is in the ledger, every record the count
enters (or a committee's correction) is encrypted under it with its proofs at once, on the
server that already sees the marks, and kept beside the record (``EncryptedRecord``). The
audit's commitment then seals the round's ciphertexts (SHA-256 of recount/papers.jsonl)
with the records, before the seed is drawn: a server cannot choose ciphertexts after
learning which papers the audit will draw.

A record is encrypted against the round's whole ballot (every post, every listed
candidate), whatever paper it was, so every line of a round has the same labels."""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..crypto import recount_doc
from ..crypto.paper import PostShape
from ..crypto.record import paper_vector, shapes
from ..models import Election, ElectionEvent, EncryptedRecord
from ..protocol import event_kinds as ek
from ..protocol.bundle_tally import to_paper
from ..protocol.canonical import canonical_json
from ..rules.tally_types import PostSpec
from ..settings import rulebook_of

if TYPE_CHECKING:
    from .service import Ballot

# The trustees' ceremony records the joint key under this kind (election.trustees.service).
KEY_PUBLISHED = ek.TRUSTEES_KEY_PUBLISHED


def base_hash(election: Election) -> bytes:
    """The election's base hash, which every proof of the recount binds."""
    return hashlib.sha256(b"juxuan-recount-v1/base\n" + election.uid.encode("utf-8")).digest()


def joint_key(db: Session, election: Election) -> bytes | None:
    """The trustees' joint key once the ceremony has fixed it in the ledger, else None."""
    payload = db.scalar(select(ElectionEvent.payload).where(
        ElectionEvent.election_id == election.id, ElectionEvent.kind == KEY_PUBLISHED).order_by(ElectionEvent.seq).limit(1))
    return bytes.fromhex(payload["joint_key"]) if payload else None


def ceremony_public(db: Session, election: Election) -> tuple[dict[str, Any], list[dict[str, Any]]] | None:
    """The trustees' ceremony document and public parts (by index), once the joint key is
    fixed in the ledger; None before (what the audit checks the trustees' partials with)."""
    rows = db.execute(select(ElectionEvent.kind, ElectionEvent.payload).where(
        ElectionEvent.election_id == election.id,
        ElectionEvent.kind.in_((ek.TRUSTEES_CEREMONY_ISSUED, ek.TRUSTEES_PUBLIC_ADDED, KEY_PUBLISHED)))
        .order_by(ElectionEvent.seq)).all()
    if not any(kind == KEY_PUBLISHED for kind, _ in rows):
        return None
    doc = next(payload["ceremony"] for kind, payload in rows if kind == ek.TRUSTEES_CEREMONY_ISSUED)
    publics = {payload["public"]["index"]: payload["public"] for kind, payload in rows if kind == ek.TRUSTEES_PUBLIC_ADDED}
    return doc, [publics[i] for i in sorted(publics)]


def lines_of(db: Session, election: Election, ds: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The stored papers.jsonl lines of these D (those that have one)."""
    wanted = sorted(set(ds))
    out: dict[str, dict[str, Any]] = {}
    for start in range(0, len(wanted), 500):
        out.update({d: dict(line) for d, line in db.execute(select(EncryptedRecord.d_hash, EncryptedRecord.line).where(
            EncryptedRecord.election_id == election.id, EncryptedRecord.d_hash.in_(wanted[start:start + 500])))})
    return out


def fingerprint(box: str, marks: dict[str, Any]) -> str:
    """SHA-256 of what a line encrypts: the record's box and marks (canonical JSON)."""
    return hashlib.sha256(canonical_json([box, marks])).hexdigest()


class Layout:
    """A round's posts, listed candidates and proof shapes, read once for many records."""

    def __init__(self, election: Election, ballot: Ballot) -> None:
        rb = rulebook_of(election)
        self.specs: list[PostSpec] = [spec for spec, _ in ballot.posts]
        self.listed = {spec.key: [c.person for c in cands] for spec, cands in ballot.posts}
        self.overvote_scope, self.multi_post_rule = rb.overvote_scope, rb.multi_post_rule
        self.shapes: list[PostShape] = shapes(self.specs, self.listed, rb.multi_post_rule)

    def line(self, base: bytes, key: bytes, d: str, box: str, marks: dict[str, Any]) -> dict[str, Any]:
        vector, whole = paper_vector(to_paper(marks), self.specs, self.listed, self.overvote_scope, self.multi_post_rule)
        return recount_doc.encrypt_record(base, key, self.shapes, d, box, vector, whole)


def encrypt_line(db: Session, election: Election, ballot: Ballot, d: str, box: str, marks: dict[str, Any]) -> dict[str, Any]:
    """A record's papers.jsonl line under the joint key (which must exist): the entry computes
    it before taking the write lock and stores it after (``store_line``)."""
    key = joint_key(db, election)
    assert key is not None
    return Layout(election, ballot).line(base_hash(election), key, d, box, marks)


def store_line(db: Session, election: Election, round_number: int, d: str, box: str, marks: dict[str, Any],
               line: dict[str, Any]) -> None:
    """Keep a record's line with the fingerprint of the box and marks it encrypts."""
    _store(db, election, round_number, d, box, marks, line)


def _store(db: Session, election: Election, round_number: int, d: str, box: str, marks: dict[str, Any],
           line: dict[str, Any]) -> None:
    row = db.get(EncryptedRecord, (election.id, d))
    if row is None:
        db.add(EncryptedRecord(election_id=election.id, d_hash=d, round_number=round_number,
                               fingerprint=fingerprint(box, marks), line=line))
    else:
        row.round_number, row.fingerprint, row.line = round_number, fingerprint(box, marks), line


def seal_record(db: Session, election: Election, ballot: Ballot, d: str, box: str, marks: dict[str, Any]) -> bool:
    """Encrypt one record of ``ballot``'s round as it is entered or corrected; False when
    there is no joint key yet (an election without the public recount)."""
    key = joint_key(db, election)
    if key is None:
        return False
    _store(db, election, ballot.number, d, box, marks, Layout(election, ballot).line(base_hash(election), key, d, box, marks))
    return True


def round_lines(db: Session, election: Election, ballot: Ballot, records: Sequence[tuple[str, str, dict[str, Any]]],
                progress: Callable[[int, int], None] | None = None,
                fresh: list[tuple[str, str, dict[str, Any], dict[str, Any]]] | None = None,
                ) -> tuple[list[dict[str, Any]], int]:
    """The round's lines of recount/papers.jsonl for these records (D, box, marks), sorted by
    D, and how many had to be encrypted now: a record entered before the key existed, or
    written other than through the entry (a simulation), is encrypted here. Its line is
    stored at once, or, given ``fresh``, appended there (D, box, marks, line) for the caller
    to store under the write lock (``store_line``) once the encryption is done."""
    key = joint_key(db, election)
    if key is None:
        raise ValueError("no joint key")
    round_number = ballot.number
    stored = {r.d_hash: r for r in db.scalars(select(EncryptedRecord).where(
        EncryptedRecord.election_id == election.id, EncryptedRecord.round_number == round_number))}
    layout: Layout | None = None
    base = base_hash(election)
    out, made = [], 0
    for n, (d, box, marks) in enumerate(sorted(records, key=lambda r: r[0]), start=1):
        row = stored.get(d)
        if row is not None and row.fingerprint == fingerprint(box, marks):
            out.append(dict(row.line))
        else:
            layout = layout or Layout(election, ballot)
            line = layout.line(base, key, d, box, marks)
            if fresh is None:
                _store(db, election, round_number, d, box, marks, line)
            else:
                fresh.append((d, box, marks, line))
            out.append(line)
            made += 1
        if progress and (n % 50 == 0 or n == len(records)):
            progress(n, len(records))
    return out, made


def round_sha256(db: Session, election: Election, ballot: Ballot,
                 records: Sequence[tuple[str, str, dict[str, Any]]]) -> tuple[int, str]:
    """(papers, SHA-256 of recount/papers.jsonl) of the round's records, what the audit's
    commitment seals: any record not yet encrypted (or changed since) is encrypted first;
    the stored lines are then read 500 at a time in D order, never all at once."""
    key = joint_key(db, election)
    if key is None:
        raise ValueError("no joint key")
    stored = dict(db.execute(select(EncryptedRecord.d_hash, EncryptedRecord.fingerprint).where(
        EncryptedRecord.election_id == election.id, EncryptedRecord.round_number == ballot.number)).all())
    layout: Layout | None = None
    for d, box, marks in records:
        if stored.get(d) != fingerprint(box, marks):
            layout = layout or Layout(election, ballot)
            _store(db, election, ballot.number, d, box, marks, layout.line(base_hash(election), key, d, box, marks))
    db.flush()
    ds = sorted(d for d, _, _ in records)
    digest = hashlib.sha256()
    for start in range(0, len(ds), 500):
        chunk = ds[start:start + 500]
        lines: dict[str, Any] = dict(db.execute(select(EncryptedRecord.d_hash, EncryptedRecord.line).where(
            EncryptedRecord.election_id == election.id, EncryptedRecord.d_hash.in_(chunk))).all())
        for d in chunk:
            digest.update(canonical_json(lines[d]) + b"\n")
    return len(ds), digest.hexdigest()


def papers_sha256(lines: Iterable[dict[str, Any]]) -> str:
    """SHA-256 of recount/papers.jsonl made of these lines (one canonical JSON line each)."""
    digest = hashlib.sha256()
    for line in lines:
        digest.update(canonical_json(line) + b"\n")
    return digest.hexdigest()
