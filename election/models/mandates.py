"""Between elections (issue 20): the end of a member's term before the term ends
(resignation, death, moving away, loss of office, recall, incompatibility [V art.32]), which leaves the seat vacant,
and recall proposals with their signatures, the member's defence and the vote."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow

END_REASONS = {
    "resigned": "书面辞职",
    "died": "死亡",
    "moved": "迁出本社区",
    "unfit": "连续两次民主评议不称职，职务终止",
    "recalled": "被罢免",
    # [V art.32]: a 监督委员会 member a meeting chose who is, or whose near relative is, a
    # member of the 居民委员会 elected since (mandates.service.barred).
    "barred": "任职回避（本人或近亲属为居民委员会成员）",
}
RECALL_STATUSES = {"proposed": "已提出", "voting": "表决票投票中", "carried": "罢免通过", "failed": "罢免未通过", "void": "投票无效"}


class MandateEnd(Base):
    """A member elected by a published round who left the seat, and why."""

    __tablename__ = "mandate_end"
    __table_args__ = (UniqueConstraint("election_id", "post", "resident_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    post: Mapped[str] = mapped_column(String(20))
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"))
    ended_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(80))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class ChosenMember(Base):
    """A 居务监督委员会 member chosen by a 居民会议 or 居民代表会议 (jdw_chosen_by), from the
    meeting's adopted decision it cites; serves from the meeting's day like an elected one."""

    __tablename__ = "chosen_member"
    __table_args__ = (UniqueConstraint("election_id", "post", "resident_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    post: Mapped[str] = mapped_column(String(20))
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"))
    meeting_decision_id: Mapped[int] = mapped_column(ForeignKey("meeting_decision.id"))
    since: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(80))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class Recall(Base):
    """A recall (罢免) proposal against one member, and its vote."""

    __tablename__ = "recall"

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    post: Mapped[str] = mapped_column(String(20))
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"))
    reasons: Mapped[str] = mapped_column(Text)
    base: Mapped[str] = mapped_column(String(16))  # voters | representatives
    signers: Mapped[int] = mapped_column(Integer)
    base_total: Mapped[int] = mapped_column(Integer)
    filed_on: Mapped[date] = mapped_column(Date)
    defence: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="proposed")
    registered: Mapped[int | None] = mapped_column(Integer)
    voted: Mapped[int | None] = mapped_column(Integer)
    in_favour: Mapped[int | None] = mapped_column(Integer)
    voted_on: Mapped[date | None] = mapped_column(Date)
    message: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(80))


class RecallSignature(Base):
    """One signer of a recall proposal, checked against the roll, counted once."""

    __tablename__ = "recall_signature"
    __table_args__ = (UniqueConstraint("recall_id", "resident_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recall_id: Mapped[int] = mapped_column(ForeignKey("recall.id"), index=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"))
