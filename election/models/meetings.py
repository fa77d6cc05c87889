"""Meetings between elections (issue 20): a 居民会议, 居民代表会议 or 居民小组会议 as convened
(by whom, on whose request, announced when), who came (one row per person, recorded at the
door), and each decision with its show-of-hands totals and the rule that decided it."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class Meeting(Base):
    __tablename__ = "meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # residents | representatives | group
    basis: Mapped[str] = mapped_column(String(20))  # rules.meetings.MEETING_BASES
    group_name: Mapped[str] = mapped_column(String(60), default="")
    title: Mapped[str] = mapped_column(String(200))
    agenda: Mapped[str] = mapped_column(Text, default="")
    # "committee" (the 居委会 calls it) or "request" (on request of the share the rulebook names)
    convened_by: Mapped[str] = mapped_column(String(12))
    request_base: Mapped[str] = mapped_column(String(20), default="")
    request_supporters: Mapped[int | None] = mapped_column(Integer)
    request_total: Mapped[int | None] = mapped_column(Integer)
    notice_on: Mapped[date] = mapped_column(Date)
    held_on: Mapped[date] = mapped_column(Date)
    place: Mapped[str] = mapped_column(String(200), default="")
    members: Mapped[int] = mapped_column(Integer)  # entitled to attend, fixed when convened
    status: Mapped[str] = mapped_column(String(10), default="convened")  # convened | closed
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MeetingAttendance(Base):
    """One person recorded at the door; a household (basis households) is present once. One
    who leaves keeps the row with ``left_at`` set (counted present again if they return);
    the quorum counts the rows without it."""

    __tablename__ = "meeting_attendance"
    __table_args__ = (UniqueConstraint("meeting_id", "resident_id"), UniqueConstraint("meeting_id", "unit"))

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"))
    # What counts once towards the quorum: "r<resident id>", or "h<household id>" by household.
    unit: Mapped[str] = mapped_column(String(24))
    how: Mapped[str] = mapped_column(String(6))  # card | name
    recorded_by: Mapped[str] = mapped_column(String(80))
    left_at: Mapped[datetime | None] = mapped_column(default=None)  # 离场: when recorded leaving
    left_by: Mapped[str | None] = mapped_column(String(80), default=None)


class MeetingDecision(Base):
    __tablename__ = "meeting_decision"
    __table_args__ = (UniqueConstraint("meeting_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    motion: Mapped[str] = mapped_column(Text)
    present: Mapped[int] = mapped_column(Integer)
    in_favour: Mapped[int] = mapped_column(Integer)
    against: Mapped[int] = mapped_column(Integer)
    abstain: Mapped[int] = mapped_column(Integer)
    adopted: Mapped[bool] = mapped_column(Boolean)
    message: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(80))


class MeetingVote(Base):
    """A meeting's motion voted on secret paper (表决票): a round of kind "motion" whose one
    line is this motion, not a person. Those who may take a paper are those recorded present;
    the list is frozen when the first paper is handed out (``electors``: how many were
    present then, ``last_attendance``: the last attendance row counted), so a late arrival
    changes neither the base nor who votes. ``decision_id``: the meeting's decision once the
    round's result is published."""

    __tablename__ = "meeting_vote"
    __table_args__ = (UniqueConstraint("election_id", "round_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    round_number: Mapped[int] = mapped_column(Integer)
    motion: Mapped[str] = mapped_column(Text)
    electors: Mapped[int | None] = mapped_column(Integer)
    last_attendance: Mapped[int | None] = mapped_column(Integer)
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("meeting_decision.id"))
    called_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
