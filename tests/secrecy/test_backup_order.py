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
