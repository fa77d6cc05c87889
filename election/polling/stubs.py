"""A paper's stub (R) as the polling services read it: the row a scanned stub names, its
states in Chinese, the refusals every scan shares, and the exactly-once move from
"printed" (a conditional UPDATE)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from ..db import rows_changed
from ..errors import UserError
from ..models import Election, Receipt
from ..protocol import codes
from ..rounds import check_open, current_round
from ..rules.phrase import phrase

# Phrases: a refusal names the state in the page's language (pybabel extracts them).
STATE_ZH = {"printed": phrase("未投入"), "deposited": phrase("已投入票箱"), "spoiled": phrase("已作废（写错换票）"),
            "unused": phrase("未使用已作废")}


def receipt_of(db: Session, election: Election, scanned: str) -> Receipt:
    """The printed stub a scanned (or typed) receipt code names; unknown codes refused."""
    try:
        t = codes.parse(scanned)
    except codes.CodeError as error:
        raise UserError(phrase("无法识别的存根：%(error)s", error=str(error))) from None
    r = codes.receipt_hash(election.uid, t)
    row = db.get(Receipt, (election.id, r))
    if row is None:
        raise UserError(phrase("未知存根：此回执码不在本次选举的印刷清单中，不得投入！"))
    return row


def refuse_used(row: Receipt) -> None:
    if row.state != "printed":
        raise UserError(phrase("拒绝：此选票%(state)s，不能再投入或作废！", state=STATE_ZH.get(row.state, row.state)))


def claim_receipt(db: Session, row: Receipt, *conditions: Any, **values: Any) -> bool:
    """Change a printed stub exactly once: a conditional UPDATE that only a row still
    "printed" (and meeting ``conditions``) matches. Of two scanners acting on one stub at
    once, PostgreSQL makes the second wait for the first's commit and then match nothing;
    SQLite serialises the writers (BEGIN IMMEDIATE). False for the loser; the row is
    refreshed either way."""
    done = rows_changed(db.execute(
        update(Receipt)
        .where(Receipt.election_id == row.election_id, Receipt.r_hash == row.r_hash, Receipt.state == "printed",
               *conditions)
        .values(**values)
        .execution_options(synchronize_session=False)
    ))
    db.refresh(row)
    return done == 1


def of_current_round(db: Session, election: Election, row: Receipt) -> None:
    """Only papers of the round being voted are handed out, deposited, spoiled or voided; a
    stub of an earlier round (taken home, found later) is refused, and so is any once the
    round's result is published."""
    current = current_round(db, election)
    number = current.number
    if row.round_number != number:
        raise UserError(phrase("拒绝：此存根是第 %(paper)s 轮的选票，现在进行的是第 %(now)s 轮投票，不得投入或作废！", paper=row.round_number, now=number))
    check_open(db, election, number, known=current)


def printed_stub_of(db: Session, election: Election, scanned: str) -> Receipt:
    """The stub a scan names, refused unless it is still printed and of the round being
    voted: what every hand-out, deposit, spoil and void checks first."""
    row = receipt_of(db, election, scanned)
    refuse_used(row)
    of_current_round(db, election, row)
    return row
