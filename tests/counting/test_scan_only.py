"""Counting takes a record only from the scanned audit QR of a paper in hand: a typed
64-hex D (the manifest lists every D publicly) is refused with a Chinese message."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from election.counting.service import d_from_scan
from election.errors import UserError
from election.protocol import codes


def test_typed_hash_is_refused_and_the_qr_is_read() -> None:
    election = SimpleNamespace(uid="E-scan")
    a = codes.new_code()
    d = codes.audit_hash("E-scan", a)
    assert d_from_scan(election, codes.audit_qr(a)) == d  # type: ignore[arg-type]
    for typed in (d, d.upper(), f"  {d}  "):
        with pytest.raises(UserError, match="只接受扫描"):
            d_from_scan(election, typed)  # type: ignore[arg-type]
