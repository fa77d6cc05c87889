"""Hostile spreadsheets built in the test itself: a minimal .xlsx (the parts a reader needs)
whose sheet XML is written in chunks, so a file that unzips to gigabytes never sits in memory."""
from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator
from functools import lru_cache

from election.rules.roll_rows import COLUMNS

_TYPES = (b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
          b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
          b'<Default Extension="xml" ContentType="application/xml"/>'
          b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
          b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
          b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
          b'</Types>')
_RELS = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
         b'</Relationships>')
_BOOK = (b'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
         b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
         b'<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
_BOOK_RELS = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
              b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
              b'<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
              b'</Relationships>')
_SHEET_HEAD = b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def column_letters(n: int) -> str:
    out = ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def header_row() -> bytes:
    cells = "".join(f'<c r="{column_letters(i + 1)}1" t="inlineStr"><is><t>{c}</t></is></c>' for i, c in enumerate(COLUMNS))
    return f'<row r="1">{cells}</row>'.encode()


def xlsx(sheet_body: Iterable[bytes], shared: Iterable[bytes] = (), dimension: str | None = None) -> bytes:
    """An .xlsx whose first sheet's <sheetData> is ``sheet_body`` (chunks of XML) and whose
    shared strings are ``shared`` (chunks of <si> elements)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("[Content_Types].xml", _TYPES)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _BOOK)
        z.writestr("xl/_rels/workbook.xml.rels", _BOOK_RELS)
        with z.open("xl/sharedStrings.xml", "w", force_zip64=True) as f:
            f.write(b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
            for chunk in shared:
                f.write(chunk)
            f.write(b"</sst>")
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            f.write(_SHEET_HEAD)
            if dimension:
                f.write(f'<dimension ref="{dimension}"/>'.encode())
            f.write(b"<sheetData>")
            for chunk in sheet_body:
                f.write(chunk)
            f.write(b"</sheetData></worksheet>")
    return out.getvalue()


def huge_cell(chars: int) -> bytes:
    """One cell of ``chars`` characters (the 1.5 GB-cell attack is ``huge_cell(1_500_000_000)``)."""
    def body() -> Iterator[bytes]:
        yield header_row()
        yield b'<row r="2"><c r="A2" t="inlineStr"><is><t>'
        block = b"A" * (8 << 20)
        left = chars
        while left > 0:
            yield block[:left]
            left -= len(block)
        yield b"</t></is></c></row>"
    return xlsx(body())


@lru_cache(maxsize=4)
def many_rows(rows: int, dimension: bool) -> bytes:
    """``rows`` data rows of twelve short cells (the attack is a valid-looking 1,048,576-row file)."""
    def body() -> Iterator[bytes]:
        yield header_row()
        batch = []
        for r in range(2, rows + 2):
            batch.append(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="B{r}" t="inlineStr"><is><t>男</t></is></c>'
                         f'<c r="C{r}"><v>1</v></c><c r="D{r}"><v>2</v></c><c r="E{r}"><v>3</v></c><c r="F{r}"><v>4</v></c>'
                         f'<c r="G{r}"><v>5</v></c><c r="H{r}"><v>6</v></c><c r="I{r}"><v>7</v></c><c r="J{r}"><v>8</v></c>'
                         f'<c r="K{r}"><v>9</v></c><c r="L{r}"><v>10</v></c></row>')
            if len(batch) == 10_000:
                yield "".join(batch).encode()
                batch = []
        yield "".join(batch).encode()
    return xlsx(body(), dimension=f"A1:L{rows + 1}" if dimension else None)
