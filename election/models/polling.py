"""Polling stations, mobile boxes, desks and ballot issuance.

An `Issuance` row records only that a voter received a paper at a desk and hour, never
which paper; UNIQUE(election, round, voter) is the last guard of one voter, one ballot.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow, utcnow_hour


class PollingStation(Base):
    __tablename__ = "polling_station"
    __table_args__ = (UniqueConstraint("election_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    mobile: Mapped[bool] = mapped_column(Boolean, default=False)
    scrutineers: Mapped[list] = mapped_column(JSON, default=list)
    # 秘密写票处 set up at the station (RULES.md "secret booth", secret_booth_required).
    booths: Mapped[int] = mapped_column(Integer, default=0)
    papers_handed_over: Mapped[int] = mapped_column(Integer, default=0)
    handover_signed_by: Mapped[str] = mapped_column(String(120), default="")

    boxes: Mapped[list[BallotBox]] = relationship(back_populates="station")
    desks: Mapped[list[Desk]] = relationship(back_populates="station")


class BallotBox(Base):
    __tablename__ = "ballot_box"

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("polling_station.id"), index=True)
    label: Mapped[str] = mapped_column(String(40))
    mobile: Mapped[bool] = mapped_column(Boolean, default=False)

    station: Mapped[PollingStation] = relationship(back_populates="boxes")


class Desk(Base):
    __tablename__ = "desk"

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("polling_station.id"), index=True)
    name: Mapped[str] = mapped_column(String(40))

    station: Mapped[PollingStation] = relationship(back_populates="desks")


class Issuance(Base):
    __tablename__ = "issuance"
    __table_args__ = (UniqueConstraint("election_id", "round_number", "voter_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    round_number: Mapped[int] = mapped_column(Integer)
    voter_id: Mapped[int] = mapped_column(ForeignKey("resident.id"))
    station_id: Mapped[int] = mapped_column(ForeignKey("polling_station.id"), index=True)
    desk_id: Mapped[int | None] = mapped_column(ForeignKey("desk.id"))
    # Set when a proxy holder collected this voter's paper.
    collected_by_id: Mapped[int | None] = mapped_column(ForeignKey("resident.id"), index=True)
    # The hour only (issue 15): a finer time would give the order of check-ins.
    issued_at: Mapped[datetime] = mapped_column(default=utcnow_hour)
    clerk: Mapped[str] = mapped_column(String(80))
    note: Mapped[str] = mapped_column(Text, default="")


class Proxy(Base):
    """A written proxy authorisation (委托投票), approved by the committee before the day.

    One per entrusting voter and election; the holder collects one paper per authorisation
    (an Issuance for the entrusting voter with collected_by_id = holder).
    """

    __tablename__ = "proxy"
    __table_args__ = (UniqueConstraint("election_id", "voter_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    voter_id: Mapped[int] = mapped_column(ForeignKey("resident.id"))
    holder_id: Mapped[int] = mapped_column(ForeignKey("resident.id"), index=True)
    signed_on: Mapped[date] = mapped_column(Date)
    approved_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MobileBoxVoter(Base):
    """A voter registered in advance as unable to come, served by one mobile box."""

    __tablename__ = "mobile_box_voter"
    __table_args__ = (UniqueConstraint("election_id", "voter_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    box_id: Mapped[int] = mapped_column(ForeignKey("ballot_box.id"), index=True)
    voter_id: Mapped[int] = mapped_column(ForeignKey("resident.id"))
    reason: Mapped[str] = mapped_column(String(80), default="")


class PrintBatch(Base):
    """One print run (batch 0) or reprint supplement (1, 2, ...): the published manifest
    (two independently sorted hash lists, no pairing) and its signature by the election key."""

    __tablename__ = "print_batch"
    __table_args__ = (UniqueConstraint("election_id", "batch"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    round_number: Mapped[int] = mapped_column(Integer)
    batch: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(String(10), default="")  # "" = all posts on one paper
    papers: Mapped[int] = mapped_column(Integer)
    manifest: Mapped[dict] = mapped_column(JSON)
    digest: Mapped[str] = mapped_column(String(64))
    signature: Mapped[dict] = mapped_column(JSON)
    printed_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SpoilRecord(Base):
    """One spoiled paper exchanged at a station (写错换票): round, station and hour only."""

    __tablename__ = "spoil_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    round_number: Mapped[int] = mapped_column(Integer, default=1)
    station_id: Mapped[int] = mapped_column(ForeignKey("polling_station.id"), index=True)
    hour: Mapped[str] = mapped_column(String(13))


class ReconciliationNote(Base):
    """A difference found at the close of a round (选票清点) and the committee's explanation of it."""

    __tablename__ = "reconciliation_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    round_number: Mapped[int] = mapped_column(Integer, default=1)
    code: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(120), default="")
    message: Mapped[str] = mapped_column(Text)
    explanation: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
