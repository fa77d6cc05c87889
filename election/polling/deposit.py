"""Deposit (投票), spoiled papers (写错换票) and unused papers at close.

A deposit records R under a box with the hour only — no voter, desk or finer time. Every
change of a stub's or body's state is a conditional UPDATE from "printed", so two scanners
acting on one paper at once give one result on both databases. A stub
that is unknown, spoiled, unused, already deposited or of another round than the one being
voted is refused with a message naming why, and so is a stub whose paper was not handed out
at a desk of the box's station (polling.handout: chain voting with a paper carried out of
another station, or never handed out, is refused). The offline batch endpoint of a mobile
box is idempotent: a stub already handed out or deposited in the same box counts as
"already synced", never twice.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ..db import own_transaction, rows_changed
from ..errors import UserError
from ..models import AuditCode, Election, PollingStation, Receipt, SpoilRecord, utcnow
from ..protocol import codes
from ..protocol.chain import hour_stamp
from ..rounds import DEPOSIT, SPOIL, check_poll_open
from ..rules.phrase import phrase
from ..settings import box_of
from .handout import hand_out, refuse_not_handed_here
from .stations import station_of
from .stubs import STATE_ZH, claim_receipt, printed_stub_of, receipt_of, refuse_used


def _claim_audit(db: Session, row: AuditCode) -> None:
    """Void a printed body exactly once (the same conditional UPDATE as for stubs)."""
    done = rows_changed(db.execute(
        update(AuditCode)
        .where(AuditCode.election_id == row.election_id, AuditCode.d_hash == row.d_hash, AuditCode.state == "printed")
        .values(state="voided")
        .execution_options(synchronize_session=False)
    ))
    if done != 1:
        raise UserError(phrase("拒绝：此选票正面已作废或已计票！"))
    db.refresh(row)


@dataclass
class DepositResult:
    box_label: str
    hour: str


def _claim(db: Session, row: Receipt, *conditions, **values) -> None:
    if not claim_receipt(db, row, *conditions, **values):
        refuse_used(row)
        raise UserError(phrase("拒绝：此存根刚被另一处扫描，不能再投入或作废！"))


def deposit(db: Session, election: Election, box_id: int, scanned: str, moment: datetime | None = None) -> DepositResult:
    """Record the scanned stub's R under the box with the hour: only a stub of a paper
    handed out at this box's station (the pool), and not after the round's close of poll.
    Commits."""
    with own_transaction(db):
        box = box_of(db, election, box_id)
        row = printed_stub_of(db, election, scanned)
        # Share-locks the round's row until commit: a close of poll waits for this deposit.
        check_poll_open(db, election.id, row.round_number, DEPOSIT)
        refuse_not_handed_here(db, row, box.station_id)
        hour = hour_stamp(moment or utcnow())
        _claim(db, row, Receipt.handed_station_id == box.station_id,
               state="deposited", box_id=box.id, deposited_hour=hour)
    return DepositResult(box.label, hour)


def deposit_batch(db: Session, election: Election, box_id: int, scans: list[dict]) -> list[dict]:
    """Sync an offline queue, in the order scanned: [{"id": client id, "code": scanned text,
    "hour": optional, "kind": "deposit" (default) or "handout"}] — a mobile box hands a
    paper out (into its station's pool) and takes its stub, both possibly offline.

    Each item answers "ok", "duplicate" (already deposited in this box, or already handed
    out at its station: a re-sent item) or "refused" with the reason. The client drops items
    answered ok/duplicate/refused.
    """
    out = []
    station_id = box_of(db, election, box_id).station_id
    for item in scans[:500]:
        cid = str(item.get("id", ""))[:64]
        text = str(item.get("code", ""))
        hour = str(item.get("hour") or "")
        handout = item.get("kind") == "handout"
        moment = None
        try:
            moment = datetime.strptime(hour, "%Y-%m-%dT%H") if hour else None
        except ValueError:
            moment = None
        try:
            if handout:
                hand_out(db, election, station_id, text)
            else:
                deposit(db, election, box_id, text, moment)
            out.append({"id": cid, "status": "ok"})
        except UserError as error:
            db.rollback()
            try:
                row = receipt_of(db, election, text)
            except UserError:
                row = None
            if row is not None and (row.handed_station_id == station_id if handout
                                    else row.state == "deposited" and row.box_id == box_id):
                out.append({"id": cid, "status": "duplicate"})
            else:
                out.append({"id": cid, "status": "refused", "message": "；".join(error.messages)})
    return out


def _audit(db: Session, election: Election, scanned: str, round_number: int) -> AuditCode:
    try:
        a = codes.parse_audit_qr(scanned)
    except codes.CodeError as error:
        raise UserError(f"无法识别的选票背面二维码：{error}") from None
    row = db.get(AuditCode, (election.id, codes.audit_hash(election.uid, a)))
    if row is None:
        raise UserError(phrase("未知选票：此审计码不在本次选举的印刷清单中！"))
    if row.state != "printed":
        raise UserError(phrase("拒绝：此选票背面已作废或已计票！"))
    if row.round_number != round_number:
        raise UserError(f"拒绝：选票背面是第 {row.round_number} 轮的选票，存根却是第 {round_number} 轮的，二者不是同一张选票！")
    return row


def spoil(db: Session, election: Election, station_id: int, stub: str, body: str, moment: datetime | None = None) -> None:
    """写错换票: void the spoiled paper's stub (R) and body (A); count a spoil at the station.
    The voter's Issuance stays; the desk hands over a new paper (which the spoil lets the
    station hand out: polling.handout). Only a paper handed out at this station, and not after
    the round's close of poll. Commits."""
    with own_transaction(db):
        station = station_of(db, election, station_id)
        r = printed_stub_of(db, election, stub)
        # A spoil lets the station hand out one more paper: none after the close of poll.
        check_poll_open(db, election.id, r.round_number, SPOIL)
        if r.handed_station_id != station.id:
            raise UserError(f"拒绝：此选票没有在{station.name}发出，不能在本站按写错换票作废！")
        a = _audit(db, election, body, r.round_number)
        _claim(db, r, Receipt.handed_station_id == station.id, state="spoiled")
        _claim_audit(db, a)
        db.add(SpoilRecord(election_id=election.id, round_number=r.round_number, station_id=station.id,
                           hour=hour_stamp(moment or utcnow())))


