"""Mutations for fuzzing the files people hand Juxuan (a roll's .xlsx or .csv, a scan, an
election archive): flip, insert, delete, repeat and cut bytes, splice in tokens that matter
to the format, and for a zip, mutate one member and zip it again (other compressions,
duplicate, renamed, dropped or nested members). Driven by a ``random.Random`` so that a
hypothesis strategy (``st.randoms``) or a long soak loop can both use it."""
from __future__ import annotations

import io
import random
import warnings
import zipfile
from collections.abc import Sequence

# Tokens of an .xlsx's XML: far rows and columns, cell types, odd numbers, entities and a
# DTD, encodings expat does not know, broken structure.
XLSX_TOKENS: tuple[bytes, ...] = (
    b'<row r="1048576">', b'<row r="0">', b'<row r="99999999999">', b'<c r="XFD1">', b'<c r="A0">', b'<c r="AAAA1">',
    b't="s"', b't="n"', b't="d"', b't="e"', b't="b"', b't="str"', b't="inlineStr"', b"<v>1e308</v>", b"<v>-1</v>",
    b"<v>99999999999999999999</v>", b"<v>nan</v>", b"<v>inf</v>", b"<v>2958466</v>", b"<v>-700000</v>", b"<v></v>",
    b"<v>2024-13-45T99:99</v>", b's="99999"', b's="-1"', b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]>',
    b"&a;", b"&b;", b"&#0;", b"&#x110000;", b"&#xD800;", b"<f>SUM(A1)</f>", b"<is><r><t>x</t></r></is>", b"<si>", b"</si>",
    b'numFmtId="14"', b'numFmtId="999999"', b'formatCode="yyyy-mm-dd"', b'<xf numFmtId="14"/>', b'Target="../../x.xml"',
    b'Target="/xl/worksheets/sheet1.xml"', b'Target=""', b'r:id="rId99"', b'<dimension ref="A1:XFD1048576"/>', b"<x:row>",
    b"\r", b"\x00", b"\xff\xfe", b'<?xml version="1.0" encoding="UTF-16"?>', b'<?xml version="1.0" encoding="UTF-9"?>',
    b'<?xml version="1.0" encoding="gbk"?>', b"<![CDATA[", b"<!--", b"<c>", b"<row/>", b"</row>", b"</c>", b"</sheetData>",
)
# Tokens of an image or PDF header: sizes, markers and chunk names.
IMAGE_TOKENS: tuple[bytes, ...] = (
    b"\x00\x00\xff\xff", b"\xff\xff\xff\xff", b"\x7f\xff\xff\xff", b"\x00\x01", b"\xff\xd8", b"\xff\xd9", b"IDAT", b"IHDR",
    b"acTL", b"fcTL", b"\x00" * 8, b"II*\x00", b"MM\x00*", b"%%EOF", b"endobj", b"/MediaBox [0 0 99999 99999]",
)
_NUMBERS = (b"0", b"-1", b"99999999999999", b"1048577", b"65", b"4294967296", b"1" * 30)


def mutate_bytes(rng: random.Random, blob: bytes, tokens: Sequence[bytes]) -> bytes:
    """One to four edits of ``blob``."""
    b = bytearray(blob)
    for _ in range(rng.randint(1, 4)):
        if not b:
            b += rng.choice(tokens)
            continue
        pos = rng.randrange(len(b) + 1)
        op = rng.randrange(7)
        if op == 0 and pos < len(b):
            b[pos] = rng.randrange(256)
        elif op == 1:
            b[pos:pos] = rng.choice(tokens)
        elif op == 2:
            del b[pos:pos + rng.randint(1, 64)]
        elif op == 3:
            b[pos:pos] = bytes(b[pos:pos + rng.randint(1, 200)]) * rng.randint(1, 50)
        elif op == 4:
            del b[pos:]
        elif op == 5:  # a run of digits replaced by a number out of range
            start = pos
            while start < len(b) and not 48 <= b[start] <= 57:
                start += 1
            end = start
            while end < len(b) and 48 <= b[end] <= 57:
                end += 1
            b[start:end] = rng.choice(_NUMBERS)
        elif pos < len(b):
            b[pos] ^= 1 << rng.randrange(8)
    return bytes(b)


def _zip(members: list[tuple[str, bytes]], compression: int) -> bytes:
    out = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a duplicate name is one of the mutations
        with zipfile.ZipFile(out, "w", compression) as z:
            for name, blob in members:
                z.writestr(name, blob)
    return out.getvalue()


def mutate_zip(rng: random.Random, data: bytes, tokens: Sequence[bytes]) -> bytes:
    """A zip with one to three members mutated (or the zip's own bytes flipped or cut)."""
    if rng.random() < 0.12:
        if rng.random() < 0.6:
            b = bytearray(data)
            for _ in range(rng.randint(1, 8)):
                b[rng.randrange(len(b))] = rng.randrange(256)
            return bytes(b)
        return data[: rng.randrange(len(data))]
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        members = [(i.filename, z.read(i)) for i in z.infolist()]
    for _ in range(rng.randint(1, 3)):
        k = rng.randrange(len(members))
        name, blob = members[k]
        r = rng.random()
        if r < 0.75:
            members[k] = (name, mutate_bytes(rng, blob, tokens))
        elif r < 0.82 and len(members) > 1:
            members.pop(k)
        elif r < 0.88:
            members[k] = (rng.choice([name.upper(), "/" + name, name + "/", "../" + name, name.replace("1", "2")]), blob)
        elif r < 0.94:
            members.append((name, mutate_bytes(rng, blob, tokens)))
        else:
            members[k] = (name, data)
    compression = rng.choice([zipfile.ZIP_DEFLATED, zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED, zipfile.ZIP_BZIP2,
                              zipfile.ZIP_LZMA])
    return _zip(members, compression)
