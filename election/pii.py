"""Personal data at rest: ID and phone numbers encrypted, looked up by a keyed hash
(HMAC-SHA256 under a key derived from the same secret), so the database file alone reveals
neither the numbers nor, by guessing, whether a given number is on the roll.

New values are sealed with AES-256-GCM ("g2." + URL-safe base64 of a random 96-bit nonce, the
ciphertext and its tag) under a key derived from the data key: one key object serves every
field, about six times cheaper per field than a Fernet token, whose cipher is set up anew
for each value (a roll of 100,000 residents seals 200,000 fields). Values sealed earlier as
Fernet tokens are still read.

A roll import seals and hashes whole batches (encrypt_many, lookup_hashes): one draw of random
bytes for every nonce of the batch, and the HMAC's keyed inner and outer SHA-256 states
prepared once and copied for each number, where hmac.new keys them anew (half the time).
"""
from __future__ import annotations

import base64
import hashlib
import os
from binascii import b2a_base64
from collections.abc import Sequence

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_GCM = "g2."  # never the start of a Fernet token, which is base64 of 0x80 ("gA")
_AAD = b"juxuan/pii/v2"
_URL_SAFE = bytes.maketrans(b"+/", b"-_")


class PersonalData:
    def __init__(self, data_key: str) -> None:
        self._fernet = Fernet(data_key.encode("ascii"))
        self._mac_key = hashlib.sha256(b"juxuan/lookup/v1|" + data_key.encode("ascii")).digest()
        self._gcm = AESGCM(hashlib.sha256(b"juxuan/pii/v2|" + data_key.encode("ascii")).digest())
        # HMAC-SHA256 (RFC 2104) with its two keyed states made once: the key (32 bytes) padded
        # to the block and XORed with the inner and outer pads.
        padded = self._mac_key.ljust(64, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in padded))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in padded))

    def encrypt(self, value: str) -> str:
        return self.encrypt_many([value])[0]

    def encrypt_many(self, values: Sequence[str]) -> list[str]:
        """Each value sealed under its own random nonce ("" stays "")."""
        pool = os.urandom(12 * len(values))
        seal = self._gcm.encrypt
        out: list[str] = []
        append = out.append
        for i, value in enumerate(values):
            if not value:
                append("")
                continue
            nonce = pool[12 * i:12 * i + 12]
            # URL-safe base64 as base64.urlsafe_b64encode writes it, without its two Python calls.
            sealed = b2a_base64(nonce + seal(nonce, value.encode("utf-8"), _AAD), newline=False)
            append(_GCM + sealed.translate(_URL_SAFE).decode("ascii"))
        return out

    def decrypt(self, token: str) -> str:
        if not token:
            return ""
        if token.startswith(_GCM):
            raw = base64.urlsafe_b64decode(token[len(_GCM):])
            return self._gcm.decrypt(raw[:12], raw[12:], _AAD).decode("utf-8")
        return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")

    def lookup_hash(self, id_number: str) -> str:
        """The same ID number always gives the same hash (upper-case X normalised):
        HMAC-SHA256 under the lookup key, hex."""
        return self.lookup_hashes([id_number])[0]

    def lookup_hashes(self, id_numbers: Sequence[str]) -> list[str]:
        inner, outer = self._inner, self._outer
        out: list[str] = []
        append = out.append
        for number in id_numbers:
            h = inner.copy()
            h.update(number.strip().upper().encode("ascii"))
            o = outer.copy()
            o.update(h.digest())
            append(o.hexdigest())
        return out
