"""Ed25519 keys and signed statements: the election key signs the chain head, and a
street-office key countersigns the result statement. Keys come from ``cryptography``."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from election.protocol.canonical import canonical_json

HEAD_TYPE = "juxuan/head/v1"
RESULT_TYPE = "juxuan/result/v1"


def generate_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def private_key_to_pem(key: Ed25519PrivateKey, passphrase: bytes) -> bytes:
    """PKCS#8 PEM, encrypted with the caller's passphrase (never stored unencrypted)."""
    if not passphrase:
        raise ValueError("私钥口令不能为空")
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(passphrase),
    )


def private_key_from_pem(data: bytes, passphrase: bytes) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(data, password=passphrase)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("私钥不是 Ed25519 密钥")
    return key


def public_key_to_pem(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def public_key_from_pem(data: bytes) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(data)
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("公钥不是 Ed25519 密钥")
    return key


_BUNDLE_PEM = re.compile(rb"-----BEGIN PUBLIC KEY-----\n[A-Za-z0-9+/]{59}=\n-----END PUBLIC KEY-----\n\Z")


def public_key_from_bundle_pem(data: bytes) -> Ed25519PublicKey:
    """A key file of a bundle, in exactly the form public_key_to_pem writes (PROTOCOL.md §4):
    PEM readers differ on a byte-order mark, text around the block, other line breaks or a
    second block, so the verifiers take none of them."""
    if _BUNDLE_PEM.match(data) is None:
        raise ValueError("公钥文件不是规定的 PEM 格式（三行，无其他字节）")
    return public_key_from_pem(data)


def raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def fingerprint(key: Ed25519PublicKey) -> str:
    """First 16 bytes of SHA-256(raw 32-byte public key), upper-case hex in groups of 4:
    ``3F2A 9C01 ...`` (8 groups). Printed on every paper and report."""
    h = hashlib.sha256(raw_public(key)).hexdigest()[:32].upper()
    return " ".join(h[i : i + 4] for i in range(0, 32, 4))


@dataclass(frozen=True)
class SignedStatement:
    """A statement (JSON object), its Ed25519 signature over the canonical JSON bytes
    (hex), and the signer's key fingerprint."""

    statement: dict[str, Any]
    signature: str
    key: str

    def to_json(self) -> dict[str, Any]:
        return {"statement": self.statement, "signature": self.signature, "key": self.key}

    @staticmethod
    def from_json(o: dict[str, Any]) -> SignedStatement:
        return SignedStatement(dict(o["statement"]), str(o["signature"]), str(o["key"]))


def head_statement(election_id: str, seq: int, head_hash: str, date: str) -> dict[str, Any]:
    """What the notice board shows daily: the chain head at a date."""
    return {"type": HEAD_TYPE, "election": election_id, "seq": seq, "head": head_hash, "date": date}


def result_statement(election_id: str, head_hash: str, totals_sha256: str, date: str) -> dict[str, Any]:
    """What the street office countersigns: this result (totals.json bytes) at this head."""
    return {"type": RESULT_TYPE, "election": election_id, "head": head_hash, "totals": totals_sha256, "date": date}


def sign(key: Ed25519PrivateKey, statement: dict[str, Any]) -> SignedStatement:
    sig = key.sign(canonical_json(statement)).hex()
    return SignedStatement(statement, sig, fingerprint(key.public_key()))


def verify(key: Ed25519PublicKey, signed: SignedStatement) -> bool:
    """True when the signature is valid for this key and the stated fingerprint is the key's."""
    if signed.key != fingerprint(key):
        return False
    # Lower-case hex only (PROTOCOL.md §4): bytes.fromhex would also read upper case and spaces.
    if len(signed.signature) != 128 or signed.signature.strip("0123456789abcdef"):
        return False
    try:
        key.verify(bytes.fromhex(signed.signature), canonical_json(signed.statement))
    except (InvalidSignature, ValueError):
        return False
    return True
