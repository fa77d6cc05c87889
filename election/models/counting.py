"""Counting records beyond the paper records themselves (which live in AuditCode):
second entries by an independent counter, the hand tally board (计票板) totals,
explanations of box differences, published results and their filing (备案).

A second entry is keyed by D only, like the first: nothing refers to a receipt or a voter.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class SecondEntry(Base):
    """The marks of one paper as entered again by a second counter."""

    __tablename__ = "count_second_entry"

    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), primary_key=True)
    d_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    round_number: Mapped[int] = mapped_column(Integer)
    marks: Mapped[dict] = mapped_column(JSON)
    counter: Mapped[str] = mapped_column(String(80))
    # open -> resolved (the record was corrected or confirmed after a mismatch)
    resolution: Mapped[str] = mapped_column(String(10), default="")


class TallyBoard(Base):
    """The hand tally board totals of one round: {post: {person id: votes}} (赞成), and the
    反对 and 弃权 of each candidate."""

    __tablename__ = "count_tally_board"
    __table_args__ = (UniqueConstraint("election_id", "round_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    round_number: Mapped[int] = mapped_column(Integer)
    totals: Mapped[dict] = mapped_column(JSON, default=dict)
    # {post: {candidate id: [反对, 弃权]}}: the board's other two columns (candidates only).
    against: Mapped[dict] = mapped_column(JSON, default=dict)
    entered_by: Mapped[str] = mapped_column(String(80))
    explanation: Mapped[str] = mapped_column(Text, default="")


class BoxExplanation(Base):
    """Why a box's records differ from its deposited stubs, as recorded by the committee."""

    __tablename__ = "count_box_explanation"
    __table_args__ = (UniqueConstraint("election_id", "round_number", "box_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    round_number: Mapped[int] = mapped_column(Integer)
    box_id: Mapped[int] = mapped_column(ForeignKey("ballot_box.id"))
    records: Mapped[int] = mapped_column(Integer)
    stubs: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    entered_by: Mapped[str] = mapped_column(String(80))


class RoundResult(Base):
    """A published result of one round (result_to_dict form); never updated afterwards."""

    __tablename__ = "count_result"
    __table_args__ = (UniqueConstraint("election_id", "round_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    round_number: Mapped[int] = mapped_column(Integer)
    result: Mapped[dict] = mapped_column(JSON)
    names: Mapped[dict] = mapped_column(JSON, default=dict)
    published_by: Mapped[str] = mapped_column(String(80))
    published_at: Mapped[datetime] = mapped_column(default=utcnow)


class Filing(Base):
    """The result report filed (备案) with the street office; received by its auditor, or
    returned with a reason."""

    __tablename__ = "count_filing"
    __table_args__ = (UniqueConstraint("election_id", "round_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    round_number: Mapped[int] = mapped_column(Integer)
    street_office: Mapped[str] = mapped_column(String(100), index=True)
    filed_by: Mapped[str] = mapped_column(String(80))
    filed_at: Mapped[datetime] = mapped_column(default=utcnow)
    received_by: Mapped[str | None] = mapped_column(String(80), default=None)
    received_at: Mapped[datetime | None] = mapped_column(default=None)
    # Returned (驳回) by the auditor with a reason; the committee corrects and files again.
    rejected_by: Mapped[str | None] = mapped_column(String(80), default=None)
    rejected_at: Mapped[datetime | None] = mapped_column(default=None)
    rejected_reason: Mapped[str] = mapped_column(Text, default="")


class EncryptedRecord(Base):
    """A counted paper's record encrypted under the trustees' joint key with its proofs, made
    when the record is entered (or corrected), so the ciphertexts exist — and are sealed in
    the audit's commitment — before the audit's seed. ``line`` is the paper's line of
    recount/papers.jsonl (D, box, ciphertexts, proofs); ``fingerprint`` is SHA-256 of the box
    and marks it encrypts, so a record changed since is seen as not yet encrypted. Keyed by D
    only, like the record."""

    __tablename__ = "recount_record"

    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), primary_key=True)
    d_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    round_number: Mapped[int] = mapped_column(Integer)
    fingerprint: Mapped[str] = mapped_column(String(64))
    line: Mapped[dict] = mapped_column(JSON)
