"""The trustees' k-of-n key (Feldman verifiable secret sharing, no dealer) and the
decryption of totals by any k of them.

Ceremony, each trustee on their own device:
1. Trustee i draws a polynomial P_i of degree k−1, publishes the commitments A_i,m = a_i,m·G
   with a proof of knowledge of each a_i,m, and a transport key (X25519).
2. Trustee i sends P_i(j) to every trustee j, encrypted to j's transport key (X25519, HKDF,
   AES-GCM from ``cryptography``): the server relays bytes it cannot read.
3. Trustee j checks each P_i(j)·G = Σ_m j^m·A_i,m, keeps s_j = Σ_i P_i(j), sealed under
   their own passphrase (scrypt, AES-GCM). The joint key is K = Σ_i A_i,0, and s_j·G (the
   verification key of j) is computable by anyone from the commitments.
Decryption: trustee j publishes D_j = s_j·α with a Chaum–Pedersen proof; any k of them give
m·G = β − Σ_j λ_j·D_j, with λ_j the Lagrange coefficients at 0."""
from __future__ import annotations

import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from . import group, proofs
from .elgamal import Ciphertext

SHARE_INFO = b"juxuan-recount-v1/share"
SEAL_MAGIC = b"JXS1"
# scrypt work factor for a trustee's passphrase: about 0.1 s and 16 MiB on a laptop.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1


@dataclass(frozen=True)
class Commitments:
    """What trustee ``index`` publishes: the coefficient commitments and their proofs."""
    index: int
    points: tuple[bytes, ...]
    proofs: tuple[proofs.KnowledgeProof, ...]


@dataclass(frozen=True)
class Polynomial:
    index: int
    coefficients: tuple[bytes, ...]

    def at(self, x: int) -> bytes:
        """P(x) mod the group order, by Horner's rule on scalars."""
        xs = group.scalar_of(x)
        out = group.ZERO
        for a in reversed(self.coefficients):
            out = group.scalar_add(group.scalar_mul(out, xs), a)
        return out


def _commit_context(base: bytes, index: int, m: int) -> bytes:
    return base + index.to_bytes(2, "big") + m.to_bytes(2, "big")


def new_polynomial(base: bytes, index: int, quorum: int) -> tuple[Polynomial, Commitments]:
    """Trustee ``index`` (1-based) starts the ceremony for a ``quorum``-of-n key."""
    coefficients = tuple(group.random_scalar() for _ in range(quorum))
    points = tuple(group.base_mul(a) for a in coefficients)
    made = tuple(proofs.prove_knowledge(_commit_context(base, index, m), a) for m, a in enumerate(coefficients))
    return Polynomial(index, coefficients), Commitments(index, points, made)


def check_commitments(base: bytes, quorum: int, published: Commitments) -> None:
    if len(published.points) != quorum or len(published.proofs) != quorum:
        raise group.CryptoError("commitments", f"受托人 {published.index} 的承诺数应为 {quorum}")
    for m, (point, proof) in enumerate(zip(published.points, published.proofs, strict=True)):
        group.point(point, what=f"受托人 {published.index} 的承诺 {m}")
        proofs.verify_knowledge(_commit_context(base, published.index, m), point, proof)


def expected_share_point(index: int, published: Commitments) -> bytes:
    """Σ_m index^m · A_m: what P(index)·G must be."""
    out = group.IDENTITY
    power = 1
    for point in published.points:
        out = group.add(out, group.mul(group.scalar_of(power), point))
        power *= index
    return out


def check_share(index: int, share: bytes, published: Commitments) -> None:
    if group.base_mul(share) != expected_share_point(index, published):
        raise group.CryptoError("share", f"受托人 {published.index} 发给受托人 {index} 的份额与其承诺不符")


def joint_key(all_published: list[Commitments]) -> bytes:
    key = group.IDENTITY
    for published in all_published:
        key = group.add(key, published.points[0])
    return group.point(key, what="联合公钥")


def verification_key(index: int, all_published: list[Commitments]) -> bytes:
    key = group.IDENTITY
    for published in all_published:
        key = group.add(key, expected_share_point(index, published))
    return key


def combine_shares(shares: list[bytes]) -> bytes:
    secret = group.ZERO
    for share in shares:
        secret = group.scalar_add(secret, share)
    return secret


# -- transport of shares between trustees, and sealing a trustee's own share ---------------

def new_transport_key() -> tuple[bytes, bytes]:
    """A trustee's X25519 key pair as raw bytes (private, public)."""
    private = X25519PrivateKey.generate()
    raw_private = private.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                        serialization.NoEncryption())
    return raw_private, private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _share_key(shared: bytes, sender: int, receiver: int) -> bytes:
    info = SHARE_INFO + sender.to_bytes(2, "big") + receiver.to_bytes(2, "big")
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(shared)


