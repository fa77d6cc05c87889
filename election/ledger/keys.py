"""The election's signing key: made once at set-up, its fingerprint printed on every
paper and report, the private key decrypted only to sign."""
from __future__ import annotations

import hashlib
from datetime import date

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.orm import Session

from .. import clock
from ..models import Election
from ..models.ledger import ElectionKey
from ..protocol import signing
from .events import events_of


def _passphrase(data_key: str, election: Election) -> bytes:
    return _passphrase_of(data_key, election.uid)


def _passphrase_of(data_key: str, election_uid: str) -> bytes:
    return hashlib.sha256(f"juxuan/election-key/v1|{election_uid}|{data_key}".encode()).digest()


def create_key(db: Session, election: Election, data_key: str) -> ElectionKey:
    private = signing.generate_key()
    row = ElectionKey(
        election_id=election.id,
        public_pem=signing.public_key_to_pem(private.public_key()).decode("ascii"),
        private_pem=signing.private_key_to_pem(private, _passphrase(data_key, election)).decode("ascii"),
        fingerprint=signing.fingerprint(private.public_key()),
    )
    db.add(row)
    db.flush()
    return row


def key_of(db: Session, election: Election) -> ElectionKey:
    row = db.get(ElectionKey, election.id)
    if row is None:
        raise LookupError(f"election {election.id} has no signing key")
    return row


def fingerprint_of(db: Session, election: Election) -> str:
    return key_of(db, election).fingerprint


def private_key(db: Session, election: Election, data_key: str) -> Ed25519PrivateKey:
    return signing.private_key_from_pem(key_of(db, election).private_pem.encode("ascii"), _passphrase(data_key, election))


def sign_head(db: Session, election: Election, data_key: str, day: date | None = None) -> signing.SignedStatement:
    """The election key's signature over the current chain head."""
    last = events_of(db, election)[-1]
    statement = signing.head_statement(election.uid, last.seq, last.hash, (day or clock.today()).isoformat())
    return signing.sign(private_key(db, election, data_key), statement)


def sealed_private_pem(private: Ed25519PrivateKey, data_key: str, election_uid: str) -> str:
    """The private key as stored: PEM encrypted under this instance's data key (used when
    an election moves in from another instance, whose data key never travels)."""
    return signing.private_key_to_pem(private, _passphrase_of(data_key, election_uid)).decode("ascii")
