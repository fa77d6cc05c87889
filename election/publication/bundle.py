"""The election's public record built from the database: the protocol's BundleParts
(manifest, deposits per box with Merkle trees, reconciliation counts, totals, chain),
the signed chain head, the sealed public and auditor bundles, and a receipt's lookup.

A bundle is of one round (totals.json names it): that round's manifests, deposits,
spoiled and unused papers, issuance, records, post table and published result, so a
re-vote or run-off never adds its papers to the first round's figures. The chain is
always whole. The ledger.bundle_exported event that seals a bundle is written through
record_event, so the chain in the database and the chain in the bundle are the same chain.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..audit.service import audit_json
from ..counting.result import build_input  # the counting capability owns the tally input
from ..counting.tables import bundle_round
from ..crypto import recount_doc
from ..db import begin_write
from ..ledger import keys
from ..ledger.events import as_chain_event, events_of, record_event
from ..ledger.keys import sign_head
from ..mandates import service as mandates
from ..models import AuditCode, BallotBox, Election, Issuance, PollingStation, Receipt, Round, RoundResult
from ..polling.close import papers_per_voter  # the polling capability knows the paper layout
from ..polling.merge import record_box
from ..protocol import bundle as bundle_mod
from ..protocol import chain as chain_mod
from ..protocol import codes, merkle
from ..protocol import event_kinds as ek
from ..protocol.bundle import BoxInfo, BundleParts, Record
from ..protocol.bundle_tally import tally_files
from ..protocol.canonical import canonical_json
from ..protocol.manifest import make_manifest
from ..settings import box_keys
from ..trustees.service import recount_member


def build_parts(db: Session, election: Election, round_number: int = 1) -> BundleParts:
    """Everything the auditor bundle of a round holds, read from the database (unsealed)."""
    uid = election.uid
    names = box_keys(db, election)
    stations = dict(db.execute(select(PollingStation.id, PollingStation.name).where(PollingStation.election_id == election.id)).all())
    box_station = {b.id: stations[b.station_id] for b in db.scalars(select(BallotBox).where(BallotBox.election_id == election.id))}

    receipts = db.execute(select(Receipt.r_hash, Receipt.batch, Receipt.state, Receipt.box_id)
                          .where(Receipt.election_id == election.id, Receipt.round_number == round_number)).all()
    audits = db.execute(select(AuditCode.d_hash, AuditCode.batch, AuditCode.state, AuditCode.box_id, AuditCode.marks)
                        .where(AuditCode.election_id == election.id, AuditCode.round_number == round_number)).all()
    by_batch_r: dict[int, list[str]] = defaultdict(list)
    by_batch_d: dict[int, list[str]] = defaultdict(list)
    for r in receipts:
        by_batch_r[r.batch].append(r.r_hash)
    for a in audits:
        by_batch_d[a.batch].append(a.d_hash)
    manifests = tuple(make_manifest(uid, by_batch_r[b], by_batch_d[b], batch=b) for b in sorted(set(by_batch_r) | set(by_batch_d)))

    deposits: dict[str, list[str]] = {names[b]: [] for b in names}
    for r in receipts:
        if r.state == "deposited" and r.box_id is not None:
            deposits[names[r.box_id]].append(r.r_hash)
    records = tuple(Record(a.d_hash, names[a.box_id], dict(a.marks or {}))
                    for a in audits if a.state == "counted" and a.box_id is not None)
    per_box = Counter(r.box for r in records)
    boxes = {names[b]: BoxInfo(box_station[b], per_box.get(names[b], 0)) for b in names}
    issued = dict(db.execute(select(Issuance.station_id, func.count()).where(
        Issuance.election_id == election.id, Issuance.round_number == round_number).group_by(Issuance.station_id)).all())
    # issuance.json counts papers: a voter takes one paper per body when bodies are printed apart.
    per_voter = papers_per_voter(db, election, round_number)
    issuance = {name: int(issued.get(sid, 0)) * per_voter for sid, name in stations.items()}

    published = db.scalar(select(RoundResult).where(RoundResult.election_id == election.id,
                                                    RoundResult.round_number == round_number))
    if db.scalar(select(Round.id).where(Round.election_id == election.id, Round.number == round_number)) is None:
        inp = None
    else:
        inp, _ = build_input(db, election, round_number, papers=[])
    if inp is None:
        totals: dict[str, Any] = {"round": round_number, "returned": len(records), "posts": {},
                                  "counts": {"whole_invalid": 0, "posts": {}}, "result": {"elected": {}, "posts": {}}}
        box_totals: tuple[dict[str, Any], ...] = ()
        scenario: dict[str, Any] = {"registered_voters": 0, "papers_issued": 0, "round": "main", "posts": [], "candidates": []}
    else:
        totals, box_totals, scenario = tally_files(inp, records, sorted(boxes), round_number,
                                                   published.result if published else None)
    chain = tuple(as_chain_event(e) for e in events_of(db, election))
    if published is not None and inp is not None:
        # The write-ins the published votes name, with the name and sex the result was decided
        # with, as the chain's result.write_ins_named anchored them when it was published
        # (PROTOCOL.md §9; a round published before that event existed lists none, as then).
        at = max((i for i, e in enumerate(chain) if e.kind == ek.RESULT_PUBLISHED and e.payload.get("round") == round_number),
                 default=0)
        if at and chain[at - 1].kind == ek.RESULT_WRITE_INS_NAMED:
            scenario["write_ins"] = chain[at - 1].payload["write_ins"]
    voided = tuple(sorted(a.d_hash for a in audits if a.state == "voided"))
    return BundleParts(
        election_id=uid,
        manifests=manifests,
        deposits={b: tuple(sorted(rs)) for b, rs in deposits.items()},
        boxes=boxes,
        issuance=issuance,
        spoiled=tuple(sorted(r.r_hash for r in receipts if r.state == "spoiled")),
        unused=tuple(sorted(r.r_hash for r in receipts if r.state == "unused")),
        rulebook=election.rulebook,
        totals=totals,
        box_totals=box_totals,
        chain=chain,
        election_key_pem=keys.key_of(db, election).public_pem.encode("ascii"),
        records=records,
        audit=audit_json(db, election, round_number),
        voided=voided,
        tally_input=scenario,
        composition=_composition(db, election),
    )


def _composition(db: Session, election: Election) -> dict[str, Any] | None:
    """composition.json once a result is published (before, there is no committee to show)."""
    comp = mandates.composition(db, election)
    return mandates.composition_json(comp) if comp.mandates else None


@dataclass(frozen=True)
class Exported:
    data: bytes  # the zip
    head_seq: int
    head: str
    root: str  # Merkle root over all deposited receipts of the round
    files: dict[str, bytes] = field(default_factory=dict)  # the sealed auditor files
    round_number: int = 1


EXPORT_STEPS = 5


def export_bundle(db: Session, election: Election, data_key: str, actor: str, auditor: bool = False,
                  day: date | None = None,
                  round_number: int | None = None, progress: Callable[[int, int], None] | None = None,
                  instance: str | Path | None = None) -> Exported:
    """Seal and write the bundle of a round (default: the last published round, see
    bundle_round): render every file, record the ledger.bundle_exported event (through record_event),
    sign the new head; the caller commits. The index lists the auditor-only
    files too, so the public bundle (which omits them) verifies as well.
    ``progress(step, EXPORT_STEPS)`` follows the five steps (read, render, chain, sign, zip).

    The write lock is taken before the first read (``begin_write``): on SQLite a reader that
    only writes at the end (the event) fails with "database is locked" when anyone else
    committed meanwhile, and the files would be of an older snapshot than the chain. So the
    session's pending work is committed first, unless the caller took the lock itself to make
    its own writes and the export one unit (``seal_for_countersign``)."""
    begin_write(db)
    step = progress or (lambda _done, _total: None)
    number = bundle_round(db, election, round_number)
    parts = build_parts(db, election, number)
    step(1, EXPORT_STEPS)
    files = bundle_mod.render(replace(parts, head_sig=None, countersignature=None, office_key_pem=None))
    if instance is not None:
        # The public recount, once a quorum of trustees has decrypted this round's records.
        recount = recount_member(db, election, number, instance, parts.records or ())
        if recount is not None:
            header, papers = recount
            files["recount.json"] = canonical_json(header) + b"\n"
            files[recount_doc.PAPERS] = b"".join(canonical_json(p) + b"\n" for p in papers)
    step(2, EXPORT_STEPS)
    record_event(db, election, ek.LEDGER_BUNDLE_EXPORTED, bundle_mod.index_payload(files), actor,
                 f"导出第 {number} 轮{'审计' if auditor else '公开'}公示包")
    events = events_of(db, election)
    files["chain.jsonl"] = chain_mod.to_jsonl([as_chain_event(e) for e in events])
    step(3, EXPORT_STEPS)
    sig = sign_head(db, election, data_key, day)
    files["head.sig"] = canonical_json(sig.to_json()) + b"\n"
    step(4, EXPORT_STEPS)
    full = dict(files)
    if not auditor:
        files = public_files(files)
    dep = bundle_mod.deposits_json(parts.deposits)
    out = Exported(bundle_mod.write_files(files), events[-1].seq, events[-1].hash, dep["root"], full, number)
    step(5, EXPORT_STEPS)
    return out


def public_files(files: dict[str, bytes]) -> dict[str, bytes]:
    """The public bundle of a sealed auditor bundle: same head, same signatures, without
    the auditor-only files (the index marks them optional)."""
    return {n: b for n, b in files.items() if n not in bundle_mod.AUDITOR_ONLY}


# ---------------------------------------------------------------------- receipts

@dataclass(frozen=True)
class ReceiptAnswer:
    """What the public page may say about a code: counted or not, and the proof."""

    found: bool
    election: Election | None = None
    box: str = ""
    box_papers: int = 0
    round_number: int = 0
    r_hash: str = ""
    box_root: str = ""
    proof: tuple[tuple[str, str], ...] = ()
    head: str = ""  # the signed head of the sealed bundle the proof is in
    head_seq: int = -1


def lookup_receipt(db: Session, text: str) -> ReceiptAnswer:
    """Find a receipt code (human form, compact or URL) among all elections. Printed-but-
    not-deposited, spoiled, unused and never-printed all answer the same ``not found``:
    the page must be no oracle beyond counted / not counted. Raises codes.CodeError when
    the text is not a well-formed code."""
    code = codes.parse(text)
    for election in db.scalars(select(Election).order_by(Election.id)):
        r = codes.receipt_hash(election.uid, code)
        row = db.get(Receipt, (election.id, r))
        if row is None or row.state != "deposited" or row.box_id is None:
            continue
        # The box's tree and count are those of the receipt's round, as in that round's bundle.
        box_rs = list(db.scalars(select(Receipt.r_hash).where(
            Receipt.election_id == election.id, Receipt.round_number == row.round_number, Receipt.box_id == row.box_id,
            Receipt.state == "deposited")))
        # A mobile box's papers are counted as the station box's they were poured into
        # (polling.merge): the proof stays that of the box the stub went into.
        counted_in = record_box(db, election, row.round_number, row.box_id)
        papers = db.scalar(select(func.count()).select_from(AuditCode).where(
            AuditCode.election_id == election.id, AuditCode.round_number == row.round_number,
            AuditCode.box_id == counted_in, AuditCode.state == "counted")) or 0
        if papers == 0:
            continue  # deposited but its box not (yet) counted: not "counted"
        tree = merkle.build(box_rs)
        return ReceiptAnswer(True, election, box_keys(db, election)[row.box_id], papers, row.round_number, r,
                             tree.root, tuple(tree.proof(tree.index_of(r))))
    return ReceiptAnswer(False)
