"""The independent verifier against the forgery classes of issue 23: each is made as a
malicious server would (changed, then re-sealed with the election's own key and
countersigned), and each fails its own named check while the seal itself stays sound."""
from __future__ import annotations

import json

import pytest

from election.protocol import bundle, codes, merkle, signing
from election.protocol.verify import Pins, verify_bundle
from tests.protocol import forgeries
from tests.protocol.builder import Built, build

SEAL = {"chain", "head_signature", "bundle_index", "election_key"}


@pytest.fixture(scope="module")
def built() -> Built:
    return build()


def _failed(data: bytes, pins: Pins = Pins()) -> dict[str, str]:
    return {c.name_en: c.detail for c in verify_bundle(data, pins) if not c.ok}


def test_round_trip_and_deterministic_zip(built: Built) -> None:
    data = bundle.write_bundle(built.parts)
    again = bundle.read_bundle(data)
    assert bundle.write_bundle(again) == data
    assert {"tally_input.json", "voided.json", "records.jsonl", "countersign.json"} <= set(bundle.read_files(data))


def test_clean_auditor_and_public_bundles_pass_every_check(built: Built) -> None:
    checks = verify_bundle(bundle.write_bundle(built.parts))
    assert [c.name_en for c in checks if not c.ok] == []
    names = {c.name_en for c in checks}
    assert {"winners", "bounds", "result_event", "recount", "records_frozen", "lists", "canonical"} <= names
    pub = verify_bundle(bundle.write_bundle(bundle.public(built.parts)))
    assert [c.name_en for c in pub if not c.ok] == []
    assert "recount" not in {c.name_en for c in pub} and "winners" in {c.name_en for c in pub}


@pytest.mark.parametrize("name, forge, check", forgeries.FORGERIES, ids=[f[0] for f in forgeries.FORGERIES])
def test_each_forgery_fails_its_own_named_check(built: Built, name, forge, check) -> None:
    failed = _failed(forgeries.forged(built, forge))
    assert check in failed, failed
    if check not in SEAL | {"canonical", "zip_members", "format"}:
        # Re-sealed with the server's own key: the seal is sound, only the named check fails.
        assert not failed.keys() & SEAL, failed


def test_remade_chain_passes_alone_and_fails_with_the_pinned_key(built: Built) -> None:
    data, _ = forgeries.remade_chain(built)
    assert _failed(data) == {}  # internally consistent: only pinning can tell
    fp = signing.fingerprint(built.key.public_key())
    head = built.parts.chain[-1].hash
    failed = _failed(data, Pins(key=fp, head=head))
    assert {"pin_key", "pin_head"} <= failed.keys()


def test_truncated_chain_fails_with_the_pinned_head(built: Built) -> None:
    data = forgeries.truncated_chain(built)
    head = built.parts.chain[-2].hash  # a head the notice board showed after the result
    failed = _failed(data, Pins(key=signing.fingerprint(built.key.public_key()), head=head))
    assert "pin_head" in failed and "pin_key" not in failed
    assert "pin_head" not in _failed(bundle.write_bundle(built.parts), Pins(head=head))


def test_countersignature_by_any_but_the_pinned_office_key_fails(built: Built) -> None:
    office = signing.fingerprint(built.office.public_key())
    assert _failed(bundle.write_bundle(built.parts), Pins(office_key=office)) == {}
    failed = _failed(forgeries.office_forged(built), Pins(office_key=office))
    assert set(failed) == {"pin_office_key"}
    # Without a countersignature at all the pinned office key fails too.
    bare = bundle.write_bundle(bundle.BundleParts(**{**built.parts.__dict__, "countersignature": None, "office_key_pem": None}))
    assert "countersignature" in _failed(bare, Pins(office_key=office))


def test_receipt_is_proved_to_the_sealed_box_root(built: Built) -> None:
    r = built.parts.deposits["A"][3]
    code = codes.human(built.receipt_codes[r])
    checks = {c.name_en: c for c in verify_bundle(bundle.write_bundle(bundle.public(built.parts)), Pins(receipt=code))}
    assert checks["receipt"].ok and "票箱 A" in checks["receipt"].detail
    root = json.loads(bundle.render(built.parts)["deposits.json"])["boxes"]["A"]["root"]
    tree = merkle.build(built.parts.deposits["A"])
    assert merkle.verify_inclusion(r, tree.proof(tree.index_of(r)), root)
    spoiled_code = codes.human(built.receipt_codes[built.parts.spoiled[0]])
    assert not {c.name_en: c for c in verify_bundle(bundle.write_bundle(built.parts), Pins(receipt=spoiled_code))}["receipt"].ok


def test_oversized_member_is_refused_without_reading_it() -> None:
    import io
    import zipfile

    from election.protocol.verify_read import MAX_MEMBER

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        info = zipfile.ZipInfo("totals.json")
        info.compress_type = zipfile.ZIP_DEFLATED
        with z.open(info, "w", force_zip64=True) as fh:
            chunk = b"0" * (1 << 20)
            for _ in range(MAX_MEMBER // len(chunk) + 2):
                fh.write(chunk)
    data = buf.getvalue()
    assert len(data) < MAX_MEMBER // 100
    assert set(_failed(data)) == {"zip_size"}


def test_small_boxes_are_merged_before_publication() -> None:
    assert bundle.group_boxes({"A": 5, "B": 40, "C": 3}) == [["A", "B", "C"]]
    assert bundle.group_boxes({"A": 5}) == [["A"]]
