"""A rate limit shared by every app process: hits per client and fixed one-minute window,
counted in the database with one atomic upsert (SQLite and PostgreSQL both have
``INSERT … ON CONFLICT DO UPDATE … RETURNING``), so four gunicorn workers hold one limit."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from ..db import begin_write
from ..models import RateCounter, utcnow

WINDOW_SECONDS = 60


def hit(db: Session, bucket: str, client: str, limit: int, now: datetime | None = None) -> bool:
    """Count one hit of ``client`` on ``bucket``; True while the window's hits are within
    ``limit``. Commits its own small write (the caller's session must hold nothing pending)."""
    window = int((now or utcnow()).timestamp()) // WINDOW_SECONDS
    begin_write(db)
    insert = sqlite_insert if db.get_bind().dialect.name == "sqlite" else pg_insert
    values = insert(RateCounter).values(bucket=bucket, client=client[:64], window=window, hits=1)
    stmt = values.on_conflict_do_update(
        index_elements=["bucket", "client", "window"], set_={"hits": RateCounter.hits + 1},
    ).returning(RateCounter.hits)
    hits = db.execute(stmt).scalar_one()
    if hits == 1:  # the first hit of a window sweeps windows long past
        db.execute(delete(RateCounter).where(RateCounter.bucket == bucket, RateCounter.window < window - 1))
    db.commit()
    return hits <= limit
