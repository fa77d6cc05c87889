"""The audit under the trustees' key (docs/AUDIT.md §7) through the services on a real
database: the drawn papers entered, the comparison waits until two of three trustees have
decrypted exactly those papers' sealed ciphertexts with proofs, compares each paper with its
decrypted record (a planted difference is found there, not in the plain record), and the
auditor bundle's verifier checks every partial, that exactly the drawn papers were decrypted
and that the comparison used the decrypted values. Refusals name the trustee and the rule."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from election.audit import service as audit
from election.audit.simulate import simulate
from election.crypto import ceremony
from election.errors import UserError
from election.models import AuditPartial
from election.protocol.verify import verify_bundle
from election.publication.bundle import export_bundle
from election.trustees import service as trustees
from tests.audit import seeding
from tests.audit.test_rla_service import _boxes
from tests.conftest import DATA_KEY
from tests.factories import TRUSTEE_PASS as PASS
from tests.factories import new_election
from tests.factories import trustee_keys as run_ceremony

SEED = "3141 5926 5358 9793 2384 6"


def _audited(db, voters: int = 40):
    election = new_election(db)
    keys = run_ceremony(db, election)
    simulate(db, election, voters=voters, seed=6)
    db.commit()
    counts = {b: len(ds) for b, ds in _boxes(db, election).items()}
    audit.enter_manifest(db, election, {b: str(n) for b, n in counts.items()}, "scrutineer")
    seeding.commit(db, election)
    audit.seal(db, election, DATA_KEY, "committee")
    started = seeding.start(db, election, SEED, "auditor")
    db.commit()
    return election, keys, started


def _enter(db, election, started, change=None) -> None:
    boxes = _boxes(db, election, started.round_number)
    from election.models import AuditCode

    for draw in audit.draws_of(db, started):
        if draw.d_hash is not None:
            continue
        d = boxes[draw.box][draw.position - 1]
        marks = {p: dict(m) for p, m in db.get(AuditCode, (election.id, d)).marks.items()}
        if change is not None:
            change(draw.index, marks)
        audit.record_draw(db, election, started, draw.index, d, {"state": "found", "posts": marks}, "auditor")
    db.commit()


def _decrypt(db, election, started, keys, who=(1, 3)) -> None:
    cts = audit.sample_for_trustees(db, election, started)
    docs = trustees.documents(db, election)
    for i in who:
        part = ceremony.decrypt(docs["ceremony"], docs["publics"], cts, keys[i - 1], PASS, i)
        audit.add_sample_partials(db, election, started, json.dumps(part).encode(), "committee")
    db.commit()


def _bundle(db, election, keys, tmp_path: Path):
    trustees.encrypt_round(db, election, 1, tmp_path, "committee")
    db.commit()
    totals = trustees.totals_for_trustees(tmp_path, election, 1)
    docs = trustees.documents(db, election)
    for i in (1, 2):
        part = ceremony.decrypt(docs["ceremony"], docs["publics"], totals, keys[i - 1], PASS, i)
        trustees.add_partials(db, election, 1, json.dumps(part).encode(), tmp_path, "committee")
    db.commit()
    out = export_bundle(db, election, DATA_KEY, "committee", auditor=True, instance=tmp_path)
    db.commit()
    return out


def test_the_comparison_uses_the_trustees_decryption_of_exactly_the_drawn_papers(db, tmp_path: Path):
    election, keys, started = _audited(db)
    assert started.status == "open" and audit.draws_of(db, started)
    _enter(db, election, started)
    with pytest.raises(UserError, match="未经受托人解密"):
        audit.conclude(db, election, started, "auditor")
    db.rollback()
    drawn = {d.d_hash for d in audit.draws_of(db, started)}
    cts = audit.sample_for_trustees(db, election, started)
    assert {name.split(":")[0] for name in cts} == drawn  # exactly the drawn papers
    _decrypt(db, election, started, keys)
    values, used = audit.decrypted_sample(db, election, started) or ({}, [])
    assert set(values) == drawn and [u["index"] for u in used] == [1, 3]
    ev = audit.conclude(db, election, started, "auditor")
    db.commit()
    assert ev.status == "confirmed" and not ev.differences, ev.message

    out = _bundle(db, election, keys, tmp_path)
    doc = json.loads(out.files["audit.json"])
    item = doc["audits"][-1]
    assert set(item["decryption"]["decrypted"]) == drawn
    assert all(f["record"] == item["decryption"]["decrypted"][f["d"]] for f in item["findings"])
    checks = {c.name_en: c for c in verify_bundle(out.data)}
    failed = {k: c.detail for k, c in checks.items() if not c.ok}
    assert not failed, failed
    for name in ("audit_sample_decryption", "audit_sample_drawn", "audit_sample_compared", "audit_recompute"):
        assert checks[name].ok
    # The public bundle carries none of it: audit.json is the auditor's.
    public = export_bundle(db, election, DATA_KEY, "committee", auditor=False, instance=tmp_path)
    from election.protocol import bundle

    assert "audit.json" not in bundle.read_files(public.data)
    assert "audit_sample_drawn" not in {c.name_en for c in verify_bundle(public.data)}


def test_a_paper_that_differs_from_its_decrypted_record_is_a_difference(db):
    election, keys, started = _audited(db)
    changed: list[int] = []

    def change(index: int, marks: dict) -> None:
        # The first drawn paper with a post the count read: the auditors find that post
        # unreadable. (Only the first post was tried before, and only with at most one mark:
        # the draws follow the papers' random codes, so now and then no drawn paper had one.)
        readable = [post for post in sorted(marks) if not marks[post].get("unreadable")]
        if not changed and readable:
            marks[readable[0]]["unreadable"] = True
            changed.append(index)

    _enter(db, election, started, change)
    _decrypt(db, election, started, keys)
    ev = audit.conclude(db, election, started, "auditor")
    assert changed and [d.index for d in ev.differences] == changed and "解密" in ev.differences[0].reason


def test_partials_are_refused_in_chinese_for_papers_not_drawn_and_forged_proofs(db):
    election, keys, started = _audited(db)
    with pytest.raises(UserError, match="没有待受托人解密"):
        audit.sample_for_trustees(db, election, started)
    _enter(db, election, started)
    cts = audit.sample_for_trustees(db, election, started)
    docs = trustees.documents(db, election)
    good = ceremony.decrypt(docs["ceremony"], docs["publics"], cts, keys[0], PASS, 1)
    # The wrong trustee's key under trustee 2's index: its proofs fail.
    forged = ceremony.decrypt(docs["ceremony"], docs["publics"], cts, keys[0], PASS, 1)
    forged["index"] = 2
    with pytest.raises(UserError, match="第 2 位受托人的部分解密.*不成立"):
        audit.add_sample_partials(db, election, started, json.dumps(forged).encode(), "committee")
    # A paper not drawn: the server cannot have the trustees open any other paper.
    from election.counting import sealing

    drawn = {d.d_hash for d in audit.draws_of(db, started)}
    other = next(d for ds in _boxes(db, election).values() for d in ds if d not in drawn)
    line = sealing.lines_of(db, election, [other])[other]
    from election.crypto import sample

    extra = ceremony.decrypt(docs["ceremony"], docs["publics"], {**cts, **sample.sample_ciphertexts([line])}, keys[0], PASS, 1)
    with pytest.raises(UserError, match="不在抽样之中"):
        audit.add_sample_partials(db, election, started, json.dumps(extra).encode(), "committee")
    with pytest.raises(UserError, match="受托人序号不对"):
        audit.add_sample_partials(db, election, started, json.dumps({**good, "index": 9}).encode(), "committee")
    # Hostile files: nesting deeper than the parser recurses, an integer of 5000 digits (a
    # RecursionError and a plain ValueError of json.loads, once tracebacks).
    for hostile in (b"[" * 200_000, b'{"index": 1' + b"0" * 5000 + b"}"):
        with pytest.raises(UserError, match="不是受托人工具生成的 JSON 文件"):
            audit.add_sample_partials(db, election, started, hostile, "committee")
    db.rollback()
    assert db.query(AuditPartial).count() == 0
    audit.add_sample_partials(db, election, started, json.dumps(good).encode(), "committee")
    db.commit()
    assert db.query(AuditPartial).count() == 1


def test_an_escalated_audit_has_the_trustees_decrypt_only_the_new_draws(db):
    election, keys, started = _audited(db, voters=120)
    # The first drawn position holds no paper: the worst case on every assertion (a phantom),
    # whichever papers the random audit codes put where, so the audit must draw more.
    first = audit.draws_of(db, started)[0]
    audit.record_draw(db, election, started, first.index, "", {"state": "missing", "posts": {}}, "auditor")
    _enter(db, election, started)
    _decrypt(db, election, started, keys)
    ev = audit.conclude(db, election, started, "auditor")
    db.commit()
    assert ev.status == "escalated", ev.message
    before = set(audit.decrypted_sample(db, election, started)[0])
    _enter(db, election, started)
    offered = {name.split(":")[0] for name in audit.sample_for_trustees(db, election, started)}
    entered = {d.d_hash for d in audit.draws_of(db, started)} - {"-"}
    assert offered == entered - before and offered  # only the papers not yet decrypted
    _decrypt(db, election, started, keys)
    values, used = audit.decrypted_sample(db, election, started)
    assert set(values) == entered and [u["index"] for u in used] == [1, 3]
    assert audit.conclude(db, election, started, "auditor").status in ("confirmed", "escalated", "full_count")
