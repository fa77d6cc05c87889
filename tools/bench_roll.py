"""Bench: importing residents from an .xlsx file through the roll service (bounds scan,
read, check every row, encrypt, bulk insert, one event) as a ratio to python-calamine merely
reading the same file into Python rows, measured in the same run (`make bench` runs
`bench_import`); beside it, what sealing and hashing the personal data alone costs (part
of the import and of the ratio). Then the peak memory of a fresh process importing 100,000
rows (the import streams the sheet: election.roll.xlsx_rows), and of the same process
merely reading that file with python-calamine, which builds the whole sheet in memory.

Runs on temp-file SQLite databases removed afterwards (or JUXUAN_BENCH_DB when set)."""
from __future__ import annotations

import io
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from cryptography.fernet import Fernet
from openpyxl import Workbook
from python_calamine import CalamineWorkbook

from election.db import make_engine, make_sessionmaker
from election.models import Base
from election.pii import PersonalData
from election.roll.demo import generate_rows
from election.roll.importing import import_roll
from election.rules.roll_rows import COLUMNS
from election.setup.service import ElectionDraft, create_community, create_election

ROOT = Path(__file__).resolve().parent.parent


def _xlsx(rows: list[dict[str, str]]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("选民登记")
    sheet.append(list(COLUMNS))
    for r in rows:
        sheet.append([r[c] for c in COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _read_floor(content: bytes) -> int:
    """The fast reader's own read: python-calamine, every row turned into Python values."""
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0)
    return sum(1 for _ in sheet.iter_rows())


def _import_once(content: bytes, n: int, today: date, url: str | None = None) -> float:
    key = Fernet.generate_key().decode("ascii")
    with tempfile.TemporaryDirectory(prefix="juxuan-bench-roll-") as folder:
        engine = make_engine(url or os.environ.get("JUXUAN_BENCH_DB") or f"sqlite:///{folder}/bench.db")
        Base.metadata.create_all(engine)
        db = make_sessionmaker(engine)()
        try:
            community = create_community(db, "基准社区", "基准街道", n)
            election = create_election(db, "bench", community, ElectionDraft(
                title="基准选举", election_day=date(today.year + 1, 6, 15), method="direct", preset="national",
                jwh_deputies=1, jwh_members=3, jdw_deputies=0, jdw_members=2), key)
            db.commit()
            started = time.process_time()  # CPU: the machine is shared, wall time counts the neighbours
            report = import_roll(db, election, key, content, "bench.xlsx", "bench", today=today)
            db.commit()
            elapsed = time.process_time() - started
            assert report.rows == n
        finally:
            db.rollback()
            if url or os.environ.get("JUXUAN_BENCH_DB"):
                Base.metadata.drop_all(engine)
            db.close()
            engine.dispose()
    return elapsed


def _pii_cost(n: int) -> float:
    """CPU seconds of what the import does for the personal data of `n` residents: the ID
    and phone numbers sealed (AES-256-GCM) and the ID's keyed lookup hash."""
    pii = PersonalData(Fernet.generate_key().decode("ascii"))
    started = time.process_time()
    for i in range(n):
        number = f"11010119900307{i % 10000:04d}"
        pii.encrypt(number)
        pii.encrypt(f"138{i:08d}")
        pii.lookup_hash(number)
    return time.process_time() - started


def _peak_child(path: str, n: int, mode: str = "--child") -> dict:
    """Import the file in a fresh process; its peak resident memory (whole process)."""
    out = subprocess.run([sys.executable, "-m", "tools.bench_roll", mode, path, str(n)], cwd=ROOT,
                         capture_output=True, text=True, timeout=1800, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench_import(n: int = 10_000, repeat: int = 2, large: int = 100_000) -> dict:
    """Best of `repeat` for both sides, interleaved, in process CPU seconds, so a busy machine
    disturbs the ratio less; then `large` rows imported in a child process for its peak memory."""
    today = date.today()
    content = _xlsx(generate_rows(n, random.Random(11), today, limit=n))
    reads, imports = [], []
    for _ in range(repeat):
        started = time.process_time()
        assert _read_floor(content) == n + 1
        reads.append(time.process_time() - started)
        imports.append(_import_once(content, n, today))
    read_s, import_s = min(reads), min(imports)
    pii_s = min(_pii_cost(n) for _ in range(repeat))
    result = {"ratio": round(import_s / read_s, 2), "import_cpu_s": round(import_s, 3), "calamine_read_cpu_s": round(read_s, 3),
              "residents": n, "residents_per_s": round(n / import_s),
              # The encryption is part of the import (and of the ratio): its own cost beside.
              "pii_cpu_s": round(pii_s, 3), "pii_share_of_import": round(pii_s / import_s, 2)}
    if large:
        with tempfile.TemporaryDirectory(prefix="juxuan-bench-roll-") as folder:
            path = Path(folder) / "large.xlsx"
            path.write_bytes(_xlsx(generate_rows(large, random.Random(12), today, limit=large)))
            child = _peak_child(str(path), large)
            floor = _peak_child(str(path), large, "--floor-child")
        result.update({f"large_{k}": v for k, v in child.items()})
        # The same process reading the file with python-calamine only (the whole sheet held).
        result["large_calamine_read_peak_mb"] = floor["peak_mb"]
    return result


def peak_mb() -> float:
    """This process's peak resident memory in MB: VmHWM, which starts afresh at exec
    (ru_maxrss also counts the parent the process was forked from)."""
    import resource

    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(path: str, n: int) -> None:
    # The fonts are not loaded: the names' glyph check reads ballots/fonts/coverage.txt (a
    # worker that has printed a PDF holds them besides, ~44 MB).
    before_mb = peak_mb()
    content = Path(path).read_bytes()
    elapsed = _import_once(content, n, date.today())
    peak = peak_mb()
    print(json.dumps({"rows": n, "import_cpu_s": round(elapsed, 2), "peak_mb": round(peak, 1),
                      "process_before_import_mb": round(before_mb, 1),
                      "file_mb": round(len(content) / 2**20, 1)}))


def _floor_child(path: str, n: int) -> None:
    content = Path(path).read_bytes()
    assert _read_floor(content) == n + 1
    print(json.dumps({"peak_mb": round(peak_mb(), 1)}))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _child(sys.argv[2], int(sys.argv[3]))
    elif len(sys.argv) > 1 and sys.argv[1] == "--floor-child":
        _floor_child(sys.argv[2], int(sys.argv[3]))
    else:
        print(bench_import())
