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


CHANNELS = {
    "joint": "选民联名推荐",
    "household_joint": "户代表联名推荐",
    "self": "自荐",
    "residents_meeting": "居民会议提名",
    "reps_meeting": "居民代表会议提名",
    "party": "社区党组织提名",
}
RELATIONS = {"spouse": "配偶", "parent": "父母", "child": "子女", "sibling": "兄弟姐妹",
             "gparent": "祖父母、外祖父母", "gchild": "孙子女、外孙子女"}
# Relations that are not near relatives: they bar only across the two bodies, and only
# where the rulebook widens the 监督委员会 incompatibility (jdw_incompat_extended, [P:ZJ]).
EXTENDED_RELATIONS = frozenset({"gparent", "gchild"})


class Nomination(Base):
    """One way a nominee was put forward, with its evidence (a note or a document reference).

    For the 监督委员会 chair the Party organisation's proposal is confirmed by the street
    Party working committee (街道党工委/纪工委): `confirmed_by` holds that body's name."""

    __tablename__ = "nomination"

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidate.id"), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    evidence: Mapped[str] = mapped_column(Text, default="")
    # A nomination by a 居民会议 or 居民代表会议: the adopted decision of that meeting it cites.
    meeting_decision_id: Mapped[int | None] = mapped_column(ForeignKey("meeting_decision.id"), default=None)
    entered_by: Mapped[str] = mapped_column(String(80))
    confirmed_by: Mapped[str | None] = mapped_column(String(40), default=None)
    confirmed_note: Mapped[str] = mapped_column(Text, default="")
    confirmed_actor: Mapped[str | None] = mapped_column(String(80), default=None)
    # A confirmation refused (驳回): the body that refused and its reason; the nominee then
    # cannot become a formal candidate and withdraws so that another can be proposed.
    rejected_by: Mapped[str | None] = mapped_column(String(40), default=None)
    rejected_reason: Mapped[str] = mapped_column(Text, default="")
    rejected_actor: Mapped[str | None] = mapped_column(String(80), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    candidate: Mapped[Candidate] = relationship()
    signatures: Mapped[list[Signature]] = relationship(back_populates="nomination")

    @property
    def channel_label(self) -> str:
        return CHANNELS.get(self.channel, self.channel)


class Signature(Base):
    """A registered voter's signature on a joint nomination (联名推荐)."""

    __tablename__ = "nomination_signature"
    __table_args__ = (UniqueConstraint("nomination_id", "resident_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nomination.id"), index=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"), index=True)

    nomination: Mapped[Nomination] = relationship(back_populates="signatures")
    resident: Mapped[Resident] = relationship()


class PrimaryVote(Base):
    """Votes of a nominee in the primary (预选) of its post."""

    __tablename__ = "primary_vote"
    __table_args__ = (UniqueConstraint("candidate_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidate.id"))
    votes: Mapped[int] = mapped_column(Integer)
    tied_at_cutoff: Mapped[bool] = mapped_column(default=False)


class Relation(Base):
    """A near relative (spouse, parent, child, sibling) between two residents, entered on the household."""

    __tablename__ = "resident_relation"
    __table_args__ = (UniqueConstraint("election_id", "resident_id", "relative_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"), index=True)
    relative_id: Mapped[int] = mapped_column(ForeignKey("resident.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))

    resident: Mapped[Resident] = relationship(foreign_keys=[resident_id])
    relative: Mapped[Resident] = relationship(foreign_keys=[relative_id])

    @property
    def kind_label(self) -> str:
        return RELATIONS.get(self.kind, self.kind)
