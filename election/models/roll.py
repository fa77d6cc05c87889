"""The voter roll: households and residents of one election's community.

ID numbers are stored encrypted (AES-256-GCM, election.pii) and looked up by a keyed hash (HMAC), with a
masked form for display; the card code on the voter card is random, never the ID.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, ColumnElement, Date, ForeignKey, Integer, String, Text, UniqueConstraint, and_
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow

CATEGORIES = {"hukou": "本社区户籍", "resident": "非户籍常住", "worker": "社区工作者"}
STATUSES = {
    "registered": "已登记",
    "pending": "待申请",
    "removed": "已除名",
    "deceased": "已死亡",
    "moved_out": "已迁出",
    "deprived": "被剥夺政治权利",
    "no_capacity": "无民事行为能力",
    "ineligible": "不符合条件",
}


class Household(Base):
    __tablename__ = "household"
    __table_args__ = (UniqueConstraint("election_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    number: Mapped[str] = mapped_column(String(40))
    building: Mapped[str] = mapped_column(String(40))
    unit: Mapped[str] = mapped_column(String(40), default="")
    room: Mapped[str] = mapped_column(String(40), default="")
    group_name: Mapped[str] = mapped_column(String(60), default="")

    residents: Mapped[list[Resident]] = relationship(back_populates="household")


class Resident(Base):
    __tablename__ = "resident"
    # No index of its own on id_hash: the unique (election_id, id_hash) serves it (every
    # lookup by hash names the election), and each index more is written on every insert of
    # a roll import. election_id keeps its own: (election_id, id) seeks the residents an
    # import added.
    __table_args__ = (
        UniqueConstraint("election_id", "id_hash"),
        UniqueConstraint("election_id", "voter_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    name: Mapped[str] = mapped_column(String(60), index=True)
    sex: Mapped[str] = mapped_column(String(2))
    birth_date: Mapped[date] = mapped_column(Date)
    id_cipher: Mapped[str] = mapped_column(Text)
    id_hash: Mapped[str] = mapped_column(String(64))
    id_masked: Mapped[str] = mapped_column(String(18), index=True)
    phone_cipher: Mapped[str] = mapped_column(Text, default="")
    phone_masked: Mapped[str] = mapped_column(String(20), default="")
    group_name: Mapped[str] = mapped_column(String(60), default="", index=True)
    category: Mapped[str] = mapped_column(String(12))
    residence_since: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12), default="registered")
    status_basis: Mapped[str] = mapped_column(Text, default="")
    eligible: Mapped[bool] = mapped_column(Boolean, default=False)
    double_registration: Mapped[bool] = mapped_column(Boolean, default=False)
    voter_number: Mapped[int | None] = mapped_column(Integer)
    card_code: Mapped[str | None] = mapped_column(String(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    household: Mapped[Household] = relationship(back_populates="residents")

    @hybrid_property
    def is_voter(self) -> bool:
        """Who is a voter, the one definition: registered and eligible. On a row it is a
        bool; in a query (``Resident.is_voter``) the same test as SQL."""
        return self.status == "registered" and bool(self.eligible)

    @is_voter.inplace.expression
    @classmethod
    def _is_voter_expression(cls) -> ColumnElement[bool]:
        return and_(cls.status == "registered", cls.eligible.is_(True))
