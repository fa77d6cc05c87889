"""Bounds on an uploaded .xlsx, checked by streaming its XML before any reader opens it.

A spreadsheet reader builds the whole sheet in memory, and an .xlsx is a zip: 1.5 MB of
upload can unzip to a 1.5 GB cell, a million rows, or two cells at A1 and XFD1048576 that
the reader fills in as a dense range of 17 billion. So the parts are unzipped here in
chunks of 1 MiB (never trusting the sizes the zip declares), and the file is refused, with
a Chinese message naming the rule, as soon as one of the limits below is passed:

- unzipped bytes of one part and of the whole file;
- rows of a sheet (the <dimension> it declares, its last <row>'s number, its <row> count);
- columns (the <dimension>, and the cells of any one row);
- the length of any text between two tags (a cell, an attribute, a shared string);
- what the reader would hold once shared strings are expanded into every cell using them.

A cell's own reference (r="XFD1048576") is measured by the reader that places the cell
(xlsx_rows): a column past MAX_COLUMNS is refused there, and the row a cell reference names
is not used (the row's own number is, within MAX_ROWS); the scan no longer looks for them,
which was a third of its time.

The counts are done with bytes.count/split and regular expressions, all in C: the scan
costs a fraction of the reader's own read. Memory stays at a few chunks.
"""
from __future__ import annotations

import io
import lzma
import re
import zipfile
import zlib
from dataclasses import dataclass

from ..errors import UserError

MAX_ROWS = 200_000  # data rows of one roll (a large community has about 50,000 residents)
MAX_COLUMNS = 64  # the template has 12 columns; extra ones are ignored, but not without end
MAX_CELL_CHARS = 2_000  # no field of the roll comes near this
MAX_PART_BYTES = 256 * 1024 * 1024  # one unzipped part (100,000 rows of the template: ~64 MB)
MAX_TOTAL_BYTES = 320 * 1024 * 1024  # every part together
MAX_EXPANDED_BYTES = 160 * 1024 * 1024  # sheet text once shared strings are copied into cells
CHUNK = 1 << 20

# Bytes of XML a cell of MAX_CELL_CHARS may take: 3 bytes a character in UTF-8, or an
# entity such as &#x4E2D; (8 bytes) for each.
_MAX_RUN = MAX_CELL_CHARS * 8
_NS = rb"(?:[A-Za-z_][\w.-]*:)?"
_DIMENSION = re.compile(rb"<" + _NS + rb"dimension\b[^>]*\bref=[\"'][A-Z]{0,3}\d*:?([A-Z]{1,3})(\d+)[\"']")
_ROW_SPLIT = re.compile(rb"<" + _NS + rb"row\b")
_CELL_STARTS = (b"<c ", b"<c>", b"<c/", b":c ", b":c>")
_SHARED_CELL = re.compile(rb"<" + _NS + rb"c\b[^>]*?\bt=[\"']s[\"'][^>]*>\s*<" + _NS + rb"v>\s*(\d+)")
_LAST_ROW = re.compile(rb'<row r="(\d{1,9})"')
_SI_END = re.compile(rb"</" + _NS + rb"si>")


def column_number(letters: bytes | str) -> int:
    """A, B, ..., Z, AA, ... as 1, 2, ..., 26, 27, ..."""
    n = 0
    for ch in letters if isinstance(letters, str) else letters.decode("ascii"):
        n = n * 26 + ord(ch) - 64
    return n


@dataclass
class _Sheet:
    rows: int = 0
    max_row: int = 0
    cells_in_row: int = 0
    longest_shared: int = 0
    expanded: int = 0


# What zipfile raises on a damaged or unusual zip, opening it or reading a part:
# NotImplementedError (a zip version or compression it lacks), RuntimeError (an encrypted
# part: it asks for a password), zlib.error and LZMAError (a damaged deflated or LZMA part;
# a bzip2 one is an OSError), EOFError (a part cut short).
ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError, ValueError,
              RuntimeError, zlib.error, lzma.LZMAError)


class _Refused(Exception):
    pass


def _too_big(filename: str, what: str) -> UserError:
    return UserError(f"文件“{filename}”超出导入限制：{what}。整个文件未导入，选民名单未作任何改动。")


