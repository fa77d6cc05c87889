"""Issue 15: instance files are owner-only — the SQLite database, its -wal and -shm (SQLite
copies the database file's mode), the generated keys, and the instance folder itself."""
from __future__ import annotations

import stat

from sqlalchemy import text

from election import config
from election.db import make_engine


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_database_wal_and_keys_are_created_0600(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("JUXUAN_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("JUXUAN_DATA_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    import os

    old = os.umask(0o022)  # a usual umask: what is private must not depend on it
    try:
        cfg = config.load()
        folder = tmp_path / "instance"
        engine = make_engine(cfg["DATABASE_URL"])
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (x INTEGER)"))
            conn.execute(text("INSERT INTO t VALUES (1)"))
        db_file = folder / "juxuan.db"
        assert (folder / "juxuan.db-wal").exists()
        for path in (db_file, folder / "juxuan.db-wal", folder / "juxuan.db-shm", folder / "secret_key", folder / "data.key"):
            assert _mode(path) == 0o600, (path.name, oct(_mode(path)))
        assert _mode(folder) == 0o700
        engine.dispose()
    finally:
        os.umask(old)
