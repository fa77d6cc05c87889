"""Discrete logarithms of small totals: a table of m·G for m = 0..bound, built once. A
point outside the table (a corrupt or forged total) fails; nothing ever loops unbounded."""
from __future__ import annotations

from . import group


class SmallLogs:
    def __init__(self, bound: int) -> None:
        if bound < 0 or bound > 10_000_000:
            raise group.CryptoError("dlog_bound", "离散对数表的范围不合理")
        self.bound = bound
        self._table: dict[bytes, int] = {group.IDENTITY: 0}
        point = group.IDENTITY
        for m in range(1, bound + 1):
            point = group.add(point, group.GENERATOR)
            self._table[point] = m

    def log(self, point: bytes, what: str) -> int:
        found = self._table.get(point)
        if found is None:
            raise group.CryptoError("dlog", f"{what} 解密后不是 0..{self.bound} 之内的计数")
        return found
