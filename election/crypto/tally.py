"""The homomorphic tally: each selection's ciphertexts summed over the papers, decrypted by
a quorum of trustees with proofs, and read as small counts."""
from __future__ import annotations

from collections.abc import Iterable

from . import group, trustees
from .dlog import SmallLogs
from .elgamal import ZERO_CIPHERTEXT, Ciphertext


def sum_by_label(papers: Iterable[dict[str, Ciphertext]]) -> dict[str, Ciphertext]:
    totals: dict[str, Ciphertext] = {}
    for cts in papers:
        for label, c in cts.items():
            totals[label] = totals.get(label, ZERO_CIPHERTEXT).plus(c)
    return totals


def decrypt_totals(base: bytes, quorum: int, published: list[trustees.Commitments], totals: dict[str, Ciphertext],
                   partials: dict[str, list[trustees.Partial]], logs: SmallLogs) -> dict[str, int]:
    """Check every partial decryption's proof and combine a quorum of them per label."""
    out: dict[str, int] = {}
    for label, c in sorted(totals.items()):
        given = partials.get(label, [])
        if len({p.index for p in given}) != len(given):
            raise group.CryptoError("decryption_proof", f"{label} 有重复的受托人部分解密")
        if any(not 1 <= p.index <= len(published) for p in given):
            raise group.CryptoError("decryption_proof", f"{label} 的部分解密来自不存在的受托人")
        for partial in given:
            trustees.check_partial(base, published, c, label.encode("utf-8"), partial)
        out[label] = logs.log(trustees.combine(quorum, c, given), label)
    return out
