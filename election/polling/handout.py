"""The pool of papers handed out (发出选票): a stub goes into the box only if its paper was
handed out at a desk (or by the mobile box) of the box's own station.

As a clerk hands a paper across the desk, the stub's QR is scanned; the paper's receipt
row then names the station (``Receipt.handed_station_id``) — and nothing else: no voter,
desk, clerk or time, and the check-in is a request and a transaction of its own. The pool
is the set of a station's handed-out receipts; its rows are keyed by the receipt hash and
rewritten in hash order by the scrub at the close of poll, like every deposit.

A station never hands out more papers than its check-ins call for: handed-out papers are
at most issuances × papers per voter + papers spoiled and exchanged there. So a clerk
cannot fill the pool with a stack, and a paper that left the station unscanned (or came
from another station, a reprint or the store) is refused at every box: chain voting must
start from a paper a checked-in voter carried out, which costs that voter's own vote.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..db import is_sqlite, own_transaction
from ..errors import UserError
from ..models import Election, Issuance, PollingStation, Receipt, SpoilRecord
from ..rounds import HAND_OUT, check_poll_open
from ..rules.phrase import phrase
from .close import papers_per_voter
from .stations import station_of
from .stubs import claim_receipt, printed_stub_of, refuse_used


@dataclass
class HandOutResult:
    station: str
    handed: int  # papers of the round handed out at this station so far
    allowed: int  # papers its check-ins and exchanges call for


def allowance(db: Session, election: Election, station: PollingStation, round_number: int) -> tuple[int, int]:
    """(papers handed out at the station in the round, papers its check-ins call for)."""
    issued = db.scalar(select(func.count()).select_from(Issuance).where(
        Issuance.election_id == election.id, Issuance.round_number == round_number,
        Issuance.station_id == station.id)) or 0
    spoiled = db.scalar(select(func.count()).select_from(SpoilRecord).where(
        SpoilRecord.election_id == election.id, SpoilRecord.round_number == round_number,
        SpoilRecord.station_id == station.id)) or 0
    handed = db.scalar(select(func.count()).select_from(Receipt).where(
        Receipt.election_id == election.id, Receipt.round_number == round_number,
        Receipt.handed_station_id == station.id)) or 0
    return handed, issued * papers_per_voter(db, election, round_number) + spoiled


def hand_out(db: Session, election: Election, station_id: int, scanned: str) -> HandOutResult:
    """Put the scanned stub's paper into the station's pool. Commits.

    Refused (database unchanged): an unknown stub, one used or of another round, one of a
    round whose poll is closed, one handed out already (here or elsewhere), and one more than the station's check-ins call for.
    Two desks of a station handing out at once are serialised on the station's row
    (PostgreSQL) or the write lock (SQLite), so the allowance holds under races."""
    with own_transaction(db):
        station = station_of(db, election, station_id)
        if not is_sqlite(db):
            db.execute(select(PollingStation.id).where(PollingStation.id == station.id).with_for_update())
        row = printed_stub_of(db, election, scanned)
        check_poll_open(db, election.id, row.round_number, HAND_OUT)  # the round's row share-locked
        _refuse_handed(db, row, station)
        handed, allowed = allowance(db, election, station, row.round_number)
        if handed >= allowed:
            raise UserError(phrase(
                "拒绝：%(station)s本轮已发出 %(handed)s 张选票，已达到登记领票（含写错换票）应发的 %(allowed)s 张；"
                "请先在发票台为选民登记领票，再扫描发出的选票", station=station.name, handed=handed, allowed=allowed))
        if not claim_receipt(db, row, Receipt.handed_station_id.is_(None), handed_station_id=station.id):
            refuse_used(row)
            _refuse_handed(db, row, station)
            raise UserError(phrase("拒绝：此存根刚被另一处扫描，不能再发出！"))
    return HandOutResult(station.name, handed + 1, allowed)


def _refuse_handed(db: Session, row: Receipt, station: PollingStation) -> None:
    if row.handed_station_id is None:
        return
    if row.handed_station_id == station.id:
        raise UserError(phrase("拒绝：此选票已在本投票站发出，不能再次发出！"))
    raise UserError(phrase("拒绝：此选票已在“%(station)s”发出，不能再次发出！", station=_name(db, row.handed_station_id)))


def _name(db: Session, station_id: int) -> str:
    return db.scalar(select(PollingStation.name).where(PollingStation.id == station_id)) or str(station_id)


def refuse_not_handed_here(db: Session, row: Receipt, station_id: int) -> None:
    """The box's check: the paper was handed out at a desk of this station."""
    if row.handed_station_id == station_id:
        return
    if row.handed_station_id is None:
        raise UserError(phrase("拒绝：此选票没有在本投票站的发票台发出（不在本站已发出的选票中），不得投入！"
                               "可能是带出投票站或从别处取得的选票，请交监票人处理"))
    raise UserError(phrase("拒绝：此选票是在“%(station)s”发出的，不是在本投票站发出的，不得投入本票箱！",
                           station=_name(db, row.handed_station_id)))
