"""Reconciliation at the close of a round's poll (选票清点) with election.protocol.reconcile.

printed = issued + spoiled + unused; per station the stubs deposited in its boxes are at
most the papers it issued; per box stubs == records once counting has begun. Every figure
is of one round, and so is every difference the committee explains (recorded as an event).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..db import begin_write
from ..errors import UserError
from ..ledger.events import record_event
from ..models import (
    AuditCode,
    BallotBox,
    Election,
    Issuance,
    PollingStation,
    PrintBatch,
    Receipt,
    ReconciliationNote,
    SpoilRecord,
)
from ..protocol import codes
from ..protocol import event_kinds as ek
from ..protocol.findings import Finding
from ..protocol.manifest import Manifest
from ..protocol.reconcile import BoxTally, reconcile
from ..rounds import current_round
from ..rules.phrase import phrase
from .merge import merged_into


@dataclass
class Reconciliation:
    printed: int
    issued: int
    spoiled: int
    unused: int
    stations: list[dict]
    boxes: list[dict]
    findings: list[Finding]
    notes: list[ReconciliationNote]


def papers_per_voter(db: Session, election: Election, round_number: int = 1) -> int:
    """Papers one issuance hands over in a round: one per body printed apart, else one."""
    bodies = {b.body for b in db.scalars(select(PrintBatch).where(
        PrintBatch.election_id == election.id, PrintBatch.round_number == round_number))}
    return max(1, len(bodies - {""}) or 1)


def reconciliation(db: Session, election: Election, round_number: int = 1) -> Reconciliation:
    manifests = [Manifest.from_json(b.manifest) for b in db.scalars(
        select(PrintBatch).where(PrintBatch.election_id == election.id, PrintBatch.round_number == round_number).order_by(PrintBatch.batch))]
    per_voter = papers_per_voter(db, election, round_number)
    stations = list(db.scalars(select(PollingStation).where(PollingStation.election_id == election.id).order_by(PollingStation.id)))
    issued_n = dict(db.execute(select(Issuance.station_id, func.count()).where(
        Issuance.election_id == election.id, Issuance.round_number == round_number).group_by(Issuance.station_id)).all())
    spoil_n = dict(db.execute(select(SpoilRecord.station_id, func.count()).where(
        SpoilRecord.election_id == election.id, SpoilRecord.round_number == round_number).group_by(SpoilRecord.station_id)).all())
    receipts = list(db.execute(select(Receipt.r_hash, Receipt.state, Receipt.box_id).where(Receipt.election_id == election.id, Receipt.round_number == round_number)))
    # Papers handed out at each station's desks (the pool the boxes accept stubs from).
    handed_n = dict(db.execute(select(Receipt.handed_station_id, func.count()).where(
        Receipt.election_id == election.id, Receipt.round_number == round_number,
        Receipt.handed_station_id.is_not(None)).group_by(Receipt.handed_station_id)).all())
    audits = list(db.execute(select(AuditCode.d_hash, AuditCode.box_id).where(AuditCode.election_id == election.id, AuditCode.round_number == round_number, AuditCode.state == "counted")))
    boxes = list(db.scalars(select(BallotBox).where(BallotBox.election_id == election.id).order_by(BallotBox.id)))
    by_box_r: dict[int, list[str]] = {b.id: [] for b in boxes}
    for r, state, box in receipts:
        if state == "deposited" and box in by_box_r:
            by_box_r[box].append(r)
    by_box_d: dict[int, list[str]] = {b.id: [] for b in boxes}
    for d, box in audits:
        if box in by_box_d:
            by_box_d[box].append(d)
    counting = bool(audits)
    station_name = {s.id: s.name for s in stations}
    tallies = [BoxTally(b.label, station_name[b.station_id], tuple(by_box_r[b.id]),
                        tuple(by_box_d[b.id])) for b in boxes]
    issued = {station_name[s]: n * per_voter for s, n in issued_n.items()}
    spoiled = [r for r, state, _ in receipts if state == "spoiled"]
    unused = [r for r, state, _ in receipts if state == "unused"]
    # A mobile box poured into a station's box (polling.merge): that box holds both boxes' records.
    label = {b.id: b.label for b in boxes}
    merged = {label[m]: label[t] for m, t in merged_into(db, election, round_number).items()}
    findings = reconcile(manifests, tallies, issued, spoiled, unused, merged) if manifests else [Finding("manifest.missing", phrase("还没有印制选票（没有印刷清单）"))]
    if not counting:
        # Before counting, "stubs == records" per box cannot hold yet: not a difference.
        findings = [f for f in findings if f.code not in ("box.mismatch", "box.audit_unknown")]
    station_rows = []
    deposited_by_station: Counter[int] = Counter()
    for b in boxes:
        deposited_by_station[b.station_id] += len(by_box_r[b.id])
    for s in stations:
        n_issued = issued_n.get(s.id, 0) * per_voter
        dep = deposited_by_station[s.id]
        station_rows.append({"name": s.name, "handed_over": s.papers_handed_over, "issued": n_issued,
                             "spoiled": spoil_n.get(s.id, 0), "handed_out": handed_n.get(s.id, 0),
                             "deposited": dep, "over": dep > n_issued})
    poured = merged_into(db, election, round_number)
    box_rows = [{"box_id": b.id, "label": b.label, "station": station_name[b.station_id], "deposited": len(by_box_r[b.id]),
                 "counted": len(by_box_d[b.id]), "mobile": b.mobile,
                 "poured_into": label[poured[b.id]] if b.id in poured else ""} for b in boxes]
    notes = list(db.scalars(select(ReconciliationNote).where(
        ReconciliationNote.election_id == election.id, ReconciliationNote.round_number == round_number).order_by(ReconciliationNote.id)))
    return Reconciliation(sum(len(m.receipts) for m in manifests), sum(issued.values()), len(spoiled), len(unused),
                          station_rows, box_rows, findings, notes)


def check_recordable(db: Session, election: Election, round_number: int) -> None:
    """Close-of-poll records (hourly counts, explanations) are written for the round being
    voted only: an earlier round's reconciliation stays as it was, to be read."""
    if round_number != current_round(db, election).number:
        raise UserError(f"第 {round_number} 轮已结束，其选票清点只能查看，不能再记录")


def explain(db: Session, election: Election, actor: str, code: str, subject: str, message: str, explanation: str,
            round_number: int = 1) -> ReconciliationNote:
    """The committee's explanation of a difference of a round, recorded as an event (the
    write lock first: the close-of-poll page is used while desks and boxes write)."""
    begin_write(db)
    check_recordable(db, election, round_number)
    if not explanation.strip():
        raise UserError(f"请填写差异“{message[:60]}”的情况说明")
    if (refusal := codes.refuse_code_in(explanation, "差异情况说明")) is not None:
        raise UserError(refusal)
    note = ReconciliationNote(election_id=election.id, round_number=round_number, code=code[:40], subject=subject[:120],
                              message=message, explanation=explanation.strip(), actor=actor)
    db.add(note)
    db.flush()
    record_event(db, election, ek.POLLING_DIFFERENCE_EXPLAINED, {"round": round_number, "code": code, "subject": subject,
                                                       "message": message, "explanation": explanation.strip()},
                 actor, "选票清点差异说明")
    return note
