"""The trustees' key ceremony and decryption as documents that travel through the server,
which relays them and reads nothing secret. Each step is run by a trustee on their own
device (``python -m tools.trustee``); what the server publishes is checked by every trustee.

1. The server issues the ceremony: election uid, base hash, quorum, the trustees by index.
2. ``start``: a trustee makes their polynomial and transport key; the public part
   (commitments, proofs, transport key) is uploaded, the private part stays sealed under
   the trustee's passphrase.
3. ``shares``: once every public part is in, each trustee checks them all and sends each
   other trustee its share, encrypted to that trustee's transport key.
4. ``finish``: each trustee checks the shares sent to them against the senders'
   commitments and keeps their key share sealed; they upload their verification key, which
   anyone can recompute from the commitments, so the server cannot substitute a key.
5. ``decrypt``: a trustee decrypts the encrypted totals they are shown, with proofs.
All documents are plain JSON with hex strings."""
from __future__ import annotations

import json
from typing import Any, TypeGuard

from . import group, proofs, trustees
from .elgamal import Ciphertext, parse

FORMAT = "juxuan-ceremony-v1"
MAX_TRUSTEES = 9


def hex_bytes(value: object, size: int, what: str) -> bytes:
    data = group.unhex(value, size)
    if data is None:
        raise group.CryptoError("ceremony_format", f"{what} 不是 {size} 字节的小写十六进制")
    return data


def _count(value: object) -> TypeGuard[int]:
    """An integer of JSON: ``true`` is not 1 (Python's bool is an int; the browser's is not)."""
    return isinstance(value, int) and not isinstance(value, bool)


def issue(election_uid: str, base: bytes, quorum: int, names: list[str]) -> dict[str, Any]:
    if not 1 <= quorum <= len(names) <= MAX_TRUSTEES:
        raise group.CryptoError("ceremony_format", f"受托人数须为 {quorum}–{MAX_TRUSTEES} 位，门限不超过人数")
    return {"format": FORMAT, "election": election_uid, "base": base.hex(), "quorum": quorum,
            "trustees": [{"index": i, "name": name} for i, name in enumerate(names, start=1)]}


def parse_ceremony(doc: object) -> tuple[bytes, int, int]:
    if not (isinstance(doc, dict) and doc.get("format") == FORMAT and isinstance(doc.get("trustees"), list)):
        raise group.CryptoError("ceremony_format", "这不是居选受托人仪式文件")
    quorum, n = doc.get("quorum"), len(doc["trustees"])
    if not (_count(quorum) and 1 <= quorum <= n <= MAX_TRUSTEES):
        raise group.CryptoError("ceremony_format", "门限或受托人数不合理")
    return hex_bytes(doc.get("base"), 32, "base"), quorum, n


def start(doc: dict[str, Any], index: int, passphrase: str) -> tuple[dict[str, Any], bytes]:
    """A trustee's step 2: (public part to upload, private part sealed under the passphrase)."""
    base, quorum, n = parse_ceremony(doc)
    if not 1 <= index <= n:
        raise group.CryptoError("ceremony_format", f"没有第 {index} 位受托人")
    poly, commitments = trustees.new_polynomial(base, index, quorum)
    transport_private, transport_public = trustees.new_transport_key()
    public = {"index": index, "transport": transport_public.hex(),
              "commitments": [p.hex() for p in commitments.points],
              "proofs": [p.to_json() for p in commitments.proofs]}
    private = json.dumps({"index": index, "coefficients": [a.hex() for a in poly.coefficients],
                          "transport": transport_private.hex()}).encode("utf-8")
    return public, trustees.seal_bytes(private, passphrase)


def commitments_of(public: object) -> trustees.Commitments:
    if not (isinstance(public, dict) and _count(public.get("index"))
            and isinstance(public.get("commitments"), list) and isinstance(public.get("proofs"), list)):
        raise group.CryptoError("ceremony_format", "受托人公开部分格式不对")
    if len(public["commitments"]) > MAX_TRUSTEES or len(public["proofs"]) != len(public["commitments"]):
        raise group.CryptoError("ceremony_format", "受托人承诺数不对")
    points = tuple(group.point(hex_bytes(p, 32, "承诺"), what="承诺") for p in public["commitments"])
    made = tuple(proofs.KnowledgeProof(*proofs.parse_pair(p, "承诺证明")) for p in public["proofs"])
    return trustees.Commitments(public["index"], points, made)


