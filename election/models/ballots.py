"""Rounds and the two unlinked code tables of the ledger protocol (DESIGN.md).

`Receipt` holds R = H(receipt | election | T) and `AuditCode` holds D = H(audit |
election | A). The two tables share no key and no order: their primary keys are the
hashes, rows are inserted in sorted hash order (so neither rowid order nor any id
follows the printing order), and no column refers to a voter, a desk or the other
table. Deposits carry the hour only. Neither T nor A is ever stored.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base

ROUND_KINDS = {"main": "第一轮投票", "revote": "再次投票", "runoff": "另行选举", "byelection": "补选", "recall": "罢免投票",
               "motion": "会议表决"}


class Round(Base):
    __tablename__ = "ballot_round"
    __table_args__ = (UniqueConstraint("election_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10), default="main")
    # {post key: {"seats": n, "candidates": [candidate ids in ballot order], "reserved_woman_seats": n}}
    posts: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(12), default="open")
    # The day the round is voted and printed on its papers; None is the election day (round
    # 1). A run-off may be held on another day within the rulebook's window (RULES.md).
    held_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    # When the round's poll closed (polling.closed recorded: the committee's close of poll,
    # or the first counting step). Set once; from then on no paper of the round is issued,
    # handed out or deposited. The check-in reads it in its own statement (polling.issuance).
    poll_closed_at: Mapped[datetime | None] = mapped_column(default=None)


class Receipt(Base):
    __tablename__ = "receipt"

    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), primary_key=True)
    r_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    round_number: Mapped[int] = mapped_column(Integer)
    batch: Mapped[int] = mapped_column(Integer)
    # printed -> deposited | spoiled | unused
    state: Mapped[str] = mapped_column(String(10), default="printed")
    box_id: Mapped[int | None] = mapped_column(ForeignKey("ballot_box.id"), index=True)
    deposited_hour: Mapped[str | None] = mapped_column(String(13))
    # The pool of papers handed out (polling.handout): the station at whose desk (or mobile
    # box) this paper was handed to a voter; the box takes the stub only at that station.
    # No voter, desk, clerk or time: nothing pairs it with an issuance.
    handed_station_id: Mapped[int | None] = mapped_column(ForeignKey("polling_station.id"), index=True)


class AuditCode(Base):
    __tablename__ = "audit_code"

    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), primary_key=True)
    d_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    round_number: Mapped[int] = mapped_column(Integer)
    batch: Mapped[int] = mapped_column(Integer)
    # printed -> counted | voided
    state: Mapped[str] = mapped_column(String(10), default="printed")
    box_id: Mapped[int | None] = mapped_column(ForeignKey("ballot_box.id"), index=True)
    # The record of the paper: {post key: {"approve": [...], "oppose": [...], "write_ins": [...], "unreadable": bool}}
    marks: Mapped[dict | None] = mapped_column(JSON)
