"""Voiding unused papers in bulk at the close of a round's poll (未用选票作废).

Two ways, both for the round being voted:

- a batch scan: every unused paper's stub and back scanned one after the other into one
  field, sent once; each paper (a stub with its back, in either order) is voided on its
  own, so one refused paper names itself and the others still go through;
- a whole print batch (印刷批次): the committee counts the batch's unused papers and enters
  the number; every stub and back of that batch not yet deposited, spoiled, counted or
  voided is voided, but only when the count equals both what the system holds of the
  batch's stubs and of its backs. Stubs and backs are not linked (secrecy), so the backs
  still open are the unused papers' only once every deposited paper of the batch has been
  counted: before that the numbers differ and the page says to wait or to scan. A paper
  handed out and taken away makes the stub numbers differ, and then the papers are
  scanned instead. The papers carry no serial number (nothing records their printing
  order), so a batch is the range there is.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ..db import begin_write, rows_changed
from ..errors import UserError
from ..ledger.events import record_event
from ..models import AuditCode, Election, PrintBatch, Receipt
from ..protocol import codes
from ..protocol import event_kinds as ek
from ..rounds import check_open, current_round
from ..rules.phrase import phrase
from .deposit import void_unused


@dataclass(frozen=True)
class ScanOutcome:
    paper: int  # 1-based position of the paper in the scanned list
    ok: bool
    message: str


def _pairs(lines: list[str]) -> list[tuple[str, str] | str]:
    """The scanned lines two by two as (stub, back); a pair that is not one of each is
    returned as the message saying so."""
    out: list[tuple[str, str] | str] = []
    for i in range(0, len(lines), 2):
        pair = lines[i:i + 2]
        if len(pair) < 2:
            out.append("只扫描了一面：每张未用选票须扫描存根和背面各一次")
            continue
        backs = [s for s in pair if s.upper().startswith(codes.AUDIT_QR_PREFIX)]
        if len(backs) != 1:
            out.append("须一次存根、一次背面：这两次扫描" + ("都是背面" if len(backs) == 2 else "都是存根"))
            continue
        stub = pair[0] if pair[1] == backs[0] else pair[1]
        out.append((stub, backs[0]))
    return out


def void_scanned(db: Session, election: Election, text: str) -> list[ScanOutcome]:
    """Void every paper of a batch scan; one outcome per paper, in scanned order."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if not lines:
        raise UserError("请逐张扫描未用选票的存根和背面（每张两次扫描），再提交")
    out = []
    for n, pair in enumerate(_pairs(lines), start=1):
        if isinstance(pair, str):
            out.append(ScanOutcome(n, False, pair))
            continue
        try:
            void_unused(db, election, pair[0], pair[1])  # commits each paper on its own
        except UserError as error:
            db.rollback()
            out.append(ScanOutcome(n, False, "；".join(error.messages)))
        else:
            out.append(ScanOutcome(n, True, "已作废"))
    return out


@dataclass(frozen=True)
class BatchLeft:
    batch: int
    body: str
    printed: int
    left: int  # stubs neither deposited, spoiled nor voided
    backs_left: int  # backs neither counted nor voided


def batches_left(db: Session, election: Election) -> list[BatchLeft]:
    """The current round's print batches with how many of their papers are still open."""
    number = current_round(db, election).number
    # A paper handed out at a desk is never unused (polling.handout): not counted here.
    left = dict(db.execute(select(Receipt.batch, func.count()).where(
        Receipt.election_id == election.id, Receipt.round_number == number, Receipt.state == "printed",
        Receipt.handed_station_id.is_(None),
    ).group_by(Receipt.batch)).all())
    backs = dict(db.execute(select(AuditCode.batch, func.count()).where(
        AuditCode.election_id == election.id, AuditCode.round_number == number, AuditCode.state == "printed",
    ).group_by(AuditCode.batch)).all())
    return [BatchLeft(b.batch, b.body, b.papers, int(left.get(b.batch, 0)), int(backs.get(b.batch, 0))) for b in db.scalars(
        select(PrintBatch).where(PrintBatch.election_id == election.id, PrintBatch.round_number == number)
        .order_by(PrintBatch.batch))]


def void_batch(db: Session, election: Election, batch: int, counted: int, actor: str) -> int:
    """Void the rest of one print batch of the current round, counted by hand. Returns the
    number of papers voided."""
    rnd = current_round(db, election)
    check_open(db, election, rnd.number, known=rnd)
    found = next((b for b in batches_left(db, election) if b.batch == batch), None)
    shown = batch + 1  # people count print runs from 1 (第 1 批); the records from 0
    if found is None:
        raise UserError(phrase("第 %(round)s 轮没有第 %(batch)s 批印制的选票", round=rnd.number, batch=shown))
    if counted < 1:
        raise UserError(phrase("请填写清点的未用选票张数（正整数）"))
    if counted != found.left:
        raise UserError(phrase(
            "第 %(batch)s 批选票系统中尚有 %(left)s 张未投入、未作废，清点为 %(counted)s 张，不一致：可能有选民领票后未投入，"
            "或有选票已另行扫描作废。请重新清点，或逐张扫描作废", batch=shown, left=found.left, counted=counted))
    if found.backs_left < counted:
        raise UserError(phrase("第 %(batch)s 批选票的背面系统中只剩 %(left)s 张未计票、未作废，少于清点的 %(counted)s 张，"
                               "请逐张扫描作废", batch=shown, left=found.backs_left, counted=counted))
    if found.backs_left > counted:
        raise UserError(phrase(
            "第 %(batch)s 批还有 %(n)s 张已发出的选票尚未计票（已投入未计票，或领票后未投入）："
            "整批作废须在本批选票全部计票之后，或现在逐张扫描作废", batch=shown, n=found.backs_left - counted))
    begin_write(db)
    where = (Receipt.election_id == election.id, Receipt.round_number == rnd.number, Receipt.batch == batch,
             Receipt.state == "printed", Receipt.handed_station_id.is_(None))
    stubs = rows_changed(db.execute(update(Receipt).where(*where).values(state="unused")
                                    .execution_options(synchronize_session=False)))
    backs = rows_changed(db.execute(
        update(AuditCode).where(AuditCode.election_id == election.id, AuditCode.round_number == rnd.number,
                                AuditCode.batch == batch, AuditCode.state == "printed")
        .values(state="voided").execution_options(synchronize_session=False)))
    if stubs != counted or backs != counted:
        # Another desk acted on this batch in between: nothing is kept.
        db.rollback()
        raise UserError(phrase("第 %(batch)s 批选票刚有变动（存根 %(stubs)s 张、背面 %(backs)s 张），请刷新后重新清点",
                               batch=shown, stubs=stubs, backs=backs))
    record_event(db, election, ek.POLLING_UNUSED_VOIDED,
                 {"round": rnd.number, "batch": batch, "papers": counted}, actor)
    db.flush()
    return counted
