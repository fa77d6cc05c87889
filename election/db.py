"""The database: one engine per app, SQLite (WAL) by default, PostgreSQL by DATABASE_URL.

Services receive a `Session` and never open their own. Writes that must not fail under
concurrency (ballot issuance, ballot entry) call `begin_write` so that SQLite takes the
write lock up front (BEGIN IMMEDIATE) instead of failing on a lock upgrade; on PostgreSQL
the same call is a no-op (no commit, no round trip) and row locks plus UNIQUE constraints
do the work.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar, cast

from sqlalchemy import CursorResult, Engine, Result, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BEGIN = "juxuan_sqlite_begin"
# How long a SQLite connection waits for another's lock (milliseconds).
SQLITE_BUSY_MS = 30_000


def _normalise(url: str) -> str:
    # psycopg (v3) is the driver we ship; a plain postgresql:// URL would ask for psycopg2.
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def _private_sqlite_file(database: str | None) -> None:
    """Create the SQLite file owner-only (0600) before SQLite does: SQLite gives its -wal
    and -shm files the database file's mode, so all three stay private (issue 15)."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    try:
        fd = os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    except OSError:
        return  # a missing folder: SQLite reports it in its own words when connecting
    os.close(fd)


def make_engine(url: str, **kwargs) -> Engine:
    url = _normalise(url)
    # A failed statement's message (and so the error log's traceback) names the statement, never
    # its values: a deposit's R, an issuance's voter, each beside the second it was logged.
    kwargs.setdefault("hide_parameters", True)
    if make_url(url).get_backend_name() != "sqlite":
        # No pre-ping: it costs a round trip on every checkout (every request). A connection
        # the server closed fails its first statement instead; SQLAlchemy then drops the
        # whole pool, and connections idle longer than pool_recycle are replaced unused.
        kwargs.setdefault("pool_recycle", 1800)
        return create_engine(url, **kwargs)
    _private_sqlite_file(make_url(url).database)
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_MS / 1000, "check_same_thread": False}, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # pysqlite's own BEGIN handling would hide ours; we emit BEGIN in the listener below.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        mode = conn.get_execution_options().get(SQLITE_BEGIN, "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    from .fields import guard

    guard()  # every stored text within its column's length and character rule
    return sessionmaker(bind=engine, expire_on_commit=False)


def is_sqlite(db: Session) -> bool:
    return db.get_bind().dialect.name == "sqlite"


def begin_write(db: Session) -> None:
    """Start a transaction that holds the write lock from its first statement (SQLite).

    On SQLite whatever the session had pending is committed first: a read transaction that
    later upgrades to a write is exactly what SQLite refuses under contention (unless the
    session already holds the write lock from an earlier ``begin_write``: then it goes on in
    that transaction). On PostgreSQL
    the call does nothing: the transaction goes on (each statement of READ COMMITTED sees
    what others committed), row locks and UNIQUE constraints do the work, and the caller's
    single commit or rollback covers everything.
    """
    if not is_sqlite(db) or holds_write(db):
        return
    if db.in_transaction():
        db.commit()
    db.connection(execution_options={SQLITE_BEGIN: "IMMEDIATE"})
    db.info[_WRITING] = db.get_transaction()


_WRITING = "juxuan_write_transaction"


def holds_write(db: Session) -> bool:
    """Whether the session's transaction is one that ``begin_write`` started (SQLite: it holds
    the write lock). A second ``begin_write`` in it changes nothing, so a unit that took the
    lock and then calls a service that takes it too (a countersignature's request, then the
    export) stays one transaction, never committed halfway."""
    return db.in_transaction() and db.info.get(_WRITING) is db.get_transaction()


@contextmanager
def own_transaction(db: Session) -> Iterator[None]:
    """The polling day's per-paper acts, each its own transaction (DECISIONS.md): the write
    lock up front (`begin_write`), committed at the end of the block, or rolled back and the
    refusal (or error) raised again, so a refused paper leaves nothing behind."""
    begin_write(db)
    try:
        yield
        db.commit()
    except Exception:
        db.rollback()
        raise


def rows_changed(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE statement changed (its cursor's row count): the
    conditional updates that make a state change happen once read it."""
    return cast(CursorResult[Any], result).rowcount


Row = TypeVar("Row")


def of_election(db: Session, model: type[Row], row_id: int, election_id: int, refusal: Exception) -> Row:
    """The ``model`` row of this id that belongs to the election, else ``refusal`` raised: a
    row of another election reads exactly as one that does not exist."""
    row = db.get(model, row_id)
    if row is None or getattr(row, "election_id", None) != election_id:
        raise refusal
    return row
