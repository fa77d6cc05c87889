"""Zero-knowledge proofs, made non-interactive with strong Fiat–Shamir: every challenge
hashes a versioned domain tag, the statement's context (the election's base hash, the joint
key, the paper's D, the post and the index) and the ciphertext with every commitment.

- ``RangeProof``: a ciphertext encrypts some value in 0..L (a disjunctive Chaum–Pedersen
  proof over the L+1 values; L = 1 is the 0/1 proof of a single selection).
- ``EqualityProof``: log_G(X) = log_A(Y) (Chaum–Pedersen), for partial decryptions.
- ``KnowledgeProof``: knowledge of x with X = x·G (Schnorr), for the trustees' commitments.

A proof holds only its challenges and responses; the verifier recomputes the commitments,
so a proof cannot carry commitments that do not match its responses."""
from __future__ import annotations

from dataclasses import dataclass

from . import group
from .elgamal import Ciphertext

VERSION = "juxuan-recount-v1"
RANGE_TAG = VERSION + "/range"
EQUALITY_TAG = VERSION + "/decryption"
KNOWLEDGE_TAG = VERSION + "/knowledge"


@dataclass(frozen=True)
class RangeProof:
    challenges: tuple[bytes, ...]
    responses: tuple[bytes, ...]

    def to_json(self) -> dict[str, list[str]]:
        return {"c": [c.hex() for c in self.challenges], "z": [z.hex() for z in self.responses]}


def _range_commitments(key: bytes, c: Ciphertext, j: int, cj: bytes, zj: bytes) -> tuple[bytes, bytes]:
    # a_j = z_j·G − c_j·α ;  b_j = z_j·K − c_j·(β − j·G)
    a = group.sub(group.base_mul(zj), group.mul(cj, c.alpha))
    shifted = group.sub(c.beta, group.small_mul(j))
    b = group.sub(group.mul(zj, key), group.mul(cj, shifted))
    return a, b


def _range_challenge(context: bytes, key: bytes, c: Ciphertext, bound: int, commitments: list[bytes]) -> bytes:
    return group.hash_to_scalar(RANGE_TAG, context, key, bound.to_bytes(4, "big"), c.alpha, c.beta, *commitments)


def prove_range(context: bytes, key: bytes, c: Ciphertext, value: int, nonce: bytes, bound: int) -> RangeProof:
    """Prove that ``c`` = Enc(value; nonce) with 0 ≤ value ≤ bound, binding ``context``."""
    if not 0 <= value <= bound:
        raise group.CryptoError("plaintext_range", f"值 {value} 不在 0..{bound} 之内，无法证明")
    challenges: list[bytes] = []
    responses: list[bytes] = []
    commitments: list[bytes] = []
    w = group.random_scalar()
    for j in range(bound + 1):
        if j == value:
            challenges.append(group.ZERO)
            responses.append(group.ZERO)
            commitments += [group.base_mul(w), group.mul(w, key)]
        else:
            cj, zj = group.random_scalar(), group.random_scalar()
            challenges.append(cj)
            responses.append(zj)
            commitments += list(_range_commitments(key, c, j, cj, zj))
    total = _range_challenge(context, key, c, bound, commitments)
    others = group.ZERO
    for j, cj in enumerate(challenges):
        if j != value:
            others = group.scalar_add(others, cj)
    cv = group.scalar_sub(total, others)
    challenges[value] = cv
    responses[value] = group.scalar_add(w, group.scalar_mul(cv, nonce))
    return RangeProof(tuple(challenges), tuple(responses))