def check_xlsx(content: bytes, filename: str) -> dict[str, int]:
    """Refuse an .xlsx that would make the reader hold more than the limits allow; the
    rows of each sheet (part name: its highest row number or its count of rows).

    Raises UserError (Chinese, naming the limit) before anything large is in memory; a file
    that is not a zip is left for the reader to refuse with its own message.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except ZIP_ERRORS:
        return {}
    with archive:
        infos = archive.infolist()
        declared = sum(i.file_size for i in infos)
        if declared > MAX_TOTAL_BYTES:
            raise _too_big(filename, f"解压后共 {declared // 2**20} MB，上限 {MAX_TOTAL_BYTES // 2**20} MB")
        for info in infos:
            if info.file_size > MAX_PART_BYTES:
                raise _too_big(filename, f"其中“{info.filename[:60]}”解压后 {info.file_size // 2**20} MB，"
                                         f"上限 {MAX_PART_BYTES // 2**20} MB")
        lower = {i.filename.lower(): i for i in infos}
        # Shared strings first: their lengths bound what each cell that uses one expands to.
        shared = [i for name, i in lower.items() if name.endswith("sharedstrings.xml")]
        sheets = [i for name, i in lower.items() if "/worksheets/" in name and name.endswith(".xml")]
        others = [i for i in infos if i not in shared and i not in sheets]
        total = [0]
        lengths: list[int] = []
        for info in shared:
            lengths += _scan_shared(archive, info, filename, total)
        for info in others:
            for _ in _chunks(archive, info, filename, total):
                pass
        return {info.filename.lstrip("/"): _scan_sheet(archive, info, filename, total, lengths) for info in sheets}


def _chunks(archive: zipfile.ZipFile, info: zipfile.ZipInfo, filename: str, total: list[int]):
    """The unzipped bytes of a part, a chunk at a time, each chunk checked for long text."""
    read = 0
    run = 0  # text since the last "<" of the chunks before
    try:
        with archive.open(info) as stream:
            while True:
                chunk = stream.read(CHUNK)
                if not chunk:
                    return
                read += len(chunk)
                total[0] += len(chunk)
                if read > MAX_PART_BYTES or total[0] > MAX_TOTAL_BYTES:
                    raise _too_big(filename, f"解压后超过 {MAX_PART_BYTES // 2**20} MB")
                first = chunk.find(b"<")
                if first < 0:
                    run += len(chunk)
                else:
                    run += first
                    if run > _MAX_RUN:
                        raise _too_big(filename, f"有单元格或文字超过 {MAX_CELL_CHARS} 字")
                    run = len(chunk) - chunk.rfind(b"<") - 1
                    if _longest_run_over(chunk, _MAX_RUN):
                        raise _too_big(filename, f"有单元格或文字超过 {MAX_CELL_CHARS} 字")
                if run > _MAX_RUN:
                    raise _too_big(filename, f"有单元格或文字超过 {MAX_CELL_CHARS} 字")
                yield chunk
    except ZIP_ERRORS:
        raise UserError(f"无法读取Excel文件“{filename}”：文件已损坏或不是.xlsx格式") from None


def _scan_shared(archive: zipfile.ZipFile, info: zipfile.ZipInfo, filename: str, total: list[int]) -> list[int]:
    """Bytes of XML of each shared string (an upper bound of its text)."""
    lengths: list[int] = []
    carry = b""
    for chunk in _chunks(archive, info, filename, total):
        pieces = _SI_END.split(carry + chunk)
        carry = pieces.pop()
        lengths += map(len, pieces)
    return lengths


def _scan_sheet(archive: zipfile.ZipFile, info: zipfile.ZipInfo, filename: str, total: list[int],
                shared: list[int]) -> int:
    sheet = _Sheet(longest_shared=max(shared, default=0))
    carry = b""
    first = True
    for chunk in _chunks(archive, info, filename, total):
        buffer = carry + chunk
        if first:
            first = False
            m = _DIMENSION.search(buffer)
            if m:
                _check_shape(filename, column_number(m[1]), int(m[2]))
        # Cut after the last complete cell ("</c>"): no cell is split between two scans.
        cut = buffer.rfind(b"c>") + 2
        if cut < 2:
            cut = len(buffer)
        done, carry = buffer[:cut], buffer[cut:]
        _scan_part(done, sheet, shared, filename)
    if carry:
        _scan_part(carry, sheet, shared, filename)
    return max(sheet.rows, sheet.max_row)


def _longest_run_over(data: bytes, limit: int) -> bool:
    """Whether ``data`` has more than ``limit`` bytes without a "<".

    Such a run covers a whole window of limit // 2 bytes aligned on a multiple of it, so
    one bounded find per window (a few hundred a MiB, in C) replaces splitting the chunk
    into one object per tag; a window without "<" is measured exactly."""
    window = max(limit // 2, 1)
    for start in range(0, len(data), window):
        if data.find(b"<", start, start + window) < 0:
            left = data.rfind(b"<", 0, start) + 1
            right = data.find(b"<", start)
            if (len(data) if right < 0 else right) - left > limit:
                return True
    return False


def column_letters(n: int) -> str:
    """1, 2, ..., 26, 27, ... as A, B, ..., Z, AA, ..."""
    letters = ""
    while n > 0:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _scan_part(data: bytes, sheet: _Sheet, shared: list[int], filename: str) -> None:
    # Rows: "<row" counted is an upper bound (it also counts a <rowBreaks> or two); a
    # namespaced sheet ("<x:row") is split by the regular expression.
    if b":row" in data:
        pieces = _ROW_SPLIT.split(data)
        rows = len(pieces) - 1
    else:
        pieces = None
        rows = data.count(b"<row")
    sheet.rows += rows
    # Rows come in order: the last row's number is the sheet's highest so far.
    last = _LAST_ROW.search(data, max(data.rfind(b'<row r="'), 0))
    if last is not None:
        sheet.max_row = max(sheet.max_row, int(last[1]))
    # "<c" also counts <col>, <cfRule> and the like (so the count is an upper bound), but
    # not the "<co..." elements, which come before and after the cells.
    referenced = data.count(b'<c r="')
    starts = data.count(b"<c")
    # (Every "<c" the start of a referenced cell: no "<co..." among them, one count less.)
    cells = starts if starts == referenced else starts - data.count(b"<co")
    if b":c" in data:  # a namespaced sheet ("<x:c")
        cells += sum(data.count(start) for start in _CELL_STARTS[3:])
    if cells <= MAX_COLUMNS:
        widest = cells
    elif cells <= referenced:
        # Every cell has its reference, which places it: the reader refuses one past the
        # last column as it meets it (xlsx_rows._column), and a row of more cells than
        # MAX_COLUMNS (xlsx_rows._plain_rows).
        widest = 0
    else:
        # Cells without a reference (or an unusual writer), which the reader places one
        # after another: count the cells of each row.
        if pieces is None:
            pieces = _ROW_SPLIT.split(data)
        widest = max(sum(p.count(start) for start in _CELL_STARTS) for p in pieces)
    sheet.cells_in_row = max(sheet.cells_in_row, widest)
    _check_shape(filename, sheet.cells_in_row, max(sheet.max_row, sheet.rows))
    # What cells using shared strings expand to: bounded cheaply by their number times the
    # longest shared string; counted cell by cell only when that bound is too high.
    # Without shared strings no cell can use one (the reader refuses a reference to none).
    uses = data.count(b't="s"') + data.count(b"t='s'") if shared else 0
    if uses and sheet.expanded + len(data) + uses * sheet.longest_shared > MAX_EXPANDED_BYTES:
        indexes = _SHARED_CELL.findall(data)
    else:
        indexes = []
        sheet.expanded += uses * sheet.longest_shared
    if indexes:
        try:
            sheet.expanded += sum(shared[i] for i in map(int, indexes))
        except IndexError:
            raise UserError(f"无法读取Excel文件“{filename}”：单元格引用了不存在的共享文字，文件已损坏") from None
    sheet.expanded += len(data)
    if sheet.expanded > MAX_EXPANDED_BYTES:
        raise _too_big(filename, f"工作表展开后超过 {MAX_EXPANDED_BYTES // 2**20} MB")


def _check_shape(filename: str, columns: int, rows: int) -> None:
    if rows > MAX_ROWS + 1:
        raise _too_big(filename, f"工作表有 {rows} 行，上限为 {MAX_ROWS} 行数据（另加 1 行表头）")
    if columns > MAX_COLUMNS:
        raise _too_big(filename, f"工作表有 {columns} 列，上限为 {MAX_COLUMNS} 列")
