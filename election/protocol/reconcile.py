"""Per-box and per-station reconciliation of papers (DESIGN.md, ledger step 5):
issued >= stubs deposited (R) == records counted (D) per box; every R and D in the
manifest; none twice; printed == issued + spoiled + unused."""
from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from election.protocol.findings import Finding
from election.protocol.manifest import Manifest, all_audits, all_receipts, printed


@dataclass(frozen=True)
class BoxTally:
    """What is known of one box: its station (issuance desk group), the R deposited in it,
    and the D of the records counted from it."""

    box: str
    station: str
    receipts: tuple[str, ...]
    audits: tuple[str, ...]


def reconcile(
    manifests: Sequence[Manifest],
    boxes: Sequence[BoxTally],
    issued: Mapping[str, int],
    spoiled: Sequence[str],
    unused: Sequence[str],
    merged: Mapping[str, str] | None = None,
) -> list[Finding]:
    """All findings; an empty list means the papers reconcile. ``issued`` is per station;
    a station's boxes together may hold at most what it issued. ``spoiled``/``unused`` are R.
    ``merged``: mobile box -> the box it was poured into (counting.box_merged); the
    receiving box's records are then its own stubs plus the mobile box's, the mobile box's none."""
    out: list[Finding] = []
    expected = expected_records({b.box: len(b.receipts) for b in boxes}, merged or {})
    in_r = all_receipts(manifests)
    in_d = all_audits(manifests)
    per_station: Counter[str] = Counter()
    seen_r: Counter[str] = Counter()
    seen_d: Counter[str] = Counter()
    for b in boxes:
        per_station[b.station] += len(b.receipts)
        seen_r.update(b.receipts)
        seen_d.update(b.audits)
        if expected[b.box] != len(b.audits):
            out.append(Finding(
                "box.mismatch",
                f"票箱 {b.box}：投入时扫描的存根 {expected[b.box]} 张{_poured(b.box, merged or {})}，"
                f"计票记录 {len(b.audits)} 张，二者应相等",
                b.box,
            ))
        missing_r = sum(1 for r in b.receipts if r not in in_r)
        if missing_r:
            out.append(Finding("box.receipt_unknown", f"票箱 {b.box}：有 {missing_r} 个存根回执哈希不在印刷清单中", b.box))
        missing_d = sum(1 for d in b.audits if d not in in_d)
        if missing_d:
            out.append(Finding("box.audit_unknown", f"票箱 {b.box}：有 {missing_d} 条计票记录的审计哈希不在印刷清单中", b.box))
    for station in sorted(set(per_station) | set(issued)):
        n_issued = issued.get(station, 0)
        if per_station[station] > n_issued:
            out.append(Finding(
                "station.over",
                f"投票站 {station}：发出选票 {n_issued} 张，票箱中却有存根 {per_station[station]} 张，多于发出数",
                station,
            ))
    spoiled_unused = Counter(spoiled) + Counter(unused)
    for r, n in sorted(seen_r.items()):
        if n > 1:
            out.append(Finding("receipt.twice", f"回执哈希 {r[:16]}… 被投入 {n} 次", r))
        if r in spoiled_unused:
            out.append(Finding("receipt.void", f"回执哈希 {r[:16]}… 属于作废或未用选票，却被投入票箱", r))
    for d, n in sorted(seen_d.items()):
        if n > 1:
            out.append(Finding("audit.twice", f"审计哈希 {d[:16]}… 被计票 {n} 次", d))
    for r, n in sorted(spoiled_unused.items()):
        if n > 1:
            out.append(Finding("void.twice", f"回执哈希 {r[:16]}… 在作废/未用名单中出现 {n} 次", r))
        if r not in in_r:
            out.append(Finding("void.unknown", f"作废/未用选票的回执哈希 {r[:16]}… 不在印刷清单中", r))
    n_printed = printed(manifests)
    n_issued_total = sum(issued.values())
    if n_printed != n_issued_total + len(spoiled) + len(unused):
        out.append(Finding(
            "papers.balance",
            f"印制 {n_printed} 张，应等于发出 {n_issued_total} 张 + 作废 {len(spoiled)} 张 + 未用 {len(unused)} 张"
            f"（= {n_issued_total + len(spoiled) + len(unused)} 张）",
        ))
    return out


def expected_records(stubs: Mapping[str, int], merged: Mapping[str, str]) -> dict[str, int]:
    """Per box, the records its stubs call for: its own stubs, plus those of the mobile boxes
    poured into it; none for a box poured into another. ``stubs``: box -> stubs deposited."""
    out = {b: (0 if b in merged else n) for b, n in stubs.items()}
    for mobile, into in merged.items():
        out[into] = out.get(into, 0) + stubs.get(mobile, 0)
    return out


def _poured(box: str, merged: Mapping[str, str]) -> str:
    """How a box's expected records were made up, when boxes were poured in or out of it."""
    if box in merged:
        return f"（已倒入票箱 {merged[box]}，记录应在该票箱下）"
    into = sorted(m for m, t in merged.items() if t == box)
    return f"（含倒入的流动票箱 {'、'.join(into)}）" if into else ""
