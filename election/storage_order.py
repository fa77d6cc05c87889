"""The hash order of the tables a polling day puts in time order (issue 15).

Each check-in and each deposit is its own transaction, so storage keeps their order (the
issuance id and rowid, PostgreSQL's ``ctid`` and ``xmin``, SQLite's ``-wal``). `ordered`
reads an election's issuance, receipt, audit-code and spoil rows and returns them in the
order of a hash that says nothing about time, the issuance and spoil ids handed out again
over the same set of ids in that order, issuance times at the hour. `rewrite` puts them back.
The close-of-poll scrub (`polling/scrub.py`) rewrites the live database with them; every
backup (`backup.py`) writes its copy of these tables with them, so a backup taken during the
polling day keeps no more order than a database after the scrub.
"""
from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import Connection, Table, delete, insert, select
from sqlalchemy.orm import Session

from .models import AuditCode, Issuance, Receipt, SpoilRecord

ISSUANCE: Table = Issuance.__table__  # type: ignore[assignment]
RECEIPT: Table = Receipt.__table__  # type: ignore[assignment]
AUDIT_CODE: Table = AuditCode.__table__  # type: ignore[assignment]
SPOIL: Table = SpoilRecord.__table__  # type: ignore[assignment]
TABLES: tuple[Table, ...] = (ISSUANCE, RECEIPT, AUDIT_CODE, SPOIL)


def _key(*parts: object) -> bytes:
    return hashlib.sha256("|".join(str(p) for p in parts).encode("utf-8")).digest()


def to_hour(moment: datetime) -> datetime:
    """A moment cut to its hour (UTC kept; a naive SQLite value is a UTC one)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).replace(minute=0, second=0, microsecond=0)


def _rows(db: Session | Connection, table: Table, election_id: int) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in db.execute(select(table).where(table.c.election_id == election_id))]


def ordered(db: Session | Connection, election_id: int, uid: str) -> dict[Table, list[dict[str, Any]]]:
    """The election's rows of the four tables, each list in hash order."""
    issuances = _rows(db, ISSUANCE, election_id)
    ids = sorted(r["id"] for r in issuances)
    issuances.sort(key=lambda r: _key("issuance", uid, r["round_number"], r["voter_id"]))
    for new_id, row in zip(ids, issuances):
        row["id"] = new_id
        row["issued_at"] = to_hour(row["issued_at"])
    receipts = sorted(_rows(db, RECEIPT, election_id), key=lambda r: r["r_hash"])
    records = sorted(_rows(db, AUDIT_CODE, election_id), key=lambda r: r["d_hash"])
    spoils = _rows(db, SPOIL, election_id)
    spoil_ids = sorted(r["id"] for r in spoils)
    spoils.sort(key=lambda r: (r["round_number"], r["station_id"], r["hour"], _key("spoil", uid, r["id"])))
    for new_id, row in zip(spoil_ids, spoils):
        row["id"] = new_id
    return {ISSUANCE: issuances, RECEIPT: receipts, AUDIT_CODE: records, SPOIL: spoils}


def rewrite(db: Session | Connection, election_id: int, rows: dict[Table, list[dict[str, Any]]]) -> None:
    """Replace the election's rows of the four tables by ``rows`` (in the caller's transaction)."""
    for table in TABLES:
        db.execute(delete(table).where(table.c.election_id == election_id))
        if rows.get(table):
            db.execute(insert(table), rows[table])
