"""The trustees on the server: the ceremony relayed and recorded before printing, a counted
round encrypted, two trustees' partial decryptions collected, and the recount.json a
bundle carries checked by the verifier's own function against the published totals."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from election.audit.simulate import simulate
from election.crypto import ceremony, recount_doc
from election.errors import UserError
from election.ledger.keys import private_key
from election.models import AuditCode
from election.protocol import bundle as bundle_mod
from election.protocol.canonical import canonical_json
from election.protocol.verify import verify_bundle
from election.publication.bundle import build_parts, export_bundle, public_files
from election.trustees import service as trustees
from tests.conftest import DATA_KEY
from tests.factories import TRUSTEE_PASS, new_election, trustee_keys


def test_the_ceremony_then_an_encrypted_round_decrypted_by_two_trustees(db, tmp_path: Path):
    election = new_election(db)
    keys = trustee_keys(db, election)
    state = trustees.ceremony_of(db, election)
    assert state.stage == "key" and state.joint_key
    with pytest.raises(UserError, match="已经开始"):
        trustees.issue(db, election, ["甲", "乙"], 2, "committee")

    simulate(db, election, voters=30, seed=4)
    db.commit()
    assert trustees.encrypt_round(db, election, 1, tmp_path, "committee") > 0
    db.commit()
    totals = trustees.totals_for_trustees(tmp_path, election, 1)
    docs = trustees.documents(db, election)
    parts = [ceremony.decrypt(docs["ceremony"], docs["publics"], totals, keys[i - 1], TRUSTEE_PASS, i) for i in (1, 3)]
    assert trustees.recount_member(db, election, 1, tmp_path, build_parts(db, election, 1).records) is None
    trustees.add_partials(db, election, 1, json.dumps(parts[0]).encode(), tmp_path, "committee")
    db.commit()
    forged = json.loads(json.dumps(parts[1]))
    label = sorted(forged["partials"])[0]
    forged["partials"][label]["value"] = forged["partials"][sorted(forged["partials"])[1]]["value"]
    with pytest.raises(UserError, match="部分解密证明不成立"):
        trustees.add_partials(db, election, 1, json.dumps(forged).encode(), tmp_path, "committee")
    db.rollback()
    trustees.add_partials(db, election, 1, json.dumps(parts[1]).encode(), tmp_path, "committee")
    db.commit()

    bundle = build_parts(db, election, 1)
    member = trustees.recount_member(db, election, 1, tmp_path, bundle.records)
    assert member is not None
    checks = recount_doc.verify(member[0], member[1], [r.d for r in bundle.records], bundle.totals,
                                box_totals=bundle.box_totals, record_boxes={r.d: r.box for r in bundle.records})
    assert [c.name for c in checks if c.ok] == ["recount_format", "recount_trustees", "recount_papers",
                                                "recount_selections", "recount_seats", "recount_invalid_posts",
                                                "recount_decryption", "recount_totals", "recount_box_groups"]
    assert [g["boxes"] for g in member[0]["groups"]] == [list(g["boxes"]) for g in bundle.box_totals]

    # Sealed into the bundle, checked by the verifier; a recount.json changed by the server
    # and re-sealed with the election's own key fails its own check.
    out = export_bundle(db, election, DATA_KEY, "committee", auditor=True, instance=tmp_path)
    db.commit()
    assert "recount.json" in out.files and out.files["recount/papers.jsonl"].count(b"\n") == len(bundle.records)
    checks = {c.name_en: c for c in verify_bundle(out.data)}
    assert all(c.ok for c in checks.values()), [c for c in checks.values() if not c.ok]
    assert {"recount_papers", "recount_decryption", "recount_totals"} <= set(checks)
    public = verify_bundle(bundle_mod.write_files(public_files(out.files)))
    assert all(c.ok for c in public) and "recount_totals" in {c.name_en for c in public}
    forged = json.loads(out.files["recount.json"])
    forged["decrypted"][sorted(forged["decrypted"])[1]] += 1
    files = dict(out.files, **{"recount.json": canonical_json(forged) + b"\n"})
    resealed = bundle_mod.write_files(bundle_mod.seal_files(files, private_key(db, election, DATA_KEY), "2026-06-16"))
    failed = [c.name_en for c in verify_bundle(resealed) if not c.ok]
    assert failed == ["recount_decryption"], failed
    # The streamed papers: a line dropped, or one not in canonical form, resealed.
    lines = out.files["recount/papers.jsonl"].splitlines(keepends=True)
    for papers in (b"".join(lines[1:]), lines[0].replace(b'{"box"', b'{ "box"') + b"".join(lines[1:])):
        files = dict(out.files, **{"recount/papers.jsonl": papers})
        resealed = bundle_mod.write_files(bundle_mod.seal_files(files, private_key(db, election, DATA_KEY), "2026-06-16"))
        failed = [c.name_en for c in verify_bundle(resealed) if not c.ok]
        assert failed == ["recount_papers"], failed
    # Not resealed: the index's hash of the streamed member catches the change.
    files = dict(out.files, **{"recount/papers.jsonl": b"".join(lines[1:])})
    assert "bundle_index" in [c.name_en for c in verify_bundle(bundle_mod.write_files(files)) if not c.ok]

    # A record changed after the encryption: the encrypted count is stale and is not sealed.
    row = db.scalar(select(AuditCode).where(AuditCode.election_id == election.id, AuditCode.state == "counted").limit(1))
    with pytest.raises(UserError, match="已经加密"):
        trustees.encrypt_round(db, election, 1, tmp_path, "committee")
    row.marks = {}
    db.commit()
    assert trustees.recount_member(db, election, 1, tmp_path, build_parts(db, election, 1).records) is None
    # Encrypted again, the round waits for new partial decryptions of the new totals.
    trustees.encrypt_round(db, election, 1, tmp_path, "committee")
    db.commit()
    assert trustees.ceremony_of(db, election).partials[1] == {}
    with pytest.raises(UserError, match="部分解密证明不成立"):
        trustees.add_partials(db, election, 1, json.dumps(parts[0]).encode(), tmp_path, "committee")


def test_the_key_must_come_before_the_papers(db):
    election = new_election(db)
    simulate(db, election, voters=30, seed=2)
    db.commit()
    with pytest.raises(UserError, match="印制选票之前"):
        trustees.issue(db, election, ["甲", "乙", "丙"], 2, "committee")


def test_uploads_out_of_order_or_forged_are_refused_in_chinese(db):
    election = new_election(db)
    doc = trustees.issue(db, election, ["甲", "乙", "丙"], 2, "committee")
    public, private = ceremony.start(doc, 1, TRUSTEE_PASS)
    with pytest.raises(UserError, match="还不能上传份额"):
        trustees.add_shares(db, election, json.dumps({"from": 1, "to": {"1": "", "2": "", "3": ""}}).encode(), "committee")
    with pytest.raises(UserError, match="JSON"):
        trustees.add_public(db, election, b"\xff\xfe not json", "committee")
    forged = dict(public, commitments=list(reversed(public["commitments"])))
    with pytest.raises(UserError, match="知识证明不成立"):
        trustees.add_public(db, election, json.dumps(forged).encode(), "committee")
    trustees.add_public(db, election, json.dumps(public).encode(), "committee")
    with pytest.raises(UserError, match="已经上传"):
        trustees.add_public(db, election, json.dumps(public).encode(), "committee")
