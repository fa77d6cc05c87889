"""Records encrypted at counting entry and sealed before the audit's seed: a record entered
after the key exists is encrypted at once (and again when the committee corrects it), the
audit's commitment names the hash of the round's ciphertexts, and the verifier's
recount_sealed refuses a bundle whose ciphertexts were made after the seed."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from sqlalchemy import delete, select

from election.audit import service as audit
from election.audit.simulate import simulate
from election.counting import sealing
from election.counting.service import ballot_of, record_paper, resolve_mismatch
from election.crypto import ceremony, paper
from election.crypto.recount_doc import parse_shapes
from election.ledger.events import events_of
from election.models import AuditCode, BallotBox, Election, EncryptedRecord
from election.protocol.verify import verify_bundle
from election.protocol.verify_ctx import Check
from election.publication.bundle import Exported, export_bundle
from election.settings import box_keys
from election.trustees import service as trustees
from tests.audit import seeding
from tests.conftest import DATA_KEY
from tests.factories import TRUSTEE_PASS, new_election, second_entry, trustee_keys

SEED = "3141 5926 5358 9793 2384 6"


def _counted(db, seed: int = 4):
    """An election whose trustees hold the key before printing, its 30 papers counted."""
    election = new_election(db)
    keys = trustee_keys(db, election)
    sim = simulate(db, election, voters=30, seed=seed)
    db.commit()
    return election, keys, sim


def _sealed(db, election: Election) -> list:
    """The scrutineers' manifest entered and the audit's records sealed; the round's records."""
    records = audit.records_of(db, election, 1)
    counts = Counter(box for _, box, _ in records)
    audit.enter_manifest(db, election, {b: str(n) for b, n in counts.items()}, "scrutineer")
    seeding.commit(db, election)
    audit.seal(db, election, DATA_KEY, "committee")
    db.commit()
    return records


def _recounted(db, election: Election, keys: list[bytes], who: tuple[int, int], tmp_path: Path
               ) -> tuple[Exported, dict[str, Check]]:
    """The round encrypted, two trustees' partial decryptions added, the auditor's bundle
    exported and verified: the bundle and its checks by name."""
    trustees.encrypt_round(db, election, 1, tmp_path, "committee")
    db.commit()
    totals = trustees.totals_for_trustees(tmp_path, election, 1)
    docs = trustees.documents(db, election)
    for i in who:
        part = ceremony.decrypt(docs["ceremony"], docs["publics"], totals, keys[i - 1], TRUSTEE_PASS, i)
        trustees.add_partials(db, election, 1, json.dumps(part).encode(), tmp_path, "committee")
    db.commit()
    out = export_bundle(db, election, DATA_KEY, "committee", auditor=True, instance=tmp_path)
    db.commit()
    return out, {c.name_en: c for c in verify_bundle(out.data)}


def test_a_record_is_encrypted_when_entered_and_again_when_corrected(db):
    election, _keys, sim = _counted(db)
    code = db.scalar(select(AuditCode).where(AuditCode.election_id == election.id, AuditCode.state == "printed").limit(1))
    box = db.scalar(select(BallotBox).where(BallotBox.election_id == election.id).limit(1))
    post = next(iter(sim.candidates))
    first = {post: {"approve": [sim.candidates[post][0]], "oppose": [], "write_ins": [], "unreadable": False}}
    record_paper(db, election, box, code.d_hash, first, "counter")
    db.commit()
    row = db.get(EncryptedRecord, (election.id, code.d_hash))
    label = box_keys(db, election)[box.id]
    assert row is not None and row.fingerprint == sealing.fingerprint(label, first) and row.line["box"] == label
    layout = sealing.Layout(election, ballot_of(db, election, code.round_number))
    key = sealing.joint_key(db, election)
    assert key is not None
    cts = paper.verify_paper(sealing.base_hash(election), key, bytes.fromhex(code.d_hash), layout.shapes, row.line, "t")
    assert cts  # every proof holds
    before = dict(row.line)

    # The committee keeps the second entry: the record's new marks are encrypted at once.
    second = {post: {"approve": [], "oppose": [sim.candidates[post][0]], "write_ins": [], "unreadable": False}}
    second_entry(db, election, code.d_hash, second)
    resolve_mismatch(db, election, code.d_hash, "second", "committee", "核对纸质选票：以复核录入为准")
    db.commit()
    db.refresh(row)
    assert row.fingerprint == sealing.fingerprint(label, second) and row.line != before
    # Gathering the round's lines reuses it (only the simulated records, written around the
    # entry, are encrypted then).
    records = audit.records_of(db, election, code.round_number)
    lines, made = sealing.round_lines(db, election, ballot_of(db, election, code.round_number), records)
    assert made == len(records) - 1 and next(x for x in lines if x["d"] == code.d_hash) == row.line


def test_the_audit_seals_the_ciphertexts_before_its_seed(db, tmp_path: Path):
    election, keys, _sim = _counted(db)
    records = _sealed(db, election)
    commitment = [e for e in events_of(db, election) if e.kind == "audit.records_committed"][-1]
    lines, made = sealing.round_lines(db, election, ballot_of(db, election, 1), records)
    assert made == 0  # all encrypted by the seal, none since
    assert commitment.payload["ciphertexts"] == {"papers": len(records), "sha256": sealing.papers_sha256(lines)}
    seeding.start(db, election, SEED, "auditor")
    db.commit()

    # After the seed the server encrypts one paper again (the same marks, new randomness):
    # every proof holds and the totals decrypt, but the ciphertexts are not those sealed.
    d = records[0][0]
    db.execute(delete(EncryptedRecord).where(EncryptedRecord.election_id == election.id, EncryptedRecord.d_hash == d))
    db.commit()
    _, checks = _recounted(db, election, keys, (1, 2), tmp_path)
    assert checks["recount_totals"].ok and checks["recount_box_groups"].ok and checks["audit_commitment"].ok
    assert checks["recount_sealed"].ok is False


def test_an_honest_round_passes_recount_sealed(db, tmp_path: Path):
    election, keys, _sim = _counted(db, seed=5)
    _sealed(db, election)
    seeding.start(db, election, SEED, "auditor")
    out, checks = _recounted(db, election, keys, (2, 3), tmp_path)
    assert checks["recount_sealed"].ok and "先于" in checks["recount_sealed"].detail, checks["recount_sealed"]
    assert parse_shapes(json.loads(out.files["recount.json"])["shapes"])
