"""Records of the roll beyond households and residents: applications to be registered
(非户籍常住居民、社区工作者) and objections to the published list (申诉), each with its decision."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow
from .roll import Resident

APPLICATION_KINDS = {"resident": "非户籍常住居民申请登记", "worker": "社区工作者申请登记"}
APPLICATION_RESULTS = {"approved": "已登记", "refused": "不符合条件"}
OBJECTION_STATUSES = {"open": "待处理", "upheld": "申诉成立", "rejected": "申诉不成立"}


class RollApplication(Base):
    """One application to be registered, with the dates it rests on and the outcome."""

    __tablename__ = "roll_application"

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    since: Mapped[date] = mapped_column(Date)
    # The applicant declares being registered nowhere else (one roll only).
    declared_single: Mapped[bool] = mapped_column(default=False)
    # The recommendation a community worker's application rests on where the rulebook asks
    # for one (community_worker_recommendation, [P:JS]): who recommended, the document.
    recommendation: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[str] = mapped_column(String(10))
    reasons: Mapped[str] = mapped_column(Text, default="")
    entered_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    resident: Mapped[Resident] = relationship()

    @property
    def kind_label(self) -> str:
        return APPLICATION_KINDS.get(self.kind, self.kind)


class Objection(Base):
    """An objection (申诉) to the published roll and the committee's decision on it."""

    __tablename__ = "roll_objection"

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("resident.id"), index=True)
    objector: Mapped[str] = mapped_column(String(60))
    text: Mapped[str] = mapped_column(Text)
    filed_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="open")
    decision: Mapped[str] = mapped_column(Text, default="")
    decided_on: Mapped[date | None] = mapped_column(Date, default=None)
    decided_by: Mapped[str | None] = mapped_column(String(80), default=None)
    entered_by: Mapped[str] = mapped_column(String(80))

    resident: Mapped[Resident | None] = relationship()

    @property
    def status_label(self) -> str:
        return OBJECTION_STATUSES.get(self.status, self.status)


class HouseholdRep(Base):
    """The representative a household designated for the household method (户代表选举):
    one per household, with the household's written designation (who signed, how) so the
    committee can show on what basis this person casts the household's one paper."""

    __tablename__ = "household_rep"
    __table_args__ = (UniqueConstraint("election_id", "household_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"), index=True)
    designation: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    resident: Mapped[Resident] = relationship()
