"""Damaged backups handed to `juxuan restore`: each is refused with a UserError naming the
file, before anything is copied into the (fresh) target. Found by fuzzing tar backups
(plain, gzip, bzip2, xz; members mutated, renamed, duplicated; the archive's bytes flipped):
a cut or corrupt compressed stream (EOFError, LZMAError, ReadError), a format mark or key
not in ASCII (UnicodeDecodeError, then UnicodeEncodeError writing the secret key), a member
name too long for the file system (OSError), and a damaged or foreign juxuan.db
(sqlite3.DatabaseError after it had been copied over the target). A short run in the
suite; a long one under `make soak`."""
from __future__ import annotations

import io
import random
import shutil
import tarfile
import tempfile
import time
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import inspect

from election.backup import FORMAT, restore
from election.db import make_engine
from election.errors import UserError
from election.models import Base
from tests.mutate import mutate_bytes

TOKENS = (b"\x00" * 8, b"\xff" * 8, b"../", b"0000777", b"99999999999", b"ustar", b"FORMAT", b"SQLite format 3\x00", "密钥".encode())


def _tar(members: list[tuple[str, bytes]], mode: str = "w") -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode=mode) as tar:  # type: ignore[call-overload]
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


@pytest.fixture(scope="module")
def members(tmp_path_factory) -> list[tuple[str, bytes]]:
    """A small SQLite backup: format mark, keys, an empty Juxuan database, one sealed file."""
    path = tmp_path_factory.mktemp("seed") / "seed.db"
    engine = make_engine(f"sqlite:///{path}")
    Base.metadata.create_all(engine)
    engine.dispose()
    return [("FORMAT", FORMAT.encode()), ("data.key", Fernet.generate_key()), ("secret_key", b"s-1"),
            ("juxuan.db", path.read_bytes()), ("instance/bundles/e.zip", b"PK\x05\x06" + b"\0" * 18)]


def _restored(data: bytes, work: Path) -> list[str]:
    """Restore ``data`` into a fresh SQLite instance under ``work``; a refusal must leave
    the target database without tables and the instance without a key."""
    (work / "b.tar").write_bytes(data)
    engine = make_engine(f"sqlite:///{work / 'target.db'}")
    try:
        return restore(work / "b.tar", engine, work / "instance")
    except UserError as error:
        assert "b.tar" in error.messages[0] or "备份" in error.messages[0], error.messages
        assert not inspect(engine).get_table_names() and not (work / "instance" / "data.key").exists()
        raise
    finally:
        engine.dispose()


def test_the_found_cases_are_refused_naming_the_file(members, tmp_path) -> None:
    good = dict(members)
    gz = _tar(members, "w:gz")
    cases = {
        "cut gzip": gz[: len(gz) // 2],
        "cut xz": _tar(members, "w:xz")[:-40],
        "format not utf-8": _tar([("FORMAT", b"\xff" + FORMAT.encode())] + members[1:]),
        "secret not ascii": _tar([*members[:2], ("secret_key", "密钥".encode()), *members[3:]]),
        "name too long": _tar([*members, ("a" * 300, b"x")]),
        "damaged database": _tar([*members[:3], ("juxuan.db", good["juxuan.db"][:100] + b"\xff" * 2000), *members[4:]]),
        "foreign database": _tar([*members[:3], ("juxuan.db", _empty_sqlite(tmp_path)), *members[4:]]),
    }
    for name, data in cases.items():
        work = tmp_path / name.replace(" ", "-")
        work.mkdir()
        with pytest.raises(UserError):
            _restored(data, work)
    work = tmp_path / "good"
    work.mkdir()
    assert "数据库（SQLite）" in _restored(_tar(members), work)


def _empty_sqlite(tmp_path: Path) -> bytes:
    import sqlite3

    path = tmp_path / "other.db"
    with sqlite3.connect(path) as other:
        other.execute("CREATE TABLE notes (x)")
    return path.read_bytes()


def fuzz_one(rng: random.Random, members: list[tuple[str, bytes]]) -> None:
    if rng.random() < 0.5:
        mutated = list(members)
        k = rng.randrange(len(mutated))
        name, data = mutated[k]
        r = rng.random()
        if r < 0.6:
            mutated[k] = (name, mutate_bytes(rng, data, TOKENS))
        elif r < 0.8:
            mutated[k] = (rng.choice(["../evil", "/abs", "instance/../../x", "FORMAT", "data.key", "a" * 300]), data)
        else:
            mutated.append((name, mutate_bytes(rng, data, TOKENS)))
        data = _tar(mutated, rng.choice(["w", "w:gz", "w:xz", "w:bz2"]))
    else:
        data = mutate_bytes(rng, _tar(members, rng.choice(["w", "w:gz"])), TOKENS)
    work = Path(tempfile.mkdtemp())
    started = time.monotonic()
    try:
        _restored(data, work)
    except UserError:
        pass
    finally:
        shutil.rmtree(work, ignore_errors=True)
    assert time.monotonic() - started < 10


@settings(max_examples=30, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(st.randoms(use_true_random=False))
def test_mutated_backups_restore_or_are_refused(members, rng: random.Random) -> None:
    fuzz_one(rng, members)


@pytest.mark.soak
def test_ten_minutes_of_mutated_backups(members) -> None:
    rng = random.Random(20261130)
    end, done = time.monotonic() + 600, 0
    while time.monotonic() < end:
        fuzz_one(rng, members)
        done += 1
    print(f"{done} mutated backups")


def test_a_backup_larger_than_the_free_disk_is_refused_before_extraction(members, tmp_path, monkeypatch) -> None:
    """A gzip of zeros unpacks a thousandfold: the tar's headers say how much, and the
    restore refuses what the temporary folder has no room for, before writing any of it."""
    import shutil as shutil_module

    real = shutil_module.disk_usage
    monkeypatch.setattr(shutil_module, "disk_usage", lambda path: real(path)._replace(free=100_000))
    bomb = _tar([*members[:3], ("juxuan.db", b"\0" * 1_000_000), *members[4:]], "w:gz")
    assert len(bomb) < 20_000
    with pytest.raises(UserError, match="解开需要"):
        _restored(bomb, tmp_path)
