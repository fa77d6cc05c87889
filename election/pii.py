"""Personal data at rest: ID and phone numbers encrypted with Fernet, looked up by a keyed
hash (HMAC-SHA256 under a key derived from the same secret), so the database file alone
reveals neither the numbers nor, by guessing, whether a given number is on the roll."""
from __future__ import annotations

import hashlib
import hmac

from cryptography.fernet import Fernet


class PersonalData:
    def __init__(self, data_key: str) -> None:
        self._fernet = Fernet(data_key.encode("ascii"))
        self._mac_key = hashlib.sha256(b"juxuan/lookup/v1|" + data_key.encode("ascii")).digest()

    def encrypt(self, value: str) -> str:
        return self._fernet.encrypt(value.encode("utf-8")).decode("ascii") if value else ""

    def decrypt(self, token: str) -> str:
        return self._fernet.decrypt(token.encode("ascii")).decode("utf-8") if token else ""

    def lookup_hash(self, id_number: str) -> str:
        """The same ID number always gives the same hash (upper-case X normalised)."""
        return hmac.new(self._mac_key, id_number.strip().upper().encode("ascii"), hashlib.sha256).hexdigest()
