"""Bundle format and the independent verifier (DESIGN.md, Publication; tools/verify checks
everything its bundle contains). Each tampering is done by an insider who holds the
election key and re-seals the bundle, so only the named semantic check can catch it."""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace

import pytest

from election.protocol import bundle, signing
from election.protocol.bundle import Record
from election.protocol.verify import verify_bundle
from tests.protocol.builder import Built, build, tally


@pytest.fixture(scope="module")
def built() -> Built:
    return build()


def _failed(data: bytes, tally_fn=tally) -> set[str]:
    return {c.name_en for c in verify_bundle(data, tally_fn) if not c.ok}


def test_round_trip_and_deterministic_zip(built: Built) -> None:
    data = bundle.write_bundle(built.parts)
    again = bundle.read_bundle(data)
    assert again.records is not None and sorted(again.records, key=lambda r: r.d) == sorted(built.parts.records, key=lambda r: r.d)
    assert bundle.write_bundle(again) == data
    assert {"manifest.json", "deposits.json", "chain.jsonl", "head.sig", "countersign.json", "records.jsonl"} <= set(bundle.read_files(data))


def test_clean_auditor_and_public_bundles_pass_every_check(built: Built) -> None:
    checks = verify_bundle(bundle.write_bundle(built.parts), tally)
    assert [c.name_en for c in checks if not c.ok] == []
    names = {c.name_en for c in checks}
    assert {"recount", "records_in_manifest", "audit_sample", "countersignature", "merkle"} <= names
    pub = verify_bundle(bundle.write_bundle(bundle.public(built.parts)))
    assert [c.name_en for c in pub if not c.ok] == []
    assert "records_in_manifest" not in {c.name_en for c in pub}


def test_small_boxes_are_merged_before_publication(built: Built) -> None:
    """DESIGN.md: per-box totals only for boxes of at least 30 papers."""
    assert [g["boxes"] for g in built.parts.box_totals] == [["A"], ["B", "C"]]
    assert bundle.group_boxes({"A": 5, "B": 40, "C": 3}) == [["A", "B", "C"]]
    assert bundle.group_boxes({"A": 5}) == [["A"]]


def test_receipt_inclusion_proof_from_the_published_bundle(built: Built) -> None:
    """A resident's R is in box A's Merkle tree with a proof checked against the published root."""
    from election.protocol import codes, merkle

    r = built.parts.deposits["A"][3]
    t = built.receipt_codes[r]
    assert codes.receipt_hash(built.parts.election_id, codes.parse(codes.human(t))) == r
    tree = merkle.build(built.parts.deposits["A"])
    published = json.loads(bundle.read_files(bundle.write_bundle(built.parts))["deposits.json"])
    assert merkle.verify_inclusion(r, tree.proof(tree.index_of(r)), published["boxes"]["A"]["root"])


def _reseal(built: Built, change: Callable[[bundle.BundleParts], bundle.BundleParts]) -> bytes:
    p = change(built.parts)
    p = bundle.seal(p, built.key, "2026-11-25")
    return bundle.write_bundle(bundle.countersign(p, built.office, "2026-11-25"))


def _reseal_files(built: Built, change: Callable[[dict[str, bytes]], None]) -> bytes:
    files = bundle.render(built.parts)
    change(files)
    return bundle.write_files(bundle.seal_files(files, built.key, "2026-11-25"))


def _change_one_choice(p):
    recs = list(p.records)
    r = recs[0]
    flipped = ["李四"] if r.marks["主任"] == ["张三"] else ["张三"]
    recs[0] = Record(r.d, r.box, {**r.marks, "主任": flipped})
    return replace(p, records=tuple(recs))


def _drop_receipt(p):
    return replace(p, deposits={**p.deposits, "A": p.deposits["A"][1:]})


def _add_record(p):
    return replace(p, records=p.records + (Record("ab" * 32, "A", {"主任": ["张三"], "委员": []}),))


def _duplicate_record(p):
    recs = list(p.records)
    recs[1] = recs[0]  # one record counted twice, another lost: the box count still matches
    return replace(p, records=tuple(recs))


def _change_result(p):
    posts = json.loads(json.dumps(p.totals["posts"]))
    posts["主任"]["李四"] += 5
    posts["主任"]["张三"] -= 5
    return replace(p, totals={**p.totals, "posts": posts})


