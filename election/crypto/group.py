"""ristretto255 points and scalars as canonical 32-byte strings, operated on by libsodium.

libsodium refuses a zero scalar and an identity result in its plain scalar multiplication;
the exponential ElGamal of a zero vote, a sum of ciphertexts or a response of zero needs
both, so multiplication here goes through the ``allow_scalar_zero`` variants and treats the
identity (all zero bytes, its canonical encoding) explicitly."""
from __future__ import annotations

import hashlib
import re
from functools import lru_cache

import rbcl

POINT_BYTES = 32
SCALAR_BYTES = 32
IDENTITY = bytes(POINT_BYTES)
ZERO = bytes(SCALAR_BYTES)
_LOWER_HEX = re.compile(r"[0-9a-f]*\Z")


def unhex(value: object, size: int) -> bytes | None:
    """``size`` bytes written as 2·size lower-case hex digits (PROTOCOL.md: hex is lower-case),
    else None: bytes.fromhex alone would also take upper case and spaces between the bytes,
    which the browser verifier refuses, and both verifiers must read the same bytes."""
    if isinstance(value, str) and len(value) == 2 * size and _LOWER_HEX.match(value):
        return bytes.fromhex(value)
    return None


class CryptoError(Exception):
    """A value or proof that does not hold; ``check`` names what failed, ``message`` says it
    in Chinese for the pages."""

    def __init__(self, check: str, message: str) -> None:
        super().__init__(f"{check}: {message}")
        self.check = check
        self.message = message


def point(data: object, *, what: str = "point", allow_identity: bool = False) -> bytes:
    """A point from outside: exactly 32 bytes, canonically encoded, and not the identity
    unless the caller allows it (a public key or an ElGamal alpha never is)."""
    if not isinstance(data, bytes) or len(data) != POINT_BYTES:
        raise CryptoError("point_encoding", f"{what} 不是 32 字节的点编码")
    if data == IDENTITY:
        if allow_identity:
            return data
        raise CryptoError("point_identity", f"{what} 不得为单位元")
    if not rbcl.crypto_core_ristretto255_is_valid_point(data):
        raise CryptoError("point_encoding", f"{what} 不是规范的 ristretto255 点编码")
    return data


def scalar(data: object, *, what: str = "scalar") -> bytes:
    """A scalar from outside: exactly 32 bytes and already reduced modulo the group order."""
    if not isinstance(data, bytes) or len(data) != SCALAR_BYTES:
        raise CryptoError("scalar_encoding", f"{what} 不是 32 字节的标量")
    if rbcl.crypto_core_ristretto255_scalar_reduce(data + ZERO) != data:
        raise CryptoError("scalar_encoding", f"{what} 不是规范的标量（未约简）")
    return data


def scalar_of(n: int) -> bytes:
    """The integer ``n`` (any sign, |n| < 2**511) as a scalar modulo the group order."""
    if n < 0:
        return rbcl.crypto_core_ristretto255_scalar_negate(scalar_of(-n))
    return rbcl.crypto_core_ristretto255_scalar_reduce(n.to_bytes(64, "little"))


def random_scalar() -> bytes:
    return rbcl.crypto_core_ristretto255_scalar_random()


def hash_to_scalar(tag: str, *parts: bytes) -> bytes:
    """SHA-512 over a domain tag and length-prefixed parts, reduced to a scalar: every part
    is framed, so no two different statements hash the same bytes."""
    digest = hashlib.sha512()
    for part in (tag.encode("utf-8"), *parts):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return rbcl.crypto_core_ristretto255_scalar_reduce(digest.digest())


def base_mul(s: bytes) -> bytes:
    """s·G (the identity for s = 0)."""
    return rbcl.crypto_scalarmult_ristretto255_base_allow_scalar_zero(s)


def mul(s: bytes, p: bytes) -> bytes:
    """s·P (the identity for s = 0 or P the identity)."""
    if p == IDENTITY:
        return IDENTITY
    return rbcl.crypto_scalarmult_ristretto255_allow_scalar_zero(s, p)


def add(p: bytes, q: bytes) -> bytes:
    # An addition costs two point decodings (a square root each): skip it for the identity.
    if q == IDENTITY:
        return p
    if p == IDENTITY:
        return q
    return rbcl.crypto_core_ristretto255_add(p, q)


def sub(p: bytes, q: bytes) -> bytes:
    if q == IDENTITY:
        return p
    return rbcl.crypto_core_ristretto255_sub(p, q)


@lru_cache(maxsize=4096)
def small_mul(n: int) -> bytes:
    """n·G for a small count n ≥ 0 (a vote, a total): the identity for 0, as the exponential
    ElGamal encoding of zero needs no 0·G term. Cached: proofs use the same few values."""
    return IDENTITY if n == 0 else base_mul(scalar_of(n))


def scalar_add(a: bytes, b: bytes) -> bytes:
    return rbcl.crypto_core_ristretto255_scalar_add(a, b)


def scalar_sub(a: bytes, b: bytes) -> bytes:
    return rbcl.crypto_core_ristretto255_scalar_sub(a, b)


def scalar_mul(a: bytes, b: bytes) -> bytes:
    return rbcl.crypto_core_ristretto255_scalar_mul(a, b)


def scalar_inverse(a: bytes) -> bytes:
    if a == ZERO:
        raise CryptoError("scalar_zero", "零没有逆元")
    return rbcl.crypto_core_ristretto255_scalar_invert(a)


GENERATOR = base_mul(scalar_of(1))
