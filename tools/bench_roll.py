"""Bench: importing 10,000 residents from an .xlsx file through the roll service (read,
check every row, encrypt, bulk insert, one event) as a ratio to openpyxl merely reading the
same file in read-only mode (`make bench` runs `bench_import`). Runs on a temp-file SQLite
database, or on JUXUAN_BENCH_DB when set."""
from __future__ import annotations

import io
import os
import random
import tempfile
import time
from datetime import date

from cryptography.fernet import Fernet
from openpyxl import Workbook, load_workbook

from election.db import make_engine, make_sessionmaker
from election.models import Base
from election.roll.demo import generate_rows
from election.roll.importing import import_roll
from election.rules.roll_rows import COLUMNS
from election.setup.service import ElectionDraft, create_community, create_election


def _xlsx(rows: list[dict[str, str]]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("选民登记")
    sheet.append(list(COLUMNS))
    for r in rows:
        sheet.append([r[c] for c in COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _read_only(content: bytes) -> int:
    book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    n = sum(1 for _ in book.active.iter_rows(values_only=True))
    book.close()
    return n


def _import_once(content: bytes, n: int, today: date) -> float:
    key = Fernet.generate_key().decode("ascii")
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(os.environ.get("JUXUAN_BENCH_DB") or f"sqlite:///{folder}/bench.db")
        Base.metadata.create_all(engine)
        db = make_sessionmaker(engine)()
        try:
            community = create_community(db, "基准社区", "基准街道", n)
            election = create_election(db, "bench", community, ElectionDraft(
                title="基准选举", election_day=date(today.year + 1, 6, 15), method="direct", preset="national",
                jwh_deputies=1, jwh_members=3, jdw_deputies=0, jdw_members=2), key)
            db.commit()
            started = time.perf_counter()
            report = import_roll(db, election, key, content, "bench.xlsx", "bench", today=today)
            db.commit()
            elapsed = time.perf_counter() - started
            assert report.rows == n
        finally:
            db.close()
            engine.dispose()
    return elapsed


def bench_import(n: int = 10_000, repeat: int = 2) -> dict:
    """Best of `repeat` for both sides, so a busy machine disturbs the ratio less."""
    today = date.today()
    rows = generate_rows(n, random.Random(11), today, limit=n)
    content = _xlsx(rows)
    reads, imports = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        assert _read_only(content) == n + 1
        reads.append(time.perf_counter() - started)
        imports.append(_import_once(content, n, today))
    read_s, import_s = min(reads), min(imports)
    return {"ratio": round(import_s / read_s, 2), "import_s": round(import_s, 3), "read_s": round(read_s, 3),
            "residents": n, "residents_per_s": round(n / import_s)}


if __name__ == "__main__":
    print(bench_import())