def seal_share_for(receiver_public: bytes, sender: int, receiver: int, share: bytes) -> bytes:
    ephemeral = X25519PrivateKey.generate()
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(receiver_public))
    nonce = os.urandom(12)
    body = AESGCM(_share_key(shared, sender, receiver)).encrypt(nonce, share, None)
    epk = ephemeral.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return epk + nonce + body


def open_share(receiver_private: bytes, sender: int, receiver: int, sealed: bytes) -> bytes:
    if len(sealed) != 32 + 12 + 32 + 16:
        raise group.CryptoError("share", f"受托人 {sender} 的加密份额长度不对")
    shared = X25519PrivateKey.from_private_bytes(receiver_private).exchange(X25519PublicKey.from_public_bytes(sealed[:32]))
    try:
        share = AESGCM(_share_key(shared, sender, receiver)).decrypt(sealed[32:44], sealed[44:], None)
    except InvalidTag:
        raise group.CryptoError("share", f"受托人 {sender} 的加密份额无法解开") from None
    return group.scalar(share, what="份额")


def _passphrase_key(passphrase: str, salt: bytes) -> bytes:
    return Scrypt(salt=salt, length=32, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P).derive(passphrase.encode("utf-8"))


def seal_bytes(data: bytes, passphrase: str) -> bytes:
    """Bytes sealed under a trustee's passphrase (kept on their own device)."""
    if len(passphrase) < 8:
        raise group.CryptoError("passphrase", "受托人口令至少 8 个字符")
    salt, nonce = os.urandom(16), os.urandom(12)
    return SEAL_MAGIC + salt + nonce + AESGCM(_passphrase_key(passphrase, salt)).encrypt(nonce, data, SEAL_MAGIC)


def open_bytes(sealed: bytes, passphrase: str) -> bytes:
    if not sealed.startswith(SEAL_MAGIC) or len(sealed) < 4 + 16 + 12 + 16 or len(sealed) > 1 << 16:
        raise group.CryptoError("passphrase", "这不是居选受托人密钥文件")
    salt, nonce = sealed[4:20], sealed[20:32]
    try:
        return AESGCM(_passphrase_key(passphrase, salt)).decrypt(nonce, sealed[32:], SEAL_MAGIC)
    except InvalidTag:
        raise group.CryptoError("passphrase", "口令不对，无法打开受托人密钥") from None


def seal_secret(secret: bytes, passphrase: str) -> bytes:
    """A trustee's key share sealed under their passphrase."""
    return seal_bytes(secret, passphrase)


def open_secret(sealed: bytes, passphrase: str) -> bytes:
    return group.scalar(open_bytes(sealed, passphrase), what="受托人密钥")


# -- decryption -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Partial:
    index: int
    value: bytes
    proof: proofs.EqualityProof


def _partial_context(base: bytes, index: int, label: bytes) -> bytes:
    return base + index.to_bytes(2, "big") + len(label).to_bytes(4, "big") + label


def partial_decrypt(base: bytes, index: int, secret: bytes, ciphertext: Ciphertext, label: bytes) -> Partial:
    """Trustee ``index``'s share of the decryption of ``ciphertext`` (a total named ``label``)."""
    value, proof = proofs.prove_equality(_partial_context(base, index, label), secret, ciphertext.alpha)
    return Partial(index, value, proof)


def check_partial(base: bytes, all_published: list[Commitments], ciphertext: Ciphertext, label: bytes, partial: Partial) -> None:
    x = verification_key(partial.index, all_published)
    try:
        proofs.verify_equality(_partial_context(base, partial.index, label), x, ciphertext.alpha, partial.value, partial.proof)
    except group.CryptoError:
        raise group.CryptoError("decryption_proof", f"受托人 {partial.index} 对 {label.decode('utf-8', 'replace')} 的部分解密证明不成立") from None


def lagrange_at_zero(index: int, present: list[int]) -> bytes:
    numerator, denominator = group.scalar_of(1), group.scalar_of(1)
    for other in present:
        if other != index:
            numerator = group.scalar_mul(numerator, group.scalar_of(other))
            denominator = group.scalar_mul(denominator, group.scalar_of(other - index))
    return group.scalar_mul(numerator, group.scalar_inverse(denominator))


def combine(quorum: int, ciphertext: Ciphertext, partials: list[Partial]) -> bytes:
    """m·G from β and any ``quorum`` distinct partial decryptions (already checked)."""
    present = sorted({p.index for p in partials})
    if len(present) < quorum:
        raise group.CryptoError("quorum", f"解密需要至少 {quorum} 位受托人，现在只有 {len(present)} 位")
    chosen = present[:quorum]
    by_index = {p.index: p for p in partials}
    blind = group.IDENTITY
    for index in chosen:
        blind = group.add(blind, group.mul(lagrange_at_zero(index, chosen), by_index[index].value))
    return group.sub(ciphertext.beta, blind)
