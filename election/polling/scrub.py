"""The storage scrub at the close of poll (issue 15): no order of events is left in the
database that could line up a voter's issuance with a receipt's deposit.

During the day every check-in and every deposit is its own transaction, so storage keeps
their order: on PostgreSQL each row's ``xmin`` (the writing transaction) and ``ctid`` (where
the new row version went), on SQLite the ``-wal`` file's frames in commit order and the
issuance rowid. The scrub rewrites the issuance, receipt (deposit), audit-code (record) and
spoil tables of the election in one transaction, each in the order of a hash that says
nothing about time, renumbers issuance and spoil ids over the same set of ids in that order,
and keeps issuance times at the hour only. Then it compacts storage: PostgreSQL
``VACUUM (FULL, ANALYZE)`` of those tables (a new file: no dead row versions, no old
``ctid`` positions, every row with the scrub's ``xmin``); SQLite ``wal_checkpoint(TRUNCATE)``,
``VACUUM`` (every page rewritten) and a second truncating checkpoint (the ``-wal`` is empty).

The committee's close of poll (闭票) scrubs. A round's poll is also closed by the count's
first step (turnout.close_before_counting, inside the counting transaction, where the scrub
cannot run); `scrub_if_pending` scrubs once that transaction has committed, when a poll
was closed after the last scrub: the counting pages call it, so a round counted without
the committee's close keeps no order either.

What is left (docs/DECISIONS.md): the hour of each issuance and deposit, which is
published by design; a server watched live sees the timing of requests.
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from .. import storage_order
from ..db import SQLITE_BUSY_MS, begin_write, is_sqlite
from ..ledger.events import record_event
from ..models import Election, ElectionEvent
from ..protocol import event_kinds as ek

# How long compaction waits for a reader still open (milliseconds) before it reports the
# storage not compacted (the page says so; `juxuan scrub` compacts again).
COMPACT_WAIT_MS = 2000
LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's lock_timeout expired


@dataclass(frozen=True)
class ScrubReport:
    """What the scrub rewrote and whether storage was compacted."""

    issuances: int
    receipts: int
    records: int
    spoils: int
    compacted: bool
    detail: str


def scrub(db: Session, election: Election, actor: str) -> ScrubReport:
    """Rewrite the election's ordered tables in hash order (one transaction, committed) and
    compact storage. Safe to run again (after counting, for the records' counting order)."""
    begin_write(db)
    try:
        if not is_sqlite(db):
            # No desk or box may write in between; other elections wait for this transaction only.
            db.execute(text("LOCK TABLE issuance, receipt, audit_code, spoil_record IN SHARE ROW EXCLUSIVE MODE"))
        rows = storage_order.ordered(db, election.id, election.uid)
        storage_order.rewrite(db, election.id, rows)
        issuances, receipts = rows[storage_order.ISSUANCE], rows[storage_order.RECEIPT]
        records, spoils = rows[storage_order.AUDIT_CODE], rows[storage_order.SPOIL]
        record_event(db, election, ek.POLLING_STORAGE_SCRUBBED,
                     {"issuances": len(issuances), "receipts": len(receipts), "records": len(records)}, actor,
                     "投票结束：清除存储中的先后顺序")
        db.commit()
    except Exception:
        db.rollback()
        raise
    compacted, detail = compact(db)
    return ScrubReport(len(issuances), len(receipts), len(records), len(spoils), compacted, detail)


def compact(db: Session) -> tuple[bool, str]:
    """Compact storage after the rewrite; (done, what was done or why not)."""
    db.close()  # hand the session's connection back: a checkpoint must not wait on our own reader
    bind = db.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    if engine.dialect.name == "sqlite":
        raw = engine.raw_connection()
        busy = False
        try:
            cursor = raw.cursor()
            # Compaction runs inside a page's request (the close, a count's first paper): a
            # reader that stays open (a long export, a test's own session) must not hold the
            # request for the pool's 30-second busy timeout twice over, nor turn the committed
            # step into an error. Wait a little, then report what was not done.
            cursor.execute(f"PRAGMA busy_timeout={COMPACT_WAIT_MS}")
            try:
                first = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
                cursor.execute("VACUUM")
                last = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
                busy = bool(first and first[0]) or bool(last and last[0])
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) and "busy" not in str(error):
                    raise
                busy = True
            finally:
                cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
                cursor.close()
        finally:
            raw.close()
        return (not busy, "SQLite：wal_checkpoint(TRUNCATE)、VACUUM" + ("（有读取中的连接，日志未能清空）" if busy else ""))
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        # VACUUM FULL takes each table's exclusive lock: a transaction left open on one of
        # them (a long export, a test's own session) would hold the page without end. Wait
        # as long as SQLite's compaction does, then report what was not done.
        conn.exec_driver_sql(f"SET lock_timeout = {COMPACT_WAIT_MS}")
        try:
            conn.exec_driver_sql("VACUUM (FULL, ANALYZE) issuance, receipt, audit_code, spoil_record")
        except OperationalError as error:
            if getattr(error.orig, "sqlstate", None) != LOCK_NOT_AVAILABLE:
                raise
            return False, "PostgreSQL：VACUUM (FULL, ANALYZE)（有未结束的事务持有这些表，未能整理）"
        finally:
            conn.exec_driver_sql("RESET lock_timeout")
    return True, "PostgreSQL：VACUUM (FULL, ANALYZE)"


def pending(db: Session, election: Election) -> bool:
    """Whether a poll of the election was closed (polling.closed) after its last scrub."""
    def last(kind: str) -> int:
        return db.scalar(select(func.max(ElectionEvent.seq)).where(
            ElectionEvent.election_id == election.id, ElectionEvent.kind == kind)) or -1
    return last(ek.POLLING_CLOSED) > last(ek.POLLING_STORAGE_SCRUBBED)


def scrub_if_pending(db: Session, election: Election, actor: str) -> ScrubReport | None:
    """After a committed transaction that may have closed a poll (a count's first step):
    scrub when a poll was closed after the last scrub; None when nothing was pending."""
    db.rollback()  # a fresh snapshot: the closing transaction is committed
    if not pending(db, election):
        db.rollback()
        return None
    return scrub(db, election, actor)