def verify_range(context: bytes, key: bytes, c: Ciphertext, proof: RangeProof, bound: int) -> None:
    """Raise ``CryptoError('range_proof')`` unless ``proof`` shows c encrypts a value in 0..bound."""
    if len(proof.challenges) != bound + 1 or len(proof.responses) != bound + 1:
        raise group.CryptoError("range_proof", f"范围证明应有 {bound + 1} 个分支")
    commitments: list[bytes] = []
    total = group.ZERO
    for j, (cj, zj) in enumerate(zip(proof.challenges, proof.responses, strict=True)):
        commitments += list(_range_commitments(key, c, j, cj, zj))
        total = group.scalar_add(total, cj)
    if total != _range_challenge(context, key, c, bound, commitments):
        raise group.CryptoError("range_proof", "范围证明不成立")


def parse_range(value: object, what: str) -> RangeProof:
    if not (isinstance(value, dict) and isinstance(value.get("c"), list) and isinstance(value.get("z"), list)):
        raise group.CryptoError("proof_format", f"{what} 的证明格式不对")
    if len(value["c"]) > 64 or len(value["c"]) != len(value["z"]):
        raise group.CryptoError("proof_format", f"{what} 的证明分支数不对")
    return RangeProof(tuple(_scalar_hex(x, what) for x in value["c"]), tuple(_scalar_hex(x, what) for x in value["z"]))


@dataclass(frozen=True)
class EqualityProof:
    challenge: bytes
    response: bytes

    def to_json(self) -> dict[str, str]:
        return {"c": self.challenge.hex(), "z": self.response.hex()}


def _equality_challenge(context: bytes, x: bytes, a: bytes, y: bytes, t1: bytes, t2: bytes) -> bytes:
    return group.hash_to_scalar(EQUALITY_TAG, context, x, a, y, t1, t2)


def prove_equality(context: bytes, secret: bytes, a: bytes) -> tuple[bytes, EqualityProof]:
    """Y = secret·A with a proof that log_G(secret·G) = log_A(Y)."""
    x, y = group.base_mul(secret), group.mul(secret, a)
    w = group.random_scalar()
    c = _equality_challenge(context, x, a, y, group.base_mul(w), group.mul(w, a))
    return y, EqualityProof(c, group.scalar_add(w, group.scalar_mul(c, secret)))


def verify_equality(context: bytes, x: bytes, a: bytes, y: bytes, proof: EqualityProof) -> None:
    t1 = group.sub(group.base_mul(proof.response), group.mul(proof.challenge, x))
    t2 = group.sub(group.mul(proof.response, a), group.mul(proof.challenge, y))
    if proof.challenge != _equality_challenge(context, x, a, y, t1, t2):
        raise group.CryptoError("decryption_proof", "部分解密的证明不成立")


@dataclass(frozen=True)
class KnowledgeProof:
    challenge: bytes
    response: bytes

    def to_json(self) -> dict[str, str]:
        return {"c": self.challenge.hex(), "z": self.response.hex()}


def prove_knowledge(context: bytes, secret: bytes) -> KnowledgeProof:
    public = group.base_mul(secret)
    w = group.random_scalar()
    c = group.hash_to_scalar(KNOWLEDGE_TAG, context, public, group.base_mul(w))
    return KnowledgeProof(c, group.scalar_add(w, group.scalar_mul(c, secret)))


def verify_knowledge(context: bytes, public: bytes, proof: KnowledgeProof) -> None:
    t = group.sub(group.base_mul(proof.response), group.mul(proof.challenge, public))
    if proof.challenge != group.hash_to_scalar(KNOWLEDGE_TAG, context, public, t):
        raise group.CryptoError("knowledge_proof", "系数承诺的知识证明不成立")


def _scalar_hex(value: object, what: str) -> bytes:
    data = group.unhex(value, group.SCALAR_BYTES)
    if data is None:
        raise group.CryptoError("proof_format", f"{what} 的证明含非法标量（须为 64 位小写十六进制）")
    return group.scalar(data, what=what)


def parse_pair(value: object, what: str) -> tuple[bytes, bytes]:
    if not (isinstance(value, dict) and "c" in value and "z" in value):
        raise group.CryptoError("proof_format", f"{what} 的证明格式不对")
    return _scalar_hex(value["c"], what), _scalar_hex(value["z"], what)
