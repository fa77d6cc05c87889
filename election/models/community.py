"""Communities (社区) and their elections (换届选举): the two records every other record
belongs to. The rulebook travels with the election as canonical JSON."""
from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow

METHODS = {
    "direct": "全体选民直接选举",
    "household": "户代表选举",
    "representative": "居民代表选举",
}


class Community(Base):
    __tablename__ = "community"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    street_office: Mapped[str] = mapped_column(String(100), index=True)
    households: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    elections: Mapped[list[Election]] = relationship(back_populates="community")


class Election(Base):
    __tablename__ = "election"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Globally unique: it goes into every receipt and audit hash (domain separation).
    uid: Mapped[str] = mapped_column(String(32), unique=True, default=lambda: uuid.uuid4().hex)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    election_day: Mapped[date] = mapped_column(Date)
    method: Mapped[str] = mapped_column(String(20))
    preset: Mapped[str] = mapped_column(String(40))
    rulebook: Mapped[dict] = mapped_column(JSON)
    jwh_deputies: Mapped[int] = mapped_column(Integer)
    jwh_members: Mapped[int] = mapped_column(Integer)
    jdw_deputies: Mapped[int] = mapped_column(Integer)
    jdw_members: Mapped[int] = mapped_column(Integer)
    paper_size: Mapped[str] = mapped_column(String(4), default="A4")
    paper_layout: Mapped[str] = mapped_column(String(10), default="one")
    notes: Mapped[str] = mapped_column(Text, default="")
    roll_published_on: Mapped[date | None] = mapped_column(Date, default=None)
    roll_frozen_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    community: Mapped[Community] = relationship(back_populates="elections")

    @property
    def method_label(self) -> str:
        return METHODS.get(self.method, self.method)

    @property
    def rulebook_frozen(self) -> bool:
        return self.roll_published_on is not None
