"""Backup and restore of an instance (issue 17): into a fresh deployment the restored
election gives bundles that verify identically; a backup without its data key is refused
naming what is missing; an app on a database whose data key is lost refuses to start."""
from __future__ import annotations

import os
import tarfile
from pathlib import Path

import pytest

from election.app import create_app
from election.backup import backup, restore
from election.db import make_engine
from election.errors import UserError
from election.ledger.keys import fingerprint_of
from election.models import Election
from election.publication import published as publication
from election.publication.bundle import export_bundle
from tests.conftest import DATA_KEY
from tests.ledger.helpers import simulated
from tools.verify import run


def _checks(data: bytes) -> list[tuple[str, bool]]:
    return [(c.name_en, c.ok) for c in run(data)]


def test_restore_into_fresh_deployment_verifies_identically(app, db, tmp_path, fresh_url):
    sim = simulated(db)
    election_id = sim.election.id
    sealed = publication.publish_bundle(db, sim.election, DATA_KEY, "committee", app.instance_path)
    db.commit()
    fingerprint = fingerprint_of(db, sim.election)
    archive = tmp_path / "backup.tar"
    result = backup(app.extensions["juxuan.engine"], Path(app.instance_path), DATA_KEY, "secret-1", archive)
    assert result.files >= 1 and oct(os.stat(archive).st_mode & 0o777) == "0o600"
    with tarfile.open(archive) as tar:
        assert {"FORMAT", "data.key", "secret_key"} <= set(tar.getnames())

    # A fresh deployment: an empty database and an empty instance folder, no key given.
    instance = tmp_path / "restored"
    engine = make_engine(fresh_url)
    done = restore(archive, engine, instance)
    assert "data.key" in done and any("数据库" in d for d in done)
    assert (instance / "data.key").read_text().strip() == DATA_KEY
    restored = create_app({"DATABASE_URL": fresh_url, "INSTANCE_PATH": str(instance), "TESTING": True})
    assert restored.config["DATA_KEY"] == DATA_KEY and restored.config["SECRET_KEY"] == "secret-1"
    rdb = restored.extensions["juxuan.sessions"]()
    try:
        election = rdb.get(Election, election_id)
        assert fingerprint_of(rdb, election) == fingerprint
        stored = publication.bundle_path(instance, election, sealed.round_number).read_bytes()
        assert stored == sealed.data  # the sealed file came back byte for byte
        again = export_bundle(rdb, election, restored.config["DATA_KEY"], "committee", auditor=False).data
        rdb.rollback()
    finally:
        rdb.close()
        restored.extensions["juxuan.engine"].dispose()
        engine.dispose()
    original_checks, restored_checks = _checks(sealed.data), _checks(again)
    assert all(ok for _, ok in original_checks), original_checks
    assert restored_checks == original_checks


def test_restore_without_data_key_is_refused_naming_it(app, db, tmp_path, fresh_url):
    simulated(db, voters=20)
    archive = tmp_path / "backup.tar"
    backup(app.extensions["juxuan.engine"], Path(app.instance_path), DATA_KEY, "s", archive)
    stripped = tmp_path / "no-key.tar"
    with tarfile.open(archive) as src, tarfile.open(stripped, "w") as dst:
        for member in src.getmembers():
            if member.name != "data.key":
                dst.addfile(member, src.extractfile(member))
    engine = make_engine(fresh_url)
    try:
        with pytest.raises(UserError) as info:
            restore(stripped, engine, tmp_path / "empty")
        assert "数据密钥 data.key" in info.value.messages[0] and "不会另生成新密钥" in info.value.messages[0]
        assert not (tmp_path / "empty" / "data.key").exists()
        with pytest.raises(UserError, match="不是居选备份文件"):
            restore(_junk(tmp_path), engine, tmp_path / "empty")
    finally:
        engine.dispose()


def _junk(tmp_path) -> Path:
    path = tmp_path / "junk.tar"
    with tarfile.open(path, "w"):
        pass
    return path


def test_restore_refuses_an_instance_that_has_data(app, db, tmp_path):
    simulated(db, voters=20)
    archive = tmp_path / "backup.tar"
    backup(app.extensions["juxuan.engine"], Path(app.instance_path), DATA_KEY, "s", archive)
    with pytest.raises(UserError, match="只能恢复到全新的实例"):
        restore(archive, app.extensions["juxuan.engine"], tmp_path / "other")


def test_app_refuses_to_start_with_a_new_key_on_old_data(app, db, tmp_path, schema, monkeypatch):
    simulated(db, voters=20)
    instance = tmp_path / "lost-key"
    monkeypatch.delenv("JUXUAN_DATA_KEY", raising=False)
    with pytest.raises(SystemExit) as info:
        create_app({"DATABASE_URL": schema, "INSTANCE_PATH": str(instance), "TESTING": True})
    assert "数据密钥与数据库不符" in str(info.value)
    assert not (instance / "data.key").exists()  # the key it made for itself is gone again
