"""Deposit (投票), spoiled papers (写错换票) and unused papers at close.

A deposit records R under a box with the hour only — no voter, desk or finer time. Every
change of a stub's or body's state is a conditional UPDATE from "printed", so two scanners
acting on one paper at once give one result on both databases. A stub
that is unknown, spoiled, unused, already deposited or of another round than the one being
voted is refused with a message naming why. The offline batch endpoint of a mobile box is idempotent: a stub already deposited
in the same box counts as "already synced", never twice.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ..db import begin_write, rows_changed
from ..errors import UserError
from ..models import AuditCode, Election, PollingStation, Receipt, SpoilRecord, utcnow
from ..protocol import codes
from ..protocol.chain import hour_stamp
from ..rounds import check_open, current_round
from ..settings import box_of
from .stations import station_of

STATE_ZH = {"printed": "未投入", "deposited": "已投入票箱", "spoiled": "已作废（写错换票）", "unused": "未使用已作废"}


def _receipt(db: Session, election: Election, scanned: str) -> Receipt:
    try:
        t = codes.parse(scanned)
    except codes.CodeError as error:
        raise UserError(f"无法识别的存根：{error}") from None
    r = codes.receipt_hash(election.uid, t)
    row = db.get(Receipt, (election.id, r))
    if row is None:
        raise UserError("未知存根：此回执码不在本次选举的印刷清单中，不得投入！")
    return row


def _refuse_used(row: Receipt) -> None:
    if row.state != "printed":
        raise UserError(f"拒绝：此选票{STATE_ZH.get(row.state, row.state)}，不能再投入或作废！")


def _claim_receipt(db: Session, row: Receipt, **values) -> None:
    """Move a printed stub to its next state exactly once: a conditional UPDATE that only a
    row still "printed" matches. Of two boxes scanning one stub at once, PostgreSQL makes the
    second wait for the first's commit and then match nothing; SQLite serialises the writers
    (BEGIN IMMEDIATE). The loser is refused with the stub's new state, like a later scan."""
    done = rows_changed(db.execute(
        update(Receipt)
        .where(Receipt.election_id == row.election_id, Receipt.r_hash == row.r_hash, Receipt.state == "printed")
        .values(**values)
        .execution_options(synchronize_session=False)
    ))
    db.refresh(row)
    if done != 1:
        _refuse_used(row)
        raise UserError("拒绝：此存根刚被另一处扫描，不能再投入或作废！")


def _claim_audit(db: Session, row: AuditCode) -> None:
    """Void a printed body exactly once (the same conditional UPDATE as for stubs)."""
    done = rows_changed(db.execute(
        update(AuditCode)
        .where(AuditCode.election_id == row.election_id, AuditCode.d_hash == row.d_hash, AuditCode.state == "printed")
        .values(state="voided")
        .execution_options(synchronize_session=False)
    ))
    if done != 1:
        raise UserError("拒绝：此选票正面已作废或已计票！")
    db.refresh(row)


def _of_current_round(db: Session, election: Election, row: Receipt) -> None:
    """Only papers of the round being voted are deposited, spoiled or voided; a stub of an
    earlier round (taken home, found later) is refused, and so is any once the round's
    result is published."""
    current = current_round(db, election)
    number = current.number
    if row.round_number != number:
        raise UserError(f"拒绝：此存根是第 {row.round_number} 轮的选票，现在进行的是第 {number} 轮投票，不得投入或作废！")
    check_open(db, election, number, known=current)


@dataclass
class DepositResult:
    box_label: str
    hour: str


def deposit(db: Session, election: Election, box_id: int, scanned: str, moment: datetime | None = None) -> DepositResult:
    """Record the scanned stub's R under the box with the hour. Commits."""
    begin_write(db)
    try:
        box = box_of(db, election, box_id)
        row = _receipt(db, election, scanned)
        _refuse_used(row)
        _of_current_round(db, election, row)
        hour = hour_stamp(moment or utcnow())
        _claim_receipt(db, row, state="deposited", box_id=box.id, deposited_hour=hour)
        db.commit()
    except Exception:
        db.rollback()
        raise
    return DepositResult(box.label, hour)


def deposit_batch(db: Session, election: Election, box_id: int, scans: list[dict]) -> list[dict]:
    """Sync an offline queue: [{"id": client id, "code": scanned text, "hour": optional}].

    Each item answers "ok", "duplicate" (already deposited in this box: a re-sent item) or
    "refused" with the reason. The client drops items answered ok/duplicate/refused.
    """
    out = []
    box_of(db, election, box_id)
    for item in scans[:500]:
        cid = str(item.get("id", ""))[:64]
        text = str(item.get("code", ""))
        hour = str(item.get("hour") or "")
        moment = None
        try:
            moment = datetime.strptime(hour, "%Y-%m-%dT%H") if hour else None
        except ValueError:
            moment = None
        try:
            deposit(db, election, box_id, text, moment)
            out.append({"id": cid, "status": "ok"})
        except UserError as error:
            db.rollback()
            try:
                row = _receipt(db, election, text)
            except UserError:
                row = None
            if row is not None and row.state == "deposited" and row.box_id == box_id:
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
        raise UserError("未知选票：此审计码不在本次选举的印刷清单中！")
    if row.state != "printed":
        raise UserError("拒绝：此选票背面已作废或已计票！")
    if row.round_number != round_number:
        raise UserError(f"拒绝：选票背面是第 {row.round_number} 轮的选票，存根却是第 {round_number} 轮的，二者不是同一张选票！")
    return row


def spoil(db: Session, election: Election, station_id: int, stub: str, body: str, moment: datetime | None = None) -> None:
    """写错换票: void the spoiled paper's stub (R) and body (A); count a spoil at the station.
    The voter's Issuance stays; the desk hands over a new paper. Commits."""
    begin_write(db)
    try:
        station = station_of(db, election, station_id)
        r = _receipt(db, election, stub)
        _refuse_used(r)
        _of_current_round(db, election, r)
        a = _audit(db, election, body, r.round_number)
        _claim_receipt(db, r, state="spoiled")
        _claim_audit(db, a)
        db.add(SpoilRecord(election_id=election.id, round_number=r.round_number, station_id=station.id,
                           hour=hour_stamp(moment or utcnow())))
        db.commit()
    except Exception:
        db.rollback()
        raise


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
    """At close: an unused paper's stub and body are scanned and voided. Commits."""
    begin_write(db)
    try:
        r = _receipt(db, election, stub)
        _refuse_used(r)
        _of_current_round(db, election, r)
        a = _audit(db, election, body, r.round_number)
        _claim_receipt(db, r, state="unused")
        _claim_audit(db, a)
        db.commit()
    except Exception:
        db.rollback()
        raise


def receipt_state(db: Session, election: Election, scanned: str) -> str:
    return STATE_ZH.get(_receipt(db, election, scanned).state, "")
