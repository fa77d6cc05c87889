"""Fuzzed roll files (.xlsx and .csv): any bytes give rows or a UserError in Chinese naming
the file, never a traceback, and an import that fails leaves the roll as it was.

What the fuzzing found, each kept below as a regression: a damaged deflated or LZMA part
(zlib.error, LZMAError out of the bounds scan), a zip of a version zipfile does not read
(NotImplementedError), an XML part declaring an encoding expat does not know (LookupError)
or cannot read (ValueError), and a CSV with a carriage return inside a field or a field
longer than the csv module's limit (csv.Error). A short run of the mutational fuzzer in the
suite; a long one under `make soak`."""
from __future__ import annotations

import datetime
import io
import random
import struct
import time
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from election.errors import UserError
from election.models import Resident
from election.roll.files import open_table, template_xlsx
from election.roll.importing import import_roll
from election.rules.roll_rows import RowChecker
from tests.conftest import DATA_KEY
from tests.factories import make_id
from tests.mutate import XLSX_TOKENS, mutate_bytes, mutate_zip
from tests.roll.helpers import csv_bytes, row, xlsx_bytes
from tests.roll.hostile import header_row, xlsx

TODAY = datetime.date(2026, 11, 30)
ROWS = [row(f"居民{'甲乙丙丁'[i]}", make_id(datetime.date(1980, 1, 1 + i), seq=i + 1)) for i in range(4)]
SEEDS = (
    template_xlsx(),
    xlsx_bytes(ROWS),
    xlsx([header_row(), b'<row r="2"><c r="A2" t="s"><v>0</v></c><c r="J2" s="1"><v>44000</v></c>'
          b'<c r="C2" t="inlineStr"><is><r><t>1101</t></r><rPh><t>x</t></rPh></is></c></row>'],
         shared=["<si><t>张三</t></si>".encode()]),
)
CSV = csv_bytes(ROWS)


def read_all(content: bytes, name: str) -> int:
    """Read and check every row as an import does; the rows read."""
    table = open_table(content, name)
    checker = RowChecker(table.header, on_roll=lambda _: False, today=TODAY)
    return sum(1 for raw in table.rows if checker.check(raw) is not None)


def refused(content: bytes, name: str) -> str:
    with pytest.raises(UserError) as caught:
        read_all(content, name)
    message = caught.value.messages[0]
    assert name in message, message
    return message


def _patched(content: bytes, member: str, *, method: int | None = None, version: int | None = None,
             data: bytes | None = None) -> bytes:
    """The zip with ``member``'s compression method, the version needed to extract it, or
    its stored bytes changed in place (headers edited, nothing recompressed)."""
    archive = bytearray(content)
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        info = z.getinfo(member)
    local = info.header_offset
    name_len, extra_len = struct.unpack_from("<HH", archive, local + 26)
    start = local + 30 + name_len + extra_len
    central = archive.find(b"PK\x01\x02" + archive[archive.find(b"PK\x01\x02") + 4:][:0], 0)
    while central >= 0:
        if archive[central + 46:central + 46 + len(member.encode())] == member.encode():
            break
        central = archive.find(b"PK\x01\x02", central + 4)
    if method is not None:
        struct.pack_into("<H", archive, local + 8, method)
        struct.pack_into("<H", archive, central + 10, method)
    if version is not None:
        struct.pack_into("<H", archive, central + 6, version)
    if data is not None:
        archive[start:start + len(data)] = data
    return bytes(archive)


def _stored(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as z:
        for name, blob in members.items():
            z.writestr(name, blob)
    return out.getvalue()


def _members(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


def test_a_damaged_deflated_or_lzma_part_is_refused_in_chinese() -> None:
    members = _members(SEEDS[1])
    stored = _stored(members)
    garbage = b"\xff" * 64  # a deflate block of type 3 (none such); LZMA properties that mean nothing
    for method in (zipfile.ZIP_DEFLATED, zipfile.ZIP_LZMA):
        damaged = _patched(stored, "xl/workbook.xml", method=method, data=garbage)
        assert "文件已损坏" in refused(damaged, "坏.xlsx")


def test_a_zip_of_a_version_zipfile_does_not_read_is_refused_in_chinese() -> None:
    damaged = _patched(SEEDS[1], "xl/workbook.xml", version=148)
    assert "文件已损坏" in refused(damaged, "新版.xlsx")


@pytest.mark.parametrize("declaration", [b'<?xml version="1.0" encoding="UTF-9"?>', b'<?xml version="1.0" encoding="gbk"?>'])
@pytest.mark.parametrize("part", ["xl/workbook.xml", "xl/worksheets/sheet1.xml"])
def test_xml_in_an_encoding_expat_cannot_read_is_refused_in_chinese(declaration: bytes, part: str) -> None:
    members = _members(SEEDS[1])
    xml = members[part]
    members[part] = declaration + xml[xml.index(b"?>") + 2:] if xml.startswith(b"<?xml") else declaration + xml
    # The sheet's fast reader hands the part to ElementTree at the declaration it does not read.
    members[part] = members[part].replace(b"<c ", b"<c  ", 1)
    assert "文件已损坏" in refused(_stored(members), "编码.xlsx")


def test_a_carriage_return_inside_a_csv_field_reads_and_an_overlong_field_is_refused_naming_the_line() -> None:
    lines = CSV.decode("utf-8-sig").splitlines()
    lines[2] = lines[2].replace("居民乙", "居民\r乙", 1)
    assert read_all("\n".join(lines).encode(), "回车.csv") >= 0  # read (the name is then checked), no traceback
    lines = CSV.decode("utf-8-sig").splitlines()
    lines[3] += "," + "注" * 200_000  # past csv.field_size_limit (131,072)
    message = refused("\n".join(lines).encode(), "长.csv")
    assert "第4行" in message


def test_a_csv_refused_at_a_later_row_leaves_the_roll_as_it_was(world, db) -> None:
    election = world["a"]["election"]
    before = db.scalar(select(func.count()).select_from(Resident))
    lines = CSV.decode("utf-8-sig").splitlines()
    lines[4] = '"' + lines[4] + "," + "x" * 200_000  # an open quote to the end of the file, past the limit
    with pytest.raises(UserError) as caught:
        import_roll(db, election, DATA_KEY, "\n".join(lines).encode(), "引号.csv", "tester")
    db.rollback()
    assert "引号.csv" in caught.value.messages[0]
    assert db.scalar(select(func.count()).select_from(Resident)) == before


def fuzz_one(rng: random.Random) -> None:
    """One mutated file read as an import reads it: rows, or a UserError naming the file."""
    if rng.random() < 0.15:
        content, name = mutate_bytes(rng, CSV, XLSX_TOKENS), "名册.csv"
    else:
        content, name = mutate_zip(rng, rng.choice(SEEDS), XLSX_TOKENS), "名册.xlsx"
    started = time.monotonic()
    try:
        read_all(content, name)
    except UserError as error:
        assert name in error.messages[0] or "CSV" in error.messages[0], error.messages
    assert time.monotonic() - started < 10


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(st.randoms(use_true_random=False))
def test_mutated_roll_files_give_rows_or_a_chinese_refusal(rng: random.Random) -> None:
    fuzz_one(rng)


@pytest.mark.soak
def test_ten_minutes_of_mutated_roll_files() -> None:
    rng = random.Random(20261130)
    end, done = time.monotonic() + 600, 0
    while time.monotonic() < end:
        fuzz_one(rng)
        done += 1
    print(f"{done} mutated roll files")