def spoiled_by_hour(db: Session, election: Election, round_number: int) -> list[tuple[str, str, int]]:
    """A round's spoiled papers counted per station and hour: (station, hour stamp, papers)."""
    return [(str(station), str(hour), int(n)) for station, hour, n in db.execute(
        select(PollingStation.name, SpoilRecord.hour, func.count())
        .join(PollingStation, PollingStation.id == SpoilRecord.station_id)
        .where(SpoilRecord.election_id == election.id, SpoilRecord.round_number == round_number)
        .group_by(PollingStation.id, PollingStation.name, SpoilRecord.hour)
        .order_by(SpoilRecord.hour, PollingStation.id)
    )]


def void_unused(db: Session, election: Election, stub: str, body: str) -> None:
    """At close: an unused paper's stub and body are scanned and voided — never one handed
    out at a desk (a paper a voter took is theirs to deposit or to spoil). Commits."""
    with own_transaction(db):
        r = printed_stub_of(db, election, stub)
        if r.handed_station_id is not None:
            raise UserError("拒绝：此选票已在发票台发出，不是未使用的选票；写错的选票请按写错换票作废！")
        a = _audit(db, election, body, r.round_number)
        _claim(db, r, Receipt.handed_station_id.is_(None), state="unused")
        _claim_audit(db, a)


def receipt_state(db: Session, election: Election, scanned: str) -> str:
    return STATE_ZH.get(receipt_of(db, election, scanned).state, "")
