"""Resident representatives (居民代表), group leaders (居民小组长) and the election
committee (居民选举委员会) of one election.

Areas (推选片区) hold their households through `rep_area_household`, whose UNIQUE
household_id is the database's guarantee that a household is in one area only. The
committee keeps the full original selection result (`committee_entry`, one row per
person in vote order), so 依次递补 can always find the next person.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow

REP_METHODS = {"households": "每30至50户推选1名", "groups": "每个居民小组推选3至5名"}
REP_STATUSES = {"serving": "在任", "resigned": "已辞去", "replaced": "已由补选替代"}
COMMITTEE_BODIES = {
    "residents_meeting": "居民会议", "representatives_meeting": "居民代表会议", "groups": "各居民小组",
}


class RepPlan(Base):
    """How this election chooses its representatives (chosen per election)."""

    __tablename__ = "rep_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), unique=True)
    method: Mapped[str] = mapped_column(String(12))


class RepArea(Base):
    """One constituency: a 推选片区 (household method) or a 居民小组 (group method)."""

    __tablename__ = "rep_area"
    __table_args__ = (UniqueConstraint("election_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    group_name: Mapped[str] = mapped_column(String(60), default="")
    seats: Mapped[int] = mapped_column(Integer, default=1)
    explanation: Mapped[str] = mapped_column(Text)

    members: Mapped[list[RepAreaHousehold]] = relationship(
        back_populates="area", cascade="all, delete-orphan", order_by="RepAreaHousehold.position"
    )


class RepAreaHousehold(Base):
    __tablename__ = "rep_area_household"

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("rep_area.id", ondelete="CASCADE"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), unique=True)
    position: Mapped[int] = mapped_column(Integer)

    area: Mapped[RepArea] = relationship(back_populates="members")


class SelectionMeeting(Base):
    """A recorded 推选会议: for an area's representatives or a group's leader."""

    __tablename__ = "selection_meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # "representative" | "group_leader"
    area_id: Mapped[int | None] = mapped_column(ForeignKey("rep_area.id"), index=True)
    group_name: Mapped[str] = mapped_column(String(60), default="")
    held_on: Mapped[date] = mapped_column(Date)
    entitled: Mapped[int] = mapped_column(Integer)
    present: Mapped[int] = mapped_column(Integer)
    basis: Mapped[str] = mapped_column(String(12), default="households")
    # [[resident_id, name, votes], ...] most votes first
    votes: Mapped[list] = mapped_column(JSON)
    revote_needed: Mapped[bool] = mapped_column(Boolean, default=False)
    message: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class Representative(Base):
    __tablename__ = "representative"

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("rep_area.id"), index=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"), index=True)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("selection_meeting.id"))
    votes: Mapped[int | None] = mapped_column(Integer)
    since: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default="serving")
    ended_on: Mapped[date | None] = mapped_column(Date)
    end_reason: Mapped[str] = mapped_column(Text, default="")
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("representative.id"))
    by_election_reason: Mapped[str] = mapped_column(Text, default="")


class GroupLeader(Base):
    __tablename__ = "group_leader"
    __table_args__ = (UniqueConstraint("election_id", "group_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    group_name: Mapped[str] = mapped_column(String(60))
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"))
    meeting_id: Mapped[int] = mapped_column(ForeignKey("selection_meeting.id"))
    votes: Mapped[int] = mapped_column(Integer)


class CommitteeEntry(Base):
    """One person of the committee's ORIGINAL selection result, with where they stand now."""

    __tablename__ = "committee_entry"
    __table_args__ = (UniqueConstraint("election_id", "resident_id"), UniqueConstraint("election_id", "rank"))

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"))
    label: Mapped[str] = mapped_column(String(80))  # the name, made unique within the result
    rank: Mapped[int] = mapped_column(Integer)
    votes: Mapped[int] = mapped_column(Integer)
    chosen_by: Mapped[str] = mapped_column(String(30))
    seated: Mapped[bool] = mapped_column(Boolean, default=False)
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False)
    withdrawn_reason: Mapped[str] = mapped_column(Text, default="")
    is_chair: Mapped[bool] = mapped_column(Boolean, default=False)
    seated_by_succession: Mapped[bool] = mapped_column(Boolean, default=False)
