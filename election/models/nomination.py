"""Nominees and formal candidates per post (post keys as in election.rules.bodies)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow
from .roll import Resident

CANDIDATE_STATUSES = {"nominee": "被提名人", "formal": "正式候选人", "withdrawn": "已退出", "not_selected": "未入选"}


class Candidate(Base):
    __tablename__ = "candidate"
    __table_args__ = (UniqueConstraint("election_id", "post", "resident_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"), index=True)
    post: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(12), default="nominee")
    ballot_order: Mapped[int | None] = mapped_column(Integer)
    education: Mapped[str] = mapped_column(String(40), default="")
    current_job: Mapped[str] = mapped_column(String(100), default="")
    biography: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    resident: Mapped[Resident] = relationship()
