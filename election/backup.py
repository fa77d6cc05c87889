"""Backing up and restoring one Juxuan instance: the database, the keys, the sealed files.

A backup is one tar file (mode 0600: it holds the data key):
- ``juxuan.db`` — SQLite copied with its online backup API, consistent while the app runs;
  or ``juxuan.pgdump`` — ``pg_dump --format=custom`` of a PostgreSQL database;
- ``data.key`` and ``secret_key`` — the Fernet key of ID numbers and election keys, and the
  session-signing key (either may come from the environment; the backup holds what is in use);
- ``instance/…`` — sealed bundles and published files (not jobs, print jobs, scans being
  read or the keys).

A backup keeps no order of the polling day (issue 15, `storage_order`): a backup may be taken
while desks check voters in, and a copy of storage as it is would keep the check-ins and
deposits in time order (the issuance ids, PostgreSQL's heap order, which ``pg_dump`` writes
rows in). The SQLite copy has its issuance, receipt, audit-code and spoil rows rewritten in
hash order and is vacuumed before it goes into the tar; the PostgreSQL dump leaves out those
tables' rows (``--exclude-table-data``, in the same snapshot as our own read), which go into
``ordered-rows.json`` in hash order and are inserted in that order on restore.

A restore goes into a fresh instance only (no database rows, no keys there yet) and refuses,
naming what is missing, an archive without ``data.key`` unless the key is given: without it
every ID number and every election's signing key is unreadable, and a new key made in its
place would fail much later. The app itself also refuses to start on a database that holds
elections with a data key that cannot open them (`check_data_key`).
"""
from __future__ import annotations

import io
import json
import lzma
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, DateTime, Engine, Table, func, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from . import storage_order
from .db import make_engine
from .errors import UserError

# Not carried: jobs in progress, print jobs (T and A of every paper), scans being read (both
# sides of each paper: the back's QR is A, which only the kept front image leaves out), keys
# (added on their own) and the live database files.
SKIP = {"jobs", "print-jobs", "scans", "data.key", "secret_key", "juxuan.db", "juxuan.db-wal", "juxuan.db-shm"}
FORMAT = "juxuan-backup/1"
ORDERED = "ordered-rows.json"  # PostgreSQL: the ordered tables' rows, in hash order
# What reading a damaged (or damaged compressed) tar raises besides TarError: a cut or
# corrupt gzip/bzip2/xz stream, a name too long for the file system, bytes not in UTF-8.
_TAR_ERRORS = (tarfile.TarError, OSError, EOFError, zlib.error, lzma.LZMAError, ValueError)


@dataclass
class BackupResult:
    path: Path
    database: str
    files: int


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode = len(data), 0o600
    tar.addfile(info, io.BytesIO(data))


def _pg_args(url: str) -> tuple[list[str], dict[str, str]]:
    u = make_url(url)
    env = {**os.environ}
    if u.password:
        env["PGPASSWORD"] = u.password
    args = ["-h", u.host or "127.0.0.1", "-p", str(u.port or 5432), "-U", u.username or "postgres", "-d", u.database or ""]
    return args, env


