"""Polling stations, mobile boxes, desks and ballot issuance.

An `Issuance` row records only that a voter received a paper at a desk and time, never
which paper; UNIQUE(election, round, voter) is the last guard of one voter, one ballot.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow


class PollingStation(Base):
    __tablename__ = "polling_station"
    __table_args__ = (UniqueConstraint("election_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    mobile: Mapped[bool] = mapped_column(Boolean, default=False)
    scrutineers: Mapped[list] = mapped_column(JSON, default=list)
    papers_handed_over: Mapped[int] = mapped_column(Integer, default=0)
    handover_signed_by: Mapped[str] = mapped_column(String(120), default="")

    boxes: Mapped[list["BallotBox"]] = relationship(back_populates="station")
    desks: Mapped[list["Desk"]] = relationship(back_populates="station")


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
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    clerk: Mapped[str] = mapped_column(String(80))
    note: Mapped[str] = mapped_column(Text, default="")
