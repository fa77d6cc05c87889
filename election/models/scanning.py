"""Counting from scans (issue 21): a batch of scanned papers, each paper's proposed reading,
and the image of its front kept with the election.

Same privacy rules as the papers and their records (models/ballots.py): a scanned paper is
known by D only, never by a receipt, a voter, a desk or a time. Its primary key is a random
token (no autoincrement id orders the papers of a batch); its page numbers in the batch are
kept so that people can find the sheet in the pile, which the scrutineers mixed before it
was scanned (counting/mixing.py), so the pile's order tells nothing. Only the front is kept:
the back carries the audit QR (A), which is never stored.
"""
from __future__ import annotations

from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base

# A scanned paper's way to the records:
#   confident  -> recorded (the scrutineer approved the batch)
#   to_people  -> entered (one person entered the reading) -> recorded (another approved it)
#                 entered -> to_people (the second person sent it back)
#   set_aside  (a page that is no paper of this round, or no paper at all: counted by hand if at all)
PAPER_STATES = ("confident", "to_people", "entered", "recorded", "set_aside")


class ScanBatch(Base):
    """One batch of scanned pages of one box of one round."""

    __tablename__ = "scan_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    round_number: Mapped[int] = mapped_column(Integer)
    box_id: Mapped[int] = mapped_column(ForeignKey("ballot_box.id"), index=True)
    label: Mapped[str] = mapped_column(String(200))  # the files it came from, for people
    pages: Mapped[int] = mapped_column(Integer, default=0)
    read_by: Mapped[str] = mapped_column(String(80))
    # read -> approved (the scrutineer recorded its confident papers)
    state: Mapped[str] = mapped_column(String(10), default="read")
    approved_by: Mapped[str] = mapped_column(String(80), default="")


class ScanPaper(Base):
    """One paper (or one unpaired page) of a batch: the reader's proposal and the front's image."""

    __tablename__ = "scan_paper"

    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), primary_key=True)
    token: Mapped[str] = mapped_column(String(32), primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("scan_batch.id"), index=True)
    pages: Mapped[str] = mapped_column(String(40))  # "7-8": where the sheet lies in the batch
    d_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    state: Mapped[str] = mapped_column(String(10))
    reasons: Mapped[list] = mapped_column(JSON, default=list)
    # The reader's marks, in the record's form ({post: {approve, oppose, write_ins, unreadable}}).
    proposed: Mapped[dict | None] = mapped_column(JSON)
    # Every box as read, for the adjudication page: [{post, candidate, line, reading, written, rect}],
    # rect the box with its name cell in pixels of ``image``.
    boxes: Mapped[list] = mapped_column(JSON, default=list)
    entered: Mapped[dict | None] = mapped_column(JSON)
    entered_by: Mapped[str] = mapped_column(String(80), default="")
    entered_note: Mapped[str] = mapped_column(Text, default="")
    approved_by: Mapped[str] = mapped_column(String(80), default="")
    # The front, de-skewed onto the printed layout (JPEG, grey), or None when it was not found.
    image: Mapped[bytes | None] = mapped_column(LargeBinary)
