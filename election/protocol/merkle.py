"""Merkle tree over the sorted deposited receipt hashes, with RFC 6962 / RFC 9162 hashing:
leaf = SHA-256(0x00 | leaf bytes), node = SHA-256(0x01 | left | right), empty = SHA-256("").

Built bottom-up; a node without a sibling moves up unchanged, which yields exactly the
RFC 6962 tree (left subtree = largest power of two smaller than n).
"""
from __future__ import annotations

import hashlib
import itertools
import operator
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

EMPTY_ROOT = hashlib.sha256(b"").hexdigest()


def leaf_hash(leaf: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


@dataclass(frozen=True)
class MerkleTree:
    """All levels of the tree, leaves (sorted hex R) first."""

    leaves: tuple[str, ...]
    levels: tuple[tuple[bytes, ...], ...]

    @property
    def root(self) -> str:
        return self.levels[-1][0].hex() if self.leaves else EMPTY_ROOT

    def index_of(self, leaf: str) -> int:
        i = bisect_left(self.leaves, leaf)
        if i == len(self.leaves) or self.leaves[i] != leaf:
            raise KeyError(leaf)
        return i

    def proof(self, index: int) -> list[tuple[str, str]]:
        """Audit path of leaf ``index``: (side, sibling hex) from the bottom; side "L"
        means the sibling is on the left."""
        path: list[tuple[str, str]] = []
        for level in self.levels[:-1]:
            if index & 1:
                path.append(("L", level[index - 1].hex()))
            elif index + 1 < len(level):
                path.append(("R", level[index + 1].hex()))
            index >>= 1
        return path


def build(leaves: Sequence[str]) -> MerkleTree:
    """Tree over the given hex leaves, sorted here; duplicates are refused."""
    ordered = tuple(sorted(leaves))
    _refuse_duplicates(ordered)
    sha = hashlib.sha256
    return _tree(ordered, tuple([sha(b"\x00" + bytes.fromhex(x)).digest() for x in ordered]))


def combined(trees: Iterable[MerkleTree]) -> MerkleTree:
    """The tree over the leaves of several trees together (the deposits' total root over
    every box), their leaf hashes reused; a leaf in two trees is refused."""
    trees = list(trees)
    hashes: dict[str, bytes] = {}
    total = 0
    for t in trees:
        hashes.update(zip(t.leaves, t.levels[0]))
        total += len(t.leaves)
    ordered = tuple(sorted(hashes))
    if len(ordered) < total:
        seen: set[str] = set()
        for t in trees:
            for leaf in t.leaves:
                if leaf in seen:
                    raise ValueError(f"默克尔树叶子重复：{leaf}")
                seen.add(leaf)
    return _tree(ordered, tuple([hashes[leaf] for leaf in ordered]))


def _refuse_duplicates(ordered: Sequence[str]) -> None:
    if all(map(operator.lt, ordered, itertools.islice(ordered, 1, None))):
        return
    for a, b in zip(ordered, ordered[1:]):
        if a == b:
            raise ValueError(f"默克尔树叶子重复：{a}")


def _tree(ordered: tuple[str, ...], level: tuple[bytes, ...]) -> MerkleTree:
    sha = hashlib.sha256
    levels = [level]
    while len(level) > 1:
        nxt = [sha(b"\x01" + left + right).digest() for left, right in zip(level[0::2], level[1::2])]
        if len(level) & 1:
            nxt.append(level[-1])
        level = tuple(nxt)
        levels.append(level)
    return MerkleTree(ordered, tuple(levels))


def root(leaves: Sequence[str]) -> str:
    return build(leaves).root


def verify_inclusion(leaf: str, proof: Sequence[tuple[str, str]], root_hex: str) -> bool:
    h = leaf_hash(bytes.fromhex(leaf))
    for side, sib in proof:
        s = bytes.fromhex(sib)
        h = node_hash(s, h) if side == "L" else node_hash(h, s)
    return h.hex() == root_hex