def backup(engine: Engine, instance: Path, data_key: str, secret_key: str, out: Path) -> BackupResult:
    """Write the instance's backup to ``out`` (a .tar file)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    url = engine.url.render_as_string(hide_password=False)
    files = 0
    with tempfile.TemporaryDirectory() as tmp:
        if engine.dialect.name == "sqlite":
            copy = Path(tmp) / "juxuan.db"
            source = sqlite3.connect(engine.url.database or "")
            target = sqlite3.connect(copy)
            try:
                source.backup(target)  # the online backup API: consistent while others write
            finally:
                target.close()
                source.close()
            _order_sqlite_copy(copy)
            db_name, db_path = "juxuan.db", copy
        else:
            if shutil.which("pg_dump") is None:
                raise UserError("备份需要 PostgreSQL 的 pg_dump 命令（与服务器同一主版本），本机没有找到")
            db_path = Path(tmp) / "juxuan.pgdump"
            args, env = _pg_args(url)
            excluded = [f"--exclude-table-data={t.name}" for t in storage_order.TABLES]
            with engine.connect() as conn:
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
                with conn.begin():
                    # pg_dump reads the snapshot our transaction reads: the dump and the
                    # ordered rows are one consistent moment.
                    snapshot = conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar()
                    done = subprocess.run(["pg_dump", "--format=custom", "--no-owner", f"--snapshot={snapshot}",
                                           *excluded, "-f", str(db_path), *args],
                                          env=env, capture_output=True, text=True)
                    if done.returncode != 0:
                        raise UserError(f"pg_dump 失败：{done.stderr.strip()[:300]}")
                    ordered = _ordered_rows(conn)
            (Path(tmp) / ORDERED).write_bytes(json.dumps(ordered, ensure_ascii=False).encode("utf-8"))
            db_name = "juxuan.pgdump"
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle, tarfile.open(fileobj=handle, mode="w") as tar:
            _add_bytes(tar, "FORMAT", FORMAT.encode())
            tar.add(db_path, arcname=db_name)
            if (Path(tmp) / ORDERED).exists():
                tar.add(Path(tmp) / ORDERED, arcname=ORDERED)
            _add_bytes(tar, "data.key", data_key.encode("ascii"))
            _add_bytes(tar, "secret_key", secret_key.encode("ascii"))
            for path in sorted(Path(instance).rglob("*")):
                rel = path.relative_to(instance)
                if rel.parts[0] in SKIP or not path.is_file() or path.suffix == ".part":
                    continue
                tar.add(path, arcname=f"instance/{rel.as_posix()}")
                files += 1
    return BackupResult(out, db_name, files)


def _ordered_rows(db: Session | Connection) -> dict[str, list[dict[str, Any]]]:
    """Every election's rows of the ordered tables, in hash order (JSON values: a moment
    as its ISO text)."""
    out: dict[str, list[dict[str, Any]]] = {t.name: [] for t in storage_order.TABLES}
    for election_id, uid in db.execute(text("SELECT id, uid FROM election ORDER BY id")).all():
        for table, rows in storage_order.ordered(db, election_id, uid).items():
            out[table.name] += [{k: v.isoformat() if isinstance(v, datetime) else v for k, v in r.items()} for r in rows]
    return out


def _order_sqlite_copy(path: Path) -> None:
    """Rewrite the copy's ordered tables in hash order, then VACUUM it (every page written
    again, its -wal checkpointed away when the last connection closes)."""
    copy = make_engine(f"sqlite:///{path}")
    try:
        with Session(copy) as db:
            for election_id, uid in db.execute(text("SELECT id, uid FROM election ORDER BY id")).all():
                storage_order.rewrite(db, election_id, storage_order.ordered(db, election_id, uid))
            db.commit()
    finally:
        copy.dispose()
    con = sqlite3.connect(path, isolation_level=None)
    try:
        con.execute("VACUUM")
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        con.close()


def _insert_ordered(engine: Engine, ordered: dict[str, list[dict[str, Any]]]) -> None:
    """Insert a PostgreSQL backup's ordered rows in their order, then move the id sequences on."""
    tables: dict[str, Table] = {t.name: t for t in storage_order.TABLES}
    with engine.begin() as conn:
        for name, table in tables.items():
            moments = [c.name for c in table.columns if isinstance(c.type, DateTime)]
            rows = [{**r, **{m: datetime.fromisoformat(r[m]) for m in moments if r.get(m)}} for r in ordered.get(name, [])]
            if rows:
                conn.execute(insert(table), rows)
        for name in ("issuance", "spoil_record"):
            conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                              f"COALESCE((SELECT MAX(id) FROM {name}), 1), (SELECT COUNT(*) FROM {name}) > 0)"))


