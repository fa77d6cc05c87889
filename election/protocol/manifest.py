"""The print manifest: the sorted list of every printed R and, separately, every printed D,
with counts. Reprints are supplements (batch 1, 2, ...) appended, never edits.

The two lists are sorted independently, so the manifest carries no R-D pairing.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from election.protocol.canonical import digest
from election.protocol.findings import Finding

MANIFEST_TYPE = "juxuan/manifest/v1"


@dataclass(frozen=True)
class Manifest:
    election_id: str
    batch: int  # 0 = the main print run, 1.. = supplements
    receipts: tuple[str, ...]  # sorted R
    audits: tuple[str, ...]  # sorted D

    def to_json(self) -> dict[str, Any]:
        return {
            "type": MANIFEST_TYPE,
            "election": self.election_id,
            "batch": self.batch,
            "receipt_count": len(self.receipts),
            "audit_count": len(self.audits),
            "receipts": list(self.receipts),
            "audits": list(self.audits),
        }

    @property
    def digest(self) -> str:
        """SHA-256 of the canonical JSON of :meth:`to_json` (recorded in the chain)."""
        return digest(self.to_json())

    @staticmethod
    def from_json(o: dict[str, Any]) -> Manifest:
        m = Manifest(str(o["election"]), int(o["batch"]), tuple(o["receipts"]), tuple(o["audits"]))
        if o.get("receipt_count") != len(m.receipts) or o.get("audit_count") != len(m.audits):
            raise ValueError(f"清单批次 {m.batch} 的数量字段与列表长度不符")
        return m


def make_manifest(election_id: str, receipts: Iterable[str], audits: Iterable[str], batch: int = 0) -> Manifest:
    """Sort both lists (which also destroys the print order that could pair R with D)."""
    return Manifest(election_id, batch, tuple(sorted(receipts)), tuple(sorted(audits)))


def supplement(previous: Sequence[Manifest], receipts: Iterable[str], audits: Iterable[str]) -> Manifest:
    """The next supplement after ``previous`` (a reprint adds papers, it never edits)."""
    if not previous:
        raise ValueError("补印清单之前必须先有主清单（批次 0）")
    return make_manifest(previous[0].election_id, receipts, audits, batch=previous[-1].batch + 1)


def _dups(values: Sequence[str]) -> list[str]:
    return [a for a, b in zip(values, values[1:]) if a == b]


def validate(manifests: Sequence[Manifest], first: int = 0) -> list[Finding]:
    """Batches first..n in order (0.. for the first round; a later round's batches go on
    from where the previous round stopped), one election, each list sorted, one R and one
    D per paper, and no R or D repeated within or across batches."""
    out: list[Finding] = []
    if not manifests:
        return [Finding("manifest.missing", "没有印刷清单")]
    election = manifests[0].election_id
    for i, m in enumerate(manifests, first):
        where = f"批次 {m.batch}"
        if m.batch != i:
            out.append(Finding("manifest.batch", f"{where}：批次号应为 {i}", where))
        if m.election_id != election:
            out.append(Finding("manifest.election", f"{where}：选举编号“{m.election_id}”与主清单“{election}”不同", where))
        if len(m.receipts) != len(m.audits):
            out.append(Finding("manifest.counts", f"{where}：回执哈希 {len(m.receipts)} 个，审计哈希 {len(m.audits)} 个，每张选票应各有一个", where))
        for name, values in (("回执哈希 R", m.receipts), ("审计哈希 D", m.audits)):
            if any(a > b for a, b in zip(values, values[1:])):
                out.append(Finding("manifest.order", f"{where}：{name} 列表未按升序排列", where))
    for name, attr in (("回执哈希 R", "receipts"), ("审计哈希 D", "audits")):
        merged = sorted(x for m in manifests for x in getattr(m, attr))
        for d in _dups(merged):
            out.append(Finding("manifest.duplicate", f"{name} {d[:16]}… 在清单中出现不止一次", d))
    return out


def all_receipts(manifests: Sequence[Manifest]) -> frozenset[str]:
    return frozenset(r for m in manifests for r in m.receipts)


def all_audits(manifests: Sequence[Manifest]) -> frozenset[str]:
    return frozenset(d for m in manifests for d in m.audits)


def printed(manifests: Sequence[Manifest]) -> int:
    return sum(len(m.receipts) for m in manifests)
