"""The application factory: configuration, generated secrets, fail-closed access marks,
and SQLite in WAL mode."""
from __future__ import annotations

import pytest
from flask import Blueprint
from sqlalchemy import text

from election.app import create_app
from election.web.access import check_every_view_marked


def test_secret_key_is_generated_into_instance_and_reused(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    url = f"sqlite:///{tmp_path / 'x.db'}"
    first = create_app({"INSTANCE_PATH": str(tmp_path / "inst"), "DATABASE_URL": url})
    second = create_app({"INSTANCE_PATH": str(tmp_path / "inst"), "DATABASE_URL": url})
    key = (tmp_path / "inst" / "secret_key").read_text()
    assert len(key) >= 40
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"] == key
    assert (tmp_path / "inst" / "secret_key").stat().st_mode & 0o077 == 0


def test_unmarked_view_stops_the_app(tmp_path):
    app = create_app({"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"})
    bp = Blueprint("leaky", __name__)
    bp.add_url_rule("/leak", "leak", lambda: "secret")
    app.register_blueprint(bp)
    with pytest.raises(RuntimeError, match="leaky.leak"):
        check_every_view_marked(app)


def test_sqlite_runs_in_wal_mode_with_busy_timeout(tmp_path):
    app = create_app({"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'w.db'}"})
    with app.extensions["juxuan.engine"].connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 30000
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_postgres_url_uses_psycopg_driver():
    from election.db import _normalise

    assert _normalise("postgresql://u@h/d").startswith("postgresql+psycopg://")