def _database_is_empty(engine: Engine) -> bool:
    from sqlalchemy import inspect

    from .models import Election

    if "election" not in inspect(engine).get_table_names():
        return True
    with Session(engine) as db:
        return not db.scalar(select(func.count()).select_from(Election))


def restore(archive: Path, engine: Engine, instance: Path, data_key: str | None = None) -> list[str]:
    """Restore a backup into a fresh instance; returns what was restored, in Chinese."""
    archive = Path(archive)
    if not archive.is_file():
        raise UserError(f"备份文件“{archive}”不存在")
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        try:
            key, secret = _unpacked(archive, tmp_path, data_key)
        except UserError:
            raise
        except _TAR_ERRORS as error:
            raise UserError(f"“{archive.name}”已损坏，无法读出：{str(error)[:200]}。未恢复任何内容。") from None
        instance = Path(instance)
        existing = [n for n in ("data.key",) if (instance / n).exists()]
        if existing or not _database_is_empty(engine):
            raise UserError("只能恢复到全新的实例：目标实例已有" + ("、".join(existing) if existing else "选举数据") +
                            "。请换一个空的实例目录和空数据库。")
        done = []
        if (tmp_path / "juxuan.db").exists():
            if engine.dialect.name != "sqlite":
                raise UserError("这是 SQLite 实例的备份，目标是 PostgreSQL：请先恢复到 SQLite，再按 docs/OPERATIONS.md 迁移")
            _check_sqlite(tmp_path / "juxuan.db", archive.name)
            engine.dispose()
            source = sqlite3.connect(tmp_path / "juxuan.db")
            target = sqlite3.connect(engine.url.database or "")
            try:
                source.backup(target)
            finally:
                target.close()
                source.close()
            done.append("数据库（SQLite）")
        else:
            if engine.dialect.name == "sqlite" or shutil.which("pg_restore") is None:
                raise UserError("这是 PostgreSQL 的备份：目标须是 PostgreSQL 数据库，且本机须有 pg_restore 命令")
            ordered = None
            if (tmp_path / ORDERED).exists():
                try:
                    ordered = json.loads((tmp_path / ORDERED).read_bytes())
                except (ValueError, RecursionError):
                    raise UserError(f"“{archive.name}”中的 {ORDERED} 已损坏。未恢复任何内容。") from None
            engine.dispose()
            args, env = _pg_args(engine.url.render_as_string(hide_password=False))
            result = subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", *args,
                                     str(tmp_path / "juxuan.pgdump")], env=env, capture_output=True, text=True)
            if result.returncode != 0:
                raise UserError(f"pg_restore 失败：{result.stderr.strip()[:300]}")
            if ordered is not None:
                _insert_ordered(engine, ordered)
            done.append("数据库（PostgreSQL）")
        instance.mkdir(parents=True, exist_ok=True)
        for name, text in (("data.key", key), ("secret_key", secret)):
            if text:
                if name == "secret_key":
                    (instance / name).unlink(missing_ok=True)  # a fresh start's own, replaced
                fd = os.open(instance / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "w", encoding="ascii") as handle:
                    handle.write(text)
                done.append(name)
        files = tmp_path / "instance"
        if files.exists():
            count = 0
            for path in files.rglob("*"):
                if path.is_file():
                    target_path = instance / path.relative_to(files)
                    target_path.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(path, target_path)
                    count += 1
            done.append(f"{count} 个已封存文件")
    with Session(engine) as db:
        check_data_key(db, key)
    return done


