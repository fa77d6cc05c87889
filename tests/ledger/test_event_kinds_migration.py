"""The migration to protocol v2 (election/migrations/versions/3c1e0a7d5b92_event_kinds_v2.py):
an election whose chain never left the server gets exactly the chain v2 would have written;
one whose chain was exported, noticed or signed is refused and nothing changes."""
from __future__ import annotations

import importlib.util

import pytest
from alembic import command
from sqlalchemy import text

from election.ledger.events import as_chain_event, chain_payload, events_of, record_event
from election.models import ElectionEvent
from election.protocol import event_kinds as ek
from election.protocol.chain import event_hash, verify_chain
from election.schema import MIGRATIONS, alembic_config

PATH = next((MIGRATIONS / "versions").glob("*_event_kinds_v2.py"))
spec = importlib.util.spec_from_file_location("event_kinds_v2", PATH)
assert spec is not None and spec.loader is not None
migration = importlib.util.module_from_spec(spec)
spec.loader.exec_module(migration)
BACK = {new: old for old, new in migration.RENAMES.items()}


def _as_v1(db, election) -> None:
    """Rewrite the election's chain as protocol v1 wrote it: old names, v1 genesis, v1 hashes."""
    prev = "0" * 64
    for row in events_of(db, election):
        row.kind = BACK.get(row.kind, row.kind)
        if row.seq == 0:
            row.payload = {**row.payload, "protocol": "juxuan/v1"}
        covered = row.payload if row.seq == 0 else chain_payload(row.payload, row.actor, row.reason)
        row.prev_hash, row.hash = prev, event_hash(row.seq, row.kind, covered, prev, row.at)
        prev = row.hash
    db.commit()


def _upgrade(engine) -> None:
    config = alembic_config(engine)
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.stamp(config, migration.down_revision)
        command.upgrade(config, migration.revision)


@pytest.fixture
def engine(app):
    engine = app.extensions["juxuan.engine"]
    yield engine
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


def _write_some(db, election) -> None:
    for kind, payload in ((ek.ROLL_PUBLISHED, {"roll_fingerprint": "x"}), (ek.BALLOTS_PRINTED, {"batch": 0, "round": 1}),
                          (ek.POLLING_DEPOSIT_HOUR_RECORDED, {"round": 1, "box": "A"}),
                          (ek.COUNTING_PAPER_COUNTED, {"round": 1, "box": "A"}),
                          (ek.RESULT_PUBLISHED, {"round": 1, "valid": True})):
        record_event(db, election, kind, payload, "tester", "为迁移测试")
    db.commit()


def test_an_unpublished_chain_becomes_the_v2_chain(db, world, engine):
    election = world["a"]["election"]
    _write_some(db, election)
    want = [(e.kind, e.hash) for e in events_of(db, election)]
    other = [(e.kind, e.hash) for e in events_of(db, world["b"]["election"])]
    _as_v1(db, election)
    v1 = [e.kind for e in events_of(db, election)]
    assert {"genesis", "manifest", "deposit_hour", "paper_counted", "result_published"} <= set(v1)
    db.rollback()

    _upgrade(engine)
    db.rollback()  # end the session's read snapshot (WAL) to see the migration's writes
    got = events_of(db, election)
    assert [(e.kind, e.hash) for e in got] == want  # the very chain v2 writes, hash for hash
    assert verify_chain([as_chain_event(e) for e in got]) == []
    assert [(e.kind, e.hash) for e in events_of(db, world["b"]["election"])] == other


def test_a_published_chain_is_refused_and_left_alone(db, world, engine):
    election = world["a"]["election"]
    _write_some(db, election)
    record_event(db, election, ek.LEDGER_BUNDLE_EXPORTED, {"files": {}, "auditor_only": [], "round": 1}, "tester")
    db.commit()
    _as_v1(db, election)
    before = [(e.kind, e.hash) for e in events_of(db, election)]
    db.rollback()

    with pytest.raises(RuntimeError) as refused:
        _upgrade(engine)
    assert "导出公示包" in str(refused.value) and election.uid in str(refused.value)
    assert "数据库未作任何改动" in str(refused.value)
    db.rollback()  # end the session's read snapshot (WAL) to see the migration's writes
    assert [(e.kind, e.hash) for e in events_of(db, election)] == before
    assert db.query(ElectionEvent).filter(ElectionEvent.kind == "bundle_index").count() == 1


def test_the_migration_renames_into_the_registry():
    assert set(migration.RENAMES.values()) <= set(ek.REGISTRY)
    assert not set(migration.RENAMES) & set(ek.REGISTRY)  # every old name it renames is gone
