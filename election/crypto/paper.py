"""One counted paper as the vector the rules count, encrypted with its proofs.

Per post on the paper, with s seats and n listed candidates:
- ``a<i>``: candidate i's counted approval (0/1), ``o<i>``: their counted opposition (0/1);
- ``w``: the number of counted write-in approvals (0..s);
- ``x``: the post is invalid on this paper (0/1).
Per paper, ``X``: the whole paper is invalid (0/1), where the rulebook says so.

Proofs: every 0/1 value; Σ a + w + s·x in 0..s (at most the seats, and an invalid post
counts no approval); a_i + o_i + x in 0..1 (one mark per candidate, none counted on an
invalid post); x − X in 0..1 (a whole invalid paper makes every post invalid). So the
homomorphic sum of the papers is exactly the published totals, and no paper can add more
than the rules allow. Each proof's context binds the election's base hash, the paper's D,
the post and the selection's label."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import group, proofs
from .elgamal import Ciphertext, encrypt, parse

MAX_CANDIDATES = 64
MAX_SEATS = 32
MAX_POSTS = 16


@dataclass(frozen=True)
class PostShape:
    """What the bundle says of a post: its key, seats and number of listed candidates."""
    key: str
    seats: int
    candidates: int


@dataclass(frozen=True)
class PostCount:
    """What the count counted of one post on one paper."""
    key: str
    approvals: tuple[int, ...]
    oppositions: tuple[int, ...]
    write_ins: int = 0
    invalid: int = 0


@dataclass
class Sealed:
    """A paper's ciphertexts by label (``post/a3``, ``post/w``, ``X``) and its proofs."""
    ciphertexts: dict[str, Ciphertext] = field(default_factory=dict)
    proofs: dict[str, proofs.RangeProof] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"ct": {k: c.to_json() for k, c in sorted(self.ciphertexts.items())},
                "pf": {k: p.to_json() for k, p in sorted(self.proofs.items())}}


def _context(base: bytes, d: bytes, label: str) -> bytes:
    tag = label.encode("utf-8")
    return base + d + len(tag).to_bytes(2, "big") + tag


def encrypt_paper(base: bytes, key: bytes, d: bytes, shapes: list[PostShape], counts: list[PostCount],
                  paper_invalid: int = 0) -> Sealed:
    """Encrypt a paper's counted vector under the joint key with every proof."""
    by_key = {c.key: c for c in counts}
    sealed = Sealed()

    def put(label: str, value: int, bound: int = 1) -> bytes:
        nonce = group.random_scalar()
        c = encrypt(key, value, nonce)
        sealed.ciphertexts[label] = c
        sealed.proofs[label] = proofs.prove_range(_context(base, d, label), key, c, value, nonce, bound)
        return nonce

    def prove_sum(label: str, c: Ciphertext, value: int, nonce: bytes, bound: int) -> None:
        sealed.proofs[label] = proofs.prove_range(_context(base, d, label), key, c, value, nonce, bound)

    paper_nonce = put("X", paper_invalid)
    for shape in shapes:
        count = by_key.get(shape.key) or PostCount(shape.key, (0,) * shape.candidates, (0,) * shape.candidates)
        if len(count.approvals) != shape.candidates or len(count.oppositions) != shape.candidates:
            raise group.CryptoError("paper_shape", f"{shape.key} 的候选人数与选票不符")
        p = shape.key
        invalid_nonce = put(f"{p}/x", count.invalid)
        write_nonce = put(f"{p}/w", count.write_ins, shape.seats)
        total_value = count.write_ins + shape.seats * count.invalid
        total_nonce = group.scalar_add(write_nonce, group.scalar_mul(group.scalar_of(shape.seats), invalid_nonce))
        for i in range(shape.candidates):
            a_nonce = put(f"{p}/a{i}", count.approvals[i])
            o_nonce = put(f"{p}/o{i}", count.oppositions[i])
            total_value += count.approvals[i]
            total_nonce = group.scalar_add(total_nonce, a_nonce)
            mark = sealed.ciphertexts[f"{p}/a{i}"].plus(sealed.ciphertexts[f"{p}/o{i}"]).plus(sealed.ciphertexts[f"{p}/x"])
            prove_sum(f"{p}/m{i}", mark, count.approvals[i] + count.oppositions[i] + count.invalid,
                      group.scalar_add(group.scalar_add(a_nonce, o_nonce), invalid_nonce), 1)
        prove_sum(f"{p}/seats", _post_sum(sealed.ciphertexts, shape), total_value, total_nonce, shape.seats)
        diff = Ciphertext(group.sub(sealed.ciphertexts[f"{p}/x"].alpha, sealed.ciphertexts["X"].alpha),
                          group.sub(sealed.ciphertexts[f"{p}/x"].beta, sealed.ciphertexts["X"].beta))
        prove_sum(f"{p}/xX", diff, count.invalid - paper_invalid, group.scalar_sub(invalid_nonce, paper_nonce), 1)
    return sealed