def _unpacked(archive: Path, into: Path, data_key: str | None) -> tuple[str, str | None]:
    """The backup's regular files extracted into ``into`` once its format mark and its parts
    are checked; the data key (given, or the backup's own) and the backup's secret key."""
    try:
        tar = tarfile.open(archive, mode="r")
    except tarfile.TarError as error:
        raise UserError(f"“{archive.name}”不是居选备份文件：{error}") from None
    with tar:
        names = set(tar.getnames())
        if "FORMAT" not in names or _member(tar, "FORMAT", 100) != FORMAT.encode():
            raise UserError(f"“{archive.name}”不是居选备份文件（缺少格式标记 {FORMAT}）")
        missing = []
        if "data.key" not in names and not data_key:
            missing.append("数据密钥 data.key（加密身份证号和各选举签名私钥的密钥；可用 --data-key-file 另行提供）")
        if "juxuan.db" not in names and "juxuan.pgdump" not in names:
            missing.append("数据库（juxuan.db 或 juxuan.pgdump）")
        if missing:
            raise UserError("恢复被拒绝，备份中缺少：" + "、".join(missing) + "。没有数据密钥，恢复出的数据无法读取，系统不会另生成新密钥。")
        key = data_key or _member(tar, "data.key", 1000).decode("ascii").strip()
        secret = _member(tar, "secret_key", 1000).decode("ascii").strip() if "secret_key" in names else None
        # The sizes in the tar's headers are what extraction writes (a gzip of zeros a
        # thousand times smaller says so too): refused before the disk fills.
        needed = sum(m.size for m in tar.getmembers() if m.isfile())
        free = shutil.disk_usage(into).free
        if needed > free:
            raise UserError(f"“{archive.name}”解开需要 {needed / 2**30:.1f} GiB，临时目录 {into.parent} 只剩 "
                            f"{free / 2**30:.1f} GiB：请腾出空间（或设置 TMPDIR）后再恢复。未恢复任何内容。")
        for member in tar.getmembers():
            if not member.isfile() or member.name.startswith("/") or ".." in Path(member.name).parts:
                continue
            tar.extract(member, into, filter="data")
    return key, secret


def _check_sqlite(path: Path, archive: str) -> None:
    """Refuse a SQLite file that is damaged or holds no Juxuan database, before it is copied
    over the (empty) target."""
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as source:
            healthy = source.execute("PRAGMA quick_check").fetchone()[0] == "ok"
            tables = {row[0] for row in source.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except (sqlite3.DatabaseError, ValueError):  # ValueError: a damaged file's message or name not in UTF-8
        healthy, tables = False, set()
    if not healthy or not {"election", "election_key", "resident"} <= tables:
        raise UserError(f"“{archive}”中的数据库 juxuan.db 已损坏或不是居选的数据库。未恢复任何内容。")


def check_data_key(db: Session, data_key: str) -> None:
    """Refuse a data key that cannot open this database's election keys (a lost or
    replaced data.key), naming what is wrong."""
    from .ledger.keys import _passphrase
    from .models import Election
    from .models.ledger import ElectionKey
    from .protocol import signing

    row = db.execute(select(ElectionKey, Election).join(Election, Election.id == ElectionKey.election_id).limit(1)).first()
    if row is None:
        return
    key, election = row
    try:
        signing.private_key_from_pem(key.private_pem.encode("ascii"), _passphrase(data_key, election))
    except Exception:  # noqa: BLE001 - any failure means the key does not fit
        raise UserError("数据密钥与数据库不符：数据库中已有选举，但当前的数据密钥（instance/data.key 或 JUXUAN_DATA_KEY）"
                        "无法解开其签名私钥和身份证号。请找回原来的 data.key（见 docs/OPERATIONS.md），不要用新密钥启动。") from None


def _member(tar: tarfile.TarFile, name: str, limit: int) -> bytes:
    """A regular file of the archive of at most ``limit`` bytes, or a UserError naming it."""
    handle = tar.extractfile(name)
    if handle is None:
        raise UserError(f"备份文件中的 {name} 不是普通文件")
    data = handle.read(limit + 1)
    if len(data) > limit:
        raise UserError(f"备份文件中的 {name} 超过 {limit} 字节，不是居选备份的 {name}")
    return data
