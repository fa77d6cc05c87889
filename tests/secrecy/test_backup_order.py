"""Issue 15 for backups: a backup taken on the polling day, before the close-of-poll scrub,
keeps no order of check-ins or deposits (election/storage_order.py).

docs/OPERATIONS.md asks for a backup every hour or two on polling day, and a backup lives on
in the street office's safe. Before this rule a PostgreSQL backup was ``pg_dump`` of the live
heap, whose rows come in ``ctid`` order (check-ins in issue order, deposits in update order),
and both backups kept the issuance ids in check-in order. Here the attacker of
`test_no_order` gets the restored backup instead of the live database: every ordering it
finds pairs no more voters with their receipt than chance, and the check-ins' ids do not
follow the order voters came in.
"""
from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from election.backup import backup, restore
from election.db import make_engine
from election.models import Election
from tests.conftest import DATA_KEY
from tests.secrecy.test_no_order import CHANCE_MAX, VOTERS, _attack, _orderings, day  # noqa: F401


def test_a_polling_day_backup_keeps_no_order(app, db, day, tmp_path, fresh_url):  # noqa: F811
    election, truth = day
    live = _attack(db, election, truth)
    assert max(live.values()) > CHANCE_MAX  # the live database, not yet scrubbed, still links
    archive = tmp_path / "day.tar"
    backup(db.get_bind(), Path(app.instance_path), DATA_KEY, "secret-1", archive)
    db.rollback()

    engine = make_engine(fresh_url)
    try:
        restore(archive, engine, tmp_path / "restored")
        with Session(engine) as rdb:
            restored = rdb.get(Election, election.id)
            after = _attack(rdb, restored, truth)
            print("restored backup", sorted(after.items(), key=lambda kv: -kv[1])[:6])
            assert max(after.values()) <= CHANCE_MAX, after
            iss, rec = _orderings(rdb, restored, set(truth))
            # Every row came back: the same voters issued, the same receipts deposited.
            assert sorted(iss["id"]) == sorted(truth) and sorted(rec["scan"]) == sorted(truth.values())
            # Voters came in voter-id order (the fixture's day): the ids must not say so.
            came_in = sorted(truth)
            assert sum(1 for a, b in zip(iss["id"], came_in) if a == b) <= CHANCE_MAX
            assert len(iss["id"]) == VOTERS
    finally:
        engine.dispose()


def test_an_election_archive_keeps_no_check_in_order(app, db, day, tmp_path, monkeypatch):  # noqa: F811
    """The archive that moves one election (`juxuan archive export`) writes issuance rows in
    the scrub's hash order too, ids handed out again: an election moved before its close-of-
    poll scrub does not carry the order voters came in."""
    import json

    from election.archive import _checked, _open_payload, export_election

    election, truth = day
    # The factory's residents carry no real ciphertexts; the order is what is tested here.
    monkeypatch.setattr("election.archive.PersonalData.decrypt", lambda self, value: value)
    passphrase = "县城东街道-2026-迁移"
    out = tmp_path / "moved.zip"
    report = export_election(db, election, DATA_KEY, passphrase, app.instance_path, out)
    db.rollback()
    manifest, payload = _checked(out, report.fingerprint)
    inner = _open_payload(manifest, payload, passphrase)
    rows = [json.loads(line) for line in inner.read("tables/issuance.jsonl").splitlines() if line.strip()]
    assert sorted(r["voter_id"] for r in rows) == sorted(truth)
    came_in = sorted(truth)  # the fixture's voters came in voter-id order
    by_id = [r["voter_id"] for r in sorted(rows, key=lambda r: r["id"])]
    in_file = [r["voter_id"] for r in rows]
    assert sum(1 for a, b in zip(by_id, came_in) if a == b) <= CHANCE_MAX
    assert sum(1 for a, b in zip(in_file, came_in) if a == b) <= CHANCE_MAX


def test_a_backup_leaves_out_scans_being_read(app, db, tmp_path):
    """An uploaded scan waits in instance/scans/ while its batch is read (both sides of each
    paper: the back's QR is A) and is removed after; a backup taken meanwhile, or after a
    crash left it there, does not carry it (only the de-skewed front is kept, in the database)."""
    import tarfile

    instance = Path(app.instance_path)
    (instance / "scans" / "abc").mkdir(parents=True)
    (instance / "scans" / "abc" / "0000").write_bytes(b"%PDF-1.4 both sides")
    (instance / "bundles").mkdir(exist_ok=True)
    (instance / "bundles" / "kept.zip").write_bytes(b"sealed")
    archive = tmp_path / "b.tar"
    backup(db.get_bind(), instance, DATA_KEY, "secret-1", archive)
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert "instance/bundles/kept.zip" in names
    assert not [n for n in names if n.startswith("instance/scans")], names
