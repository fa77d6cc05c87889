"""Print manifest and reconciliation (DESIGN.md, ledger step 1 and step 5)."""
from __future__ import annotations

import hashlib

from election.protocol.manifest import make_manifest, supplement, validate
from election.protocol.reconcile import BoxTally, reconcile


def _h(prefix: str, n: int, start: int = 0) -> list[str]:
    return [hashlib.sha256(f"{prefix}{i}".encode()).hexdigest() for i in range(start, start + n)]


def test_manifest_sorted_with_supplement_and_stable_digest() -> None:
    m = make_manifest("E1", reversed(_h("r", 5)), _h("d", 5))
    s = supplement([m], _h("r", 2, 5), _h("d", 2, 5))
    assert list(m.receipts) == sorted(m.receipts) and s.batch == 1
    assert validate([m, s]) == []
    assert m.digest == make_manifest("E1", _h("r", 5), reversed(_h("d", 5))).digest


def test_repeated_code_across_supplement_is_found() -> None:
    m = make_manifest("E1", _h("r", 5), _h("d", 5))
    s = supplement([m], [_h("r", 1)[0], _h("r", 1, 9)[0]], _h("d", 2, 5))
    codes = [f.code for f in validate([m, s])]
    assert codes == ["manifest.duplicate"]


def _setup():
    rs, ds = _h("r", 20), _h("d", 20)
    m = make_manifest("E1", rs, ds)
    boxes = [BoxTally("A", "S1", tuple(rs[:8]), tuple(ds[:8])), BoxTally("B", "S2", tuple(rs[8:14]), tuple(ds[8:14]))]
    return m, rs, ds, boxes


def test_clean_papers_reconcile() -> None:
    m, rs, ds, boxes = _setup()
    assert reconcile([m], boxes, {"S1": 8, "S2": 6}, rs[14:16], rs[16:]) == []


def test_every_reconciliation_rule_reports_with_numbers() -> None:
    """Step 5: issued >= deposited == records; in manifest; none twice; printed balance."""
    m, rs, ds, boxes = _setup()
    bad = [
        BoxTally("A", "S1", tuple(rs[:8]) + (rs[0],), tuple(ds[:8])),  # a stub twice; 9 vs 8
        BoxTally("B", "S2", tuple(rs[8:14]), tuple(ds[8:13]) + ("ff" * 32,)),  # forged D
    ]
    found = reconcile([m], bad, {"S1": 8, "S2": 6}, rs[14:16], rs[15:])  # rs[15] both spoiled and unused
    by = {f.code: f.message for f in found}
    assert "投入时扫描的存根 9 张，计票记录 8 张" in by["box.mismatch"]
    assert "发出选票 8 张，票箱中却有存根 9 张" in by["station.over"]
    assert "被投入 2 次" in by["receipt.twice"]
    assert "有 1 条计票记录的审计哈希不在印刷清单中" in by["box.audit_unknown"]
    assert "出现 2 次" in by["void.twice"]
    assert "印制 20 张，应等于发出 14 张 + 作废 2 张 + 未用 5 张" in by["papers.balance"]


def test_100000_papers_hash_and_reconcile() -> None:
    """At scale: 100,000 receipts and records hash, enter the manifest and reconcile."""

    from election.protocol import codes

    rh = codes.hasher(codes.RECEIPT_TAG, "E1")
    ah = codes.hasher(codes.AUDIT_TAG, "E1")
    ts = [codes.new_code() for _ in range(100_000)]
    rs = [rh(t) for t in ts]
    ds = [ah(t) for t in ts]
    m = make_manifest("E1", rs, ds)
    box = BoxTally("A", "S1", tuple(rs), tuple(ds))
    assert reconcile([m], [box], {"S1": 100_000}, [], []) == []
