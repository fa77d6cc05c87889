"""Merkle tree over deposited receipts (DESIGN.md: deposited R per box with a Merkle tree)."""
from __future__ import annotations

import hashlib

from election.protocol import merkle


def _rfc6962(leaves: list[bytes]) -> bytes:
    """RFC 6962 §2.1, written recursively as the RFC states it."""
    n = len(leaves)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    k = 1
    while k * 2 < n:
        k *= 2
    return hashlib.sha256(b"\x01" + _rfc6962(leaves[:k]) + _rfc6962(leaves[k:])).digest()


def _leaves(n: int) -> list[str]:
    return sorted(hashlib.sha256(str(i).encode()).hexdigest() for i in range(n))


def test_root_equals_rfc6962_definition_for_every_size_up_to_40() -> None:
    for n in range(41):
        ls = _leaves(n)
        assert merkle.root(ls) == _rfc6962([bytes.fromhex(x) for x in ls]).hex()


def test_every_inclusion_proof_verifies_and_a_wrong_leaf_does_not() -> None:
    for n in (1, 2, 3, 5, 7, 8, 13):
        t = merkle.build(_leaves(n))
        for i, leaf in enumerate(t.leaves):
            assert merkle.verify_inclusion(leaf, t.proof(i), t.root)
            assert t.index_of(leaf) == i
        assert not merkle.verify_inclusion("00" * 32, t.proof(0), t.root)


def test_duplicate_leaf_refused() -> None:
    import pytest

    with pytest.raises(ValueError, match="重复"):
        merkle.build(["ab" * 32, "ab" * 32])


def test_100000_leaves_build_and_prove() -> None:
    ls = _leaves(100_000)
    t = merkle.build(ls)
    assert all(merkle.verify_inclusion(ls[i], t.proof(i), t.root) for i in range(0, 100_000, 997))
