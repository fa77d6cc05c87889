"""The election's Ed25519 signing key (public part in the clear, private part encrypted:
PKCS#8 with a passphrase derived from the deployment's data key), the street office's
key and countersignatures, chain-head notices, complaints, and risk-limiting audits."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class ElectionKey(Base):
    __tablename__ = "election_key"

    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), primary_key=True)
    public_pem: Mapped[str] = mapped_column(Text)
    private_pem: Mapped[str] = mapped_column(Text)
    fingerprint: Mapped[str] = mapped_column(String(64))


class StreetOfficeKey(Base):
    """A street office's own Ed25519 key for countersigning results (备案), made on first
    use; the private part encrypted like the election key."""

    __tablename__ = "street_office_key"

    street_office: Mapped[str] = mapped_column(String(100), primary_key=True)
    public_pem: Mapped[str] = mapped_column(Text)
    private_pem: Mapped[str] = mapped_column(Text)
    fingerprint: Mapped[str] = mapped_column(String(64))


class Countersignature(Base):
    """The street office's signature over an election's result at a signed chain head."""

    __tablename__ = "countersignature"

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    street_office: Mapped[str] = mapped_column(String(100))
    statement: Mapped[dict] = mapped_column(JSON)
    signature: Mapped[str] = mapped_column(String(200))
    signed_by: Mapped[str] = mapped_column(String(80))
    signed_at: Mapped[datetime] = mapped_column(default=utcnow)


class HeadNotice(Base):
    """A printed chain-head notice (notice board, street office): one per day."""

    __tablename__ = "head_notice"
    __table_args__ = (UniqueConstraint("election_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    day: Mapped[date] = mapped_column(Date)
    seq: Mapped[int] = mapped_column(Integer)
    head: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(String(200))
    printed_by: Mapped[str] = mapped_column(String(80))


class Complaint(Base):
    """A resident's complaint in the window after the announcement, and the committee's
    answer. No receipt code is stored: a complainant about a missing receipt gives the
    box and hour they remember, never the code (it would pair them with their paper)."""

    __tablename__ = "complaint"

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # receipt | procedure
    text: Mapped[str] = mapped_column(Text)
    contact: Mapped[str] = mapped_column(String(120), default="")
    filed_at: Mapped[datetime] = mapped_column(default=utcnow)
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_by: Mapped[str | None] = mapped_column(String(80), default=None)
    answered_at: Mapped[datetime | None] = mapped_column(default=None)


class Audit(Base):
    """A risk-limiting comparison audit by the street office of one round's papers: dice
    seed, risk limit, the ballot manifest it drew from and its conclusion."""

    __tablename__ = "rla_audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    round_number: Mapped[int] = mapped_column(Integer, default=1)
    seed: Mapped[str] = mapped_column(String(200))
    risk_limit: Mapped[str] = mapped_column(String(20))  # "p/q"
    papers: Mapped[int] = mapped_column(Integer)
    boxes: Mapped[dict] = mapped_column(JSON)  # {box: papers}
    sample_size: Mapped[int] = mapped_column(Integer)
    # open -> confirmed | escalated (more draws) | full_count
    status: Mapped[str] = mapped_column(String(12), default="open")
    conclusion: Mapped[str] = mapped_column(Text, default="")
    started_by: Mapped[str] = mapped_column(String(80))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditDraw(Base):
    """The i-th draw of an audit (box, position) and, once scanned, the paper's D and its
    marks as the auditor read them (approvals per post)."""

    __tablename__ = "rla_audit_draw"
    __table_args__ = (UniqueConstraint("audit_id", "index"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("rla_audit.id"), index=True)
    index: Mapped[int] = mapped_column(Integer)
    box: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(Integer)
    d_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    paper: Mapped[dict | None] = mapped_column(JSON, default=None)
    recorded_by: Mapped[str | None] = mapped_column(String(80), default=None)


class AuditPartial(Base):
    """A trustee's partial decryptions (with their proofs) of the ciphertexts of an audit's
    drawn papers, named ``<D>:<label>`` (election/crypto/sample.py): one row per audit and
    trustee, the partials of every upload together. Kept here, not in the chain: with the
    public ciphertexts they open the drawn papers' records, which only the auditor bundle
    shows; the chain records each upload's digest (``audit.sample_decrypted``)."""

    __tablename__ = "rla_audit_partial"
    __table_args__ = (UniqueConstraint("audit_id", "trustee"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("rla_audit.id"), index=True)
    trustee: Mapped[int] = mapped_column(Integer)
    partials: Mapped[dict] = mapped_column(JSON)