def _post_sum(cts: dict[str, Ciphertext], shape: PostShape) -> Ciphertext:
    p = shape.key
    out = cts[f"{p}/w"].plus(cts[f"{p}/x"].times(shape.seats))
    for i in range(shape.candidates):
        out = out.plus(cts[f"{p}/a{i}"])
    return out


def labels(shapes: list[PostShape]) -> list[str]:
    """Every ciphertext label of a paper of this shape, in a fixed order."""
    out = ["X"]
    for shape in shapes:
        out += [f"{shape.key}/x", f"{shape.key}/w"]
        for i in range(shape.candidates):
            out += [f"{shape.key}/a{i}", f"{shape.key}/o{i}"]
    return out


def check_shapes(shapes: list[PostShape]) -> None:
    if not 0 < len(shapes) <= MAX_POSTS or len({s.key for s in shapes}) != len(shapes):
        raise group.CryptoError("paper_shape", "职位表不合理")
    for s in shapes:
        if not (0 < s.seats <= MAX_SEATS and 0 <= s.candidates <= MAX_CANDIDATES) or "/" in s.key:
            raise group.CryptoError("paper_shape", f"职位 {s.key} 的席位或候选人数不合理")


# What each proof of a paper shows, by the kind of its label (the verifier names a check after
# each kind): every selection is 0 or 1 and the write-ins within the seats; a post's approvals
# within its seats; at most one mark per candidate, none counted on an invalid post, and every
# post invalid on a whole invalid paper.
SELECTION, SEATS, INVALID = "selection_proof", "seats_proof", "invalid_post_proof"


def proof_kind(label: str) -> str:
    name = label.rsplit("/", 1)[-1]
    if name == "seats":
        return SEATS
    if name == "xX" or name.startswith("m"):
        return INVALID
    return SELECTION


class PaperRefused(group.CryptoError):
    """Proofs of one paper that do not hold, by kind: ``failed[kind]`` lists their labels."""

    def __init__(self, what: str, failed: dict[str, list[str]]) -> None:
        first = next(iter(failed))
        super().__init__(first, f"{what} 的证明不成立：" + "、".join(label for labels in failed.values() for label in labels[:3]))
        self.what = what
        self.failed = failed


def verify_paper(base: bytes, key: bytes, d: bytes, shapes: list[PostShape], data: object, what: str) -> dict[str, Ciphertext]:
    """Check a paper's ciphertexts and proofs from a bundle; returns its ciphertexts by label.
    Every proof is checked; those that fail raise ``PaperRefused`` naming each by its kind
    (``proof_kind``); a paper of the wrong form raises ``CryptoError('paper_format')``."""
    if not (isinstance(data, dict) and isinstance(data.get("ct"), dict) and isinstance(data.get("pf"), dict)):
        raise group.CryptoError("paper_format", f"{what} 的加密记录格式不对")
    expected = labels(shapes)
    if sorted(data["ct"]) != sorted(expected):
        raise group.CryptoError("paper_format", f"{what} 的密文项与选票不符")
    cts = {label: parse(data["ct"][label], f"{what} {label}") for label in expected}
    failed: dict[str, list[str]] = {}

    def check(label: str, c: Ciphertext, bound: int) -> None:
        proof = proofs.parse_range(data["pf"].get(label), f"{what} {label}")
        try:
            proofs.verify_range(_context(base, d, label), key, c, proof, bound)
        except group.CryptoError:
            failed.setdefault(proof_kind(label), []).append(label)

    wanted_proofs = {"X"}
    check("X", cts["X"], 1)
    for shape in shapes:
        p = shape.key
        check(f"{p}/x", cts[f"{p}/x"], 1)
        check(f"{p}/w", cts[f"{p}/w"], shape.seats)
        wanted_proofs |= {f"{p}/x", f"{p}/w", f"{p}/seats", f"{p}/xX"}
        for i in range(shape.candidates):
            check(f"{p}/a{i}", cts[f"{p}/a{i}"], 1)
            check(f"{p}/o{i}", cts[f"{p}/o{i}"], 1)
            check(f"{p}/m{i}", cts[f"{p}/a{i}"].plus(cts[f"{p}/o{i}"]).plus(cts[f"{p}/x"]), 1)
            wanted_proofs |= {f"{p}/a{i}", f"{p}/o{i}", f"{p}/m{i}"}
        check(f"{p}/seats", _post_sum(cts, shape), shape.seats)
        diff = Ciphertext(group.sub(cts[f"{p}/x"].alpha, cts["X"].alpha), group.sub(cts[f"{p}/x"].beta, cts["X"].beta))
        check(f"{p}/xX", diff, 1)
    if set(data["pf"]) != wanted_proofs:
        raise group.CryptoError("paper_format", f"{what} 的证明项与选票不符")
    if failed:
        raise PaperRefused(what, failed)
    return cts
