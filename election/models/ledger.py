"""The election's Ed25519 signing key: public part in the clear, private part encrypted
(PKCS#8 with a passphrase derived from the deployment's data key)."""
from __future__ import annotations

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class ElectionKey(Base):
    __tablename__ = "election_key"

    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), primary_key=True)
    public_pem: Mapped[str] = mapped_column(Text)
    private_pem: Mapped[str] = mapped_column(Text)
    fingerprint: Mapped[str] = mapped_column(String(64))
