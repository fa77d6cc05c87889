"""The append-only event log of an election: who, when, what, why, hash-chained.

Rows are only ever inserted, through election.ledger.events.record_event; the chain
(prev_hash -> hash) makes a rewrite visible, and the signed head comes with the ledger.
"""
from __future__ import annotations

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class ElectionEvent(Base):
    __tablename__ = "election_event"
    __table_args__ = (UniqueConstraint("election_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    # The exact text the hash covers: seconds for committee acts, the hour alone where
    # privacy asks for it (deposits), never more precise.
    at: Mapped[str | None] = mapped_column(String(25))
    actor: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(60))
    payload: Mapped[dict] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text, default="")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
