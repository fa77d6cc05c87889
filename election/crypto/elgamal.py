"""Exponential ElGamal: a count m under the joint key K is (α, β) = (r·G, m·G + r·K).
Ciphertexts add component-wise, so the sum of many encrypts the sum of their counts."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from . import group


@dataclass(frozen=True)
class Ciphertext:
    alpha: bytes
    beta: bytes

    def plus(self, other: Ciphertext) -> Ciphertext:
        return Ciphertext(group.add(self.alpha, other.alpha), group.add(self.beta, other.beta))

    def times(self, n: int) -> Ciphertext:
        """The ciphertext of n times the count (n a small public number, e.g. a post's seats)."""
        k = group.scalar_of(n)
        return Ciphertext(group.mul(k, self.alpha), group.mul(k, self.beta))

    def to_json(self) -> list[str]:
        return [self.alpha.hex(), self.beta.hex()]


ZERO_CIPHERTEXT = Ciphertext(group.IDENTITY, group.IDENTITY)


def encrypt(key: bytes, m: int, r: bytes) -> Ciphertext:
    """Encrypt the count ``m`` ≥ 0 with the nonce ``r`` (a random non-zero scalar)."""
    if m < 0:
        raise group.CryptoError("plaintext_range", "计数不能为负")
    alpha = group.base_mul(r)
    blind = group.mul(r, key)
    beta = blind if m == 0 else group.add(group.small_mul(m), blind)
    return Ciphertext(alpha, beta)


def total(ciphertexts: Iterable[Ciphertext]) -> Ciphertext:
    out = ZERO_CIPHERTEXT
    for c in ciphertexts:
        out = out.plus(c)
    return out


def parse(value: object, what: str) -> Ciphertext:
    """A ciphertext from a bundle (``[alpha_hex, beta_hex]``): α must be a proper point, β may
    be any point (an encryption of 0 under a degenerate nonce is refused through α)."""
    if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value)):
        raise group.CryptoError("ciphertext_format", f"{what} 的密文格式不对")
    alpha, beta = group.unhex(value[0], group.POINT_BYTES), group.unhex(value[1], group.POINT_BYTES)
    if alpha is None or beta is None:
        raise group.CryptoError("ciphertext_format", f"{what} 的密文不是 32 字节的小写十六进制")
    return Ciphertext(group.point(alpha, what=f"{what} α"), group.point(beta, what=f"{what} β", allow_identity=True))