def checked_publics(doc: dict[str, Any], publics: list[Any]) -> list[trustees.Commitments]:
    """Every trustee's public part, each proof checked, indices 1..n each once."""
    base, quorum, n = parse_ceremony(doc)
    out = sorted((commitments_of(p) for p in publics), key=lambda c: c.index)
    if [c.index for c in out] != list(range(1, n + 1)):
        raise group.CryptoError("ceremony_format", "受托人公开部分不全或重复")
    for c in out:
        trustees.check_commitments(base, quorum, c)
    return out


def _private(sealed: bytes, passphrase: str) -> tuple[int, trustees.Polynomial, bytes]:
    data = json.loads(trustees.open_bytes(sealed, passphrase))
    coefficients = tuple(group.scalar(bytes.fromhex(a)) for a in data["coefficients"])
    return data["index"], trustees.Polynomial(data["index"], coefficients), bytes.fromhex(data["transport"])


def shares(doc: dict[str, Any], publics: list[Any], sealed_private: bytes, passphrase: str) -> dict[str, Any]:
    """A trustee's step 3: their share for every other trustee, encrypted to that trustee."""
    checked_publics(doc, publics)
    index, poly, _ = _private(sealed_private, passphrase)
    transport = {p["index"]: hex_bytes(p.get("transport"), 32, "传输公钥") for p in publics}
    return {"from": index, "to": {str(j): trustees.seal_share_for(key, index, j, poly.at(j)).hex()
                                  for j, key in sorted(transport.items())}}


def finish(doc: dict[str, Any], publics: list[Any], all_shares: list[Any], sealed_private: bytes,
           passphrase: str) -> tuple[dict[str, Any], bytes]:
    """A trustee's step 4: check the shares sent to them, keep their key share sealed, and the
    verification key to upload."""
    published = checked_publics(doc, publics)
    index, _, transport_private = _private(sealed_private, passphrase)
    received = []
    for sent in all_shares:
        if not (isinstance(sent, dict) and isinstance(sent.get("from"), int) and isinstance(sent.get("to"), dict)):
            raise group.CryptoError("ceremony_format", "份额文件格式不对")
        sender = sent["from"]
        if not 1 <= sender <= len(published):
            raise group.CryptoError("ceremony_format", f"份额来自不存在的受托人 {sender}")
        share = trustees.open_share(transport_private, sender, index,
                                    hex_bytes(sent["to"].get(str(index)), 92, f"受托人 {sender} 的份额"))
        trustees.check_share(index, share, published[sender - 1])
        received.append((sender, share))
    if sorted(s for s, _ in received) != list(range(1, len(published) + 1)):
        raise group.CryptoError("share", "没有收到每位受托人的份额")
    secret = trustees.combine_shares([s for _, s in received])
    verification = group.base_mul(secret)
    if verification != trustees.verification_key(index, published):
        raise group.CryptoError("share", "合成的密钥份额与公开承诺不符")
    ready = {"index": index, "verification_key": verification.hex(),
             "joint_key": trustees.joint_key(published).hex()}
    return ready, trustees.seal_secret(secret, passphrase)


def decrypt(doc: dict[str, Any], publics: list[Any], totals: dict[str, Any], sealed_key: bytes,
            passphrase: str, index: int) -> dict[str, Any]:
    """A trustee's partial decryption of every encrypted total they are shown (label -> [α, β])."""
    base, _, _ = parse_ceremony(doc)
    published = checked_publics(doc, publics)
    secret = trustees.open_secret(sealed_key, passphrase)
    if group.base_mul(secret) != trustees.verification_key(index, published):
        raise group.CryptoError("share", f"这不是第 {index} 位受托人的密钥")
    out = {}
    for label, value in sorted(totals.items()):
        c: Ciphertext = parse(value, label)
        partial = trustees.partial_decrypt(base, index, secret, c, label.encode("utf-8"))
        out[label] = {"value": partial.value.hex(), "proof": partial.proof.to_json()}
    return {"index": index, "partials": out}