def _forge_manifest(p):
    m = p.manifests[0]
    rs = sorted(m.receipts[1:] + ("00" * 32,))
    return replace(p, manifests=(replace(m, receipts=tuple(rs)),))


def _change_rulebook(p):
    return replace(p, rulebook={**p.rulebook, "threshold": "1/3"})


def _deposit_spoiled(p):
    return replace(p, deposits={**p.deposits, "C": p.deposits["C"][1:] + (p.spoiled[0],)})


def _bad_audit(p):
    draws = [list(d) for d in p.audit["draws"]]
    draws[0] = ["C", 1] if draws[0] != ["C", 1] else ["A", 1]
    return replace(p, audit={**p.audit, "draws": draws})


@pytest.mark.parametrize(
    "change, check",
    [
        (_change_one_choice, "recount"),
        (_drop_receipt, "reconcile"),
        (_add_record, "records_in_manifest"),
        (_duplicate_record, "records_unique"),
        (_change_result, "totals"),
        (_forge_manifest, "manifest"),
        (_change_rulebook, "rulebook"),
        (_deposit_spoiled, "deposits"),
        (_bad_audit, "audit_sample"),
    ],
    ids=lambda x: getattr(x, "__name__", x),
)
def test_insider_tampering_is_caught_by_its_named_check(built: Built, change, check: str) -> None:
    failed = _failed(_reseal(built, change))
    assert check in failed
    # The re-sealed chain and signature are sound: only the semantic check fails.
    assert not failed & {"chain", "head_signature", "bundle_index", "election_key"}


def _break_merkle(files: dict[str, bytes]) -> None:
    dep = json.loads(files["deposits.json"])
    dep["boxes"]["C"]["root"] = "00" * 32
    files["deposits.json"] = bundle._json(dep)


def test_broken_merkle_root_is_caught(built: Built) -> None:
    failed = _failed(_reseal_files(built, _break_merkle))
    assert failed == {"merkle"}


def test_reordered_chain_is_caught(built: Built) -> None:
    files = bundle.render(built.parts)
    lines = files["chain.jsonl"].splitlines(keepends=True)
    lines[1], lines[2] = lines[2], lines[1]
    files["chain.jsonl"] = b"".join(lines)
    assert "chain" in _failed(bundle.write_files(files))


def test_swapped_key_is_caught_by_the_genesis_fingerprint(built: Built) -> None:
    """An attacker re-signs with their own key: the signature verifies, the fingerprint does not."""
    other = signing.generate_key()
    files = bundle.render(built.parts)
    files["election_key.pem"] = signing.public_key_to_pem(other.public_key())
    failed = _failed(bundle.write_files(bundle.seal_files(files, other, "2026-11-25")))
    assert "election_key" in failed and "head_signature" not in failed


def test_unsealed_edit_is_caught_by_the_index(built: Built) -> None:
    files = bundle.render(built.parts)
    files["issuance.json"] = b'{"S1":60,"S2":36}\n'
    assert "bundle_index" in _failed(bundle.write_files(files))


def test_forged_head_signature_is_caught(built: Built) -> None:
    files = bundle.render(built.parts)
    sig = json.loads(files["head.sig"])
    sig["statement"]["date"] = "2026-12-31"
    files["head.sig"] = bundle._json(sig)
    assert _failed(bundle.write_files(files)) == {"head_signature"}


def test_countersignature_does_not_cover_a_changed_result(built: Built) -> None:
    files = bundle.render(built.parts)
    t = json.loads(files["totals.json"])
    t["result"] = {"主任": ["李四"]}
    files["totals.json"] = bundle._json(t)
    resealed = bundle.seal_files(files, built.key, "2026-11-25")
    resealed["countersign.json"] = files["countersign.json"]
    resealed["office_key.pem"] = files["office_key.pem"]
    assert "countersignature" in _failed(bundle.write_files(resealed))


def test_each_failure_names_itself_in_chinese(built: Built) -> None:
    checks = verify_bundle(_reseal(built, _drop_receipt), tally)
    bad = [c for c in checks if not c.ok]
    assert bad and all(c.name_zh and c.detail for c in bad)
    assert any("票箱 A：投入存根 39 张，计票记录 40 张" in c.detail for c in bad)


def test_garbage_is_a_format_failure_not_a_crash() -> None:
    checks = verify_bundle(b"not a zip")
    assert [(c.name_en, c.ok) for c in checks] == [("format", False)]
