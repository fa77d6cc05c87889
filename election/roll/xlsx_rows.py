"""The rows of an .xlsx's first sheet, streamed: shared strings, styles and the sheet's XML
read from the zip a chunk at a time, one row built at a time, so a roll of 100,000 never
sits in memory as a sheet (python-calamine builds the whole sheet: ~115 MB at 100,000 rows).

The file has passed xlsx_limits.check_xlsx first (sizes, rows, columns, cell lengths); the
chunks are read through its bounded reader again. Rows come as lists of cell values the
way python-calamine gives them: text as str, numbers as float, date-formatted numbers as
date or datetime, booleans as bool, an empty cell as ""; rows missing in the XML come as
blank rows, so row numbers stay those of the sheet.

Two readers of the sheet XML: a fast one for the plain XML that Excel, WPS, LibreOffice and
openpyxl write (regular expressions over the decoded text; a cell whose text has an entity or
a carriage return, a formula or a rich-text run is not plain), and ElementTree for anything
else, which takes over at the first row the fast one cannot read and skips the rows already
given. Any XML error is the Chinese "file damaged" refusal, never a traceback.
"""
from __future__ import annotations

import codecs
import posixpath
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any, cast

from ..errors import UserError
from .xlsx_limits import MAX_COLUMNS, MAX_ROWS, _chunks, _too_big, column_letters, column_number

MAX_SMALL_PART = 16 * 1024 * 1024  # workbook, relationships and styles: a few KB in practice
MAX_SHARED_STRINGS = 2_000_000  # 200,000 rows of 12 columns have at most 2.4M cells, few distinct
# Elements of one row (or shared string) that ElementTree may hold: 64 cells of rich text
# with a few hundred runs each; a real row has a few dozen.
MAX_ITEM_ELEMENTS = 65_536
_MAX_CARRY = 4 * 1024 * 1024  # text carried between chunks by the fast readers (one row is a few KB)

_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_REL_STRICT = "http://purl.oclc.org/ooxml/officeDocument/relationships"

# Number formats that show a date: the built-in ids (those of the Chinese locale among
# them) and any custom format with a date or time letter outside quotes and brackets.
_DATE_FORMAT_IDS = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)])
_QUOTED = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.')

# The fast reader's grammar: a row, and in it cells of one of the plain shapes.
_ROW_NUMBER = re.compile(r'\sr="(\d+)"')
_CELL = re.compile(
    r'<c r="([A-Z]{1,3})\d+"(?: s="(\d+)")?(?: t="(\w+)")?\s*'
    r'(?:/>|>(?:<v>([^<&\r]*)</v>|<is><t(?: xml:space="preserve")?>([^<&\r]*)</t></is>)</c>)|(.)', re.S)
# The usual cells, tried first on each row: inline text, a shared string or a number, the
# attributes in the order every writer puts them. Fewer groups and no \w: a third less time
# than _CELL over a roll. Its last group catches anything else, tag by tag, and the row is
# then read again by _CELL.
_USUAL_CELL = re.compile(
    r'<c r="([A-Z]{1,3})\d+"(?: s="(\d+)")?(?: t="(?:inlineStr"\s*(?:/>|><is><t>([^<&\r]*)</t></is></c>)'
    r'|s"\s*><v>(\d+)</v></c>)|(?: t="n")?\s*(?:/>|><v>([^<&\r]*)</v></c>))|([^<]+|<[^<]*)')
_LETTERS = tuple(column_letters(n) for n in range(1, MAX_COLUMNS + 2))
_SI = re.compile(r'<si><t(?: xml:space="preserve")?>([^<&\r]*)</t></si>|<si/>|<si><t/></si>')


# What expat raises on damaged XML: a syntax error, or an encoding it does not know
# (LookupError: encoding="UTF--1") or cannot read (ValueError: a multi-byte one).
_XML_ERRORS = (ET.ParseError, LookupError, ValueError)


class _NotPlain(Exception):
    """The fast reader met XML it does not read: ElementTree takes over."""


def _broken(filename: str) -> UserError:
    return UserError(f"无法读取Excel文件“{filename}”：文件已损坏或不是.xlsx格式")


def first_sheet_rows(archive: zipfile.ZipFile, filename: str) -> tuple[str, Iterator[list[Any]]]:
    """The first sheet's part name, and its rows as they are read."""
    names = {i.filename.lstrip("/"): i for i in archive.infolist()}
    book_name = _target(archive, names, "_rels/.rels", "/officeDocument", filename) or "xl/workbook.xml"
    if book_name not in names:
        raise _broken(filename)
    book = _small(archive, names[book_name], filename)
    ns = _ns(book.tag)
    sheet = book.find(f"{ns}sheets/{ns}sheet")
    if sheet is None:
        raise UserError(f"Excel文件“{filename}”中没有工作表")
    rel_id = sheet.get(f"{{{_REL}}}id") or sheet.get(f"{{{_REL_STRICT}}}id") or ""
    props = book.find(f"{ns}workbookPr")
    date1904 = props is not None and props.get("date1904", "").lower() in ("1", "true")
    rels_name = posixpath.join(posixpath.dirname(book_name), "_rels", posixpath.basename(book_name) + ".rels")
    targets = _relationships(archive, names, rels_name, posixpath.dirname(book_name), filename)
    sheet_name = targets.get(rel_id, ("", ""))[1]
    if sheet_name not in names:
        raise _broken(filename)
    shared_name = next((t for kind, t in targets.values() if kind.endswith("/sharedStrings")), None)
    styles_name = next((t for kind, t in targets.values() if kind.endswith("/styles")), None)
    shared = _shared_strings(archive, names[shared_name], filename) if shared_name in names else []
    dates = _date_styles(archive, names[styles_name], filename) if styles_name in names else frozenset()
    info = names[sheet_name]
    return sheet_name, _rows(archive, info, filename, shared, dates, date1904)


def _ns(tag: str) -> str:
    return tag[: tag.index("}") + 1] if tag.startswith("{") else ""


def _small(archive: zipfile.ZipFile, info: zipfile.ZipInfo, filename: str) -> ET.Element:
    """A small part (workbook, relationships, styles) parsed whole, refused above MAX_SMALL_PART."""
    if info.file_size > MAX_SMALL_PART:
        raise _too_big(filename, f"其中“{info.filename[:60]}”解压后超过 {MAX_SMALL_PART // 2**20} MB")
    data = bytearray()
    for chunk in _chunks(archive, info, filename, [0]):
        data += chunk
        if len(data) > MAX_SMALL_PART:
            raise _too_big(filename, f"其中“{info.filename[:60]}”解压后超过 {MAX_SMALL_PART // 2**20} MB")
    try:
        return ET.fromstring(bytes(data))
    except _XML_ERRORS:
        raise _broken(filename) from None


def _relationships(archive: zipfile.ZipFile, names: dict[str, zipfile.ZipInfo], rels_name: str, base: str,
                   filename: str) -> dict[str, tuple[str, str]]:
    """Relationship id -> (type, part name) of a .rels part (empty when there is none)."""
    if rels_name not in names:
        return {}
    out = {}
    for rel in _small(archive, names[rels_name], filename):
        target = rel.get("Target", "")
        part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(base, target))
        out[rel.get("Id", "")] = (rel.get("Type", ""), part)
    return out


def _target(archive: zipfile.ZipFile, names: dict[str, zipfile.ZipInfo], rels_name: str, kind: str,
            filename: str) -> str | None:
    return next((t for k, t in _relationships(archive, names, rels_name, "", filename).values() if k.endswith(kind)),
                None)


def _date_styles(archive: zipfile.ZipFile, info: zipfile.ZipInfo, filename: str) -> frozenset[int]:
    """The cell style indexes (a cell's s="...") whose number format shows a date."""
    styles = _small(archive, info, filename)
    ns = _ns(styles.tag)
    custom = {}
    for fmt in styles.iterfind(f"{ns}numFmts/{ns}numFmt"):
        code = _QUOTED.sub("", fmt.get("formatCode", "")).lower()
        custom[fmt.get("numFmtId", "")] = any(ch in code for ch in "dmyhs") and "general" not in code
    out = set()
    for index, xf in enumerate(styles.iterfind(f"{ns}cellXfs/{ns}xf")):
        number = xf.get("numFmtId", "0")
        if custom.get(number) or (number.isdigit() and int(number) in _DATE_FORMAT_IDS):
            out.add(index)
    return frozenset(out)


def _text_chunks(archive: zipfile.ZipFile, info: zipfile.ZipInfo, filename: str) -> Iterator[str]:
    """The part's XML as text, chunk by chunk; a part not in UTF-8 is not plain."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    first = True
    for chunk in _chunks(archive, info, filename, [0]):
        if first:
            first = False
            head = chunk[:200].lower()
            if chunk.startswith((b"\xff\xfe", b"\xfe\xff")) or (b"encoding=" in head and b"utf-8" not in head):
                raise _NotPlain
            if chunk.startswith(codecs.BOM_UTF8):
                chunk = chunk[3:]
        try:
            yield decoder.decode(chunk)
        except UnicodeDecodeError:
            raise _broken(filename) from None
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise _broken(filename) from None


def _shared_strings(archive: zipfile.ZipFile, info: zipfile.ZipInfo, filename: str) -> list[str]:
    try:
        return _plain_shared(archive, info, filename)
    except _NotPlain:
        return _tree_shared(archive, info, filename)


def _too_many_strings(filename: str) -> UserError:
    return _too_big(filename, f"共享文字超过 {MAX_SHARED_STRINGS} 条")


def _plain_shared(archive: zipfile.ZipFile, info: zipfile.ZipInfo, filename: str) -> list[str]:
    out: list[str] = []
    carry = ""
    started = False
    for text in _text_chunks(archive, info, filename):
        buffer = carry + text
        if not started:
            begin = buffer.find("<si")
            if begin < 0:
                carry = buffer[-16:]
                continue
            started = True
            buffer = buffer[begin:]
        cut = buffer.rfind("</si>")
        cut = cut + 5 if cut >= 0 else 0
        done, carry = buffer[:cut], buffer[cut:]
        if len(carry) > _MAX_CARRY:
            raise _NotPlain
        position = 0
        for m in _SI.finditer(done):
            if m.start() != position:
                raise _NotPlain
            position = m.end()
            out.append(m[1] or "")
        if position != len(done):
            raise _NotPlain
        if len(out) > MAX_SHARED_STRINGS:
            raise _too_many_strings(filename)
    if started and carry.strip() != "</sst>":
        raise _NotPlain
    return out


def _pulled(archive: zipfile.ZipFile, info: zipfile.ZipInfo, filename: str, parent: str,
            item: str) -> Iterator[tuple[str, ET.Element]]:
    """(namespace, element) for each complete `item` under the `parent` element, the parsed
    tree pruned as it goes (ElementTree, for the XML the fast readers do not read).

    More than MAX_ITEM_ELEMENTS elements from the end of one item to the end of the next (an
    item and what comes before it) are refused as they are parsed: the tree holds them whole
    (a row of three million <c r="A2"> cells, within every limit of the bounds scan, took
    1.4 GB and three minutes before this)."""
    parser: ET.XMLPullParser[ET.Element] = ET.XMLPullParser(events=("start", "end"))
    holder: ET.Element | None = None
    ns = None
    started = 0  # elements begun since the last item ended
    try:
        for chunk in _chunks(archive, info, filename, [0]):
            parser.feed(chunk)
            for event, element in cast(Iterator[tuple[str, ET.Element]], parser.read_events()):
                if ns is None:
                    ns = _ns(element.tag)
                if event == "end":
                    if element.tag == ns + item:
                        started = 0
                        yield ns, element
                    continue
                started += 1
                if started > MAX_ITEM_ELEMENTS:
                    raise _too_big(filename, f"其中“{info.filename[:60]}”有一行或一条文字超过 {MAX_ITEM_ELEMENTS} 个XML元素")
                if holder is None and element.tag == ns + parent:
                    holder = element
            if holder is not None:
                del holder[:]  # rows done; the one being built is still held by the parser
        parser.close()
    except _XML_ERRORS:
        raise _broken(filename) from None


def _rich(element: ET.Element, ns: str) -> str:
    """The text of a string item (<si> or <is>): its <t>, or its runs' <t>, not the phonetic
    guide (<rPh>)."""
    direct = element.find(f"{ns}t")
    if direct is not None and not len(element.findall(f"{ns}r")):
        return direct.text or ""
    return "".join(t.text or "" for t in element.iterfind(f"{ns}r/{ns}t"))


def _tree_shared(archive: zipfile.ZipFile, info: zipfile.ZipInfo, filename: str) -> list[str]:
    out = []
    for ns, si in _pulled(archive, info, filename, "sst", "si"):
        out.append(_rich(si, ns))
        if len(out) > MAX_SHARED_STRINGS:
            raise _too_many_strings(filename)
    return out


_EPOCH_1900 = datetime(1899, 12, 30)
_EPOCH_1904 = datetime(1904, 1, 1)


def _number(text: str, style: str | None, dates: frozenset[int], date1904: bool, filename: str) -> Any:
    try:
        value = float(text)
    except ValueError:
        raise _broken(filename) from None
    if style is None or not dates or not style.isdigit() or int(style) not in dates:
        return value
    try:
        if date1904:
            moment = _EPOCH_1904 + timedelta(days=value)
        else:
            # Excel's day 60 is 1900-02-29, which did not exist: days before it are one later.
            moment = _EPOCH_1900 + timedelta(days=value + (1 if value < 60 else 0))
    except (OverflowError, ValueError):
        return value
    moment = moment.replace(microsecond=0) if not moment.microsecond % 1000 else moment
    return moment.date() if moment.time() == datetime.min.time() else moment


def _value(kind: str | None, text: str | None, style: str | None, shared: list[str], dates: frozenset[int],
           date1904: bool, filename: str) -> Any:
    """A cell's value from its type (t=), its <v> text and its style (s=), as calamine gives it."""
    if text is None:
        return ""
    if kind == "s":
        try:
            return shared[int(text)]
        except (ValueError, IndexError):
            raise UserError(f"无法读取Excel文件“{filename}”：单元格引用了不存在的共享文字，文件已损坏") from None
    if kind is None or kind == "n":
        return _number(text, style, dates, date1904, filename) if text.strip() else ""
    if kind == "b":
        return text.strip() in ("1", "true")
    if kind == "d":
        try:
            moment = datetime.fromisoformat(text.strip())
        except ValueError:
            return text
        return moment.date() if moment.time() == datetime.min.time() else moment
    return text  # str (a formula's text), inlineStr, e (an error such as #N/A)


def _column(letters: str, filename: str) -> int:
    n = column_number(letters) if letters.isalpha() and letters.isascii() and letters.isupper() else 0
    if n < 1:
        raise _broken(filename)
    if n > MAX_COLUMNS:
        raise _too_big(filename, f"工作表有 {n} 列，上限为 {MAX_COLUMNS} 列")
    return n - 1


def _put(cells: list[Any], index: int, value: Any) -> None:
    if index < len(cells):
        cells[index] = value
    else:
        cells.extend([""] * (index - len(cells)))
        cells.append(value)


def _usual_values(inlines: tuple[str, ...], indexes: tuple[str, ...], numbers: tuple[str, ...],
                  styles: tuple[str, ...], shared: list[str], dates: frozenset[int], date1904: bool,
                  filename: str) -> list[Any]:
    """The values of a row of usual cells (_USUAL_CELL), as _value gives them."""
    cells: list[Any] = []
    append = cells.append
    for inline, index, text, style in zip(inlines, indexes, numbers, styles):
        if index:
            try:
                append(shared[int(index)])
            except IndexError:
                raise UserError(f"无法读取Excel文件“{filename}”：单元格引用了不存在的共享文字，文件已损坏") from None
        elif text.strip():
            append(_number(text, style or None, dates, date1904, filename))
        else:
            append(inline)  # inline text, or an empty cell ("")
    return cells


def _plain_rows(archive: zipfile.ZipFile, info: zipfile.ZipInfo, filename: str, shared: list[str],
                dates: frozenset[int], date1904: bool) -> Iterator[tuple[int, list[Any]]]:
    """(row number, cells) of a sheet in the plain XML (module docstring); _NotPlain at the
    first thing it does not read. Rows are cut at "</row>" and their cells read by one
    findall each, whose last group catches anything that is not a plain cell."""
    carry = ""
    started = False
    number = 0
    for text in _text_chunks(archive, info, filename):
        buffer = carry + text
        if not started:
            begin = buffer.find("<sheetData")
            close = buffer.find(">", begin)
            if begin < 0 or close < 0:
                if re.search(r"<\w+:sheetData", buffer) or len(buffer) > _MAX_CARRY:
                    raise _NotPlain  # a prefixed sheet, or a head the fast reader does not know
                carry = buffer
                continue
            started = True
            buffer = buffer[close + 1:]
        end = buffer.find("</sheetData>")
        if end >= 0:
            done, carry = buffer[:end], ""
        else:
            cut = buffer.rfind("</row>")
            cut = cut + 6 if cut >= 0 else 0
            done, carry = buffer[:cut], buffer[cut:]
            if len(carry) > _MAX_CARRY:
                raise _NotPlain
        pieces = done.split("</row>")
        if pieces.pop().strip():
            raise _NotPlain  # after the last row: a self-closed row, or something else
        for piece in pieces:
            start = piece.find("<row")
            close = piece.find(">", start)
            if start < 0 or close < 0 or piece[:start].strip() or piece[close - 1] == "/":
                raise _NotPlain
            m = _ROW_NUMBER.search(piece, start, close)
            number = int(m[1]) if m else number + 1
            usual = _USUAL_CELL.findall(piece, close + 1)
            width = len(usual)
            if 0 < width <= MAX_COLUMNS:
                refs, styles, inlines, indexes, numbers, others = zip(*usual)
                if refs == _LETTERS[:width] and not any(others):
                    # Every cell in its column from A on: read column-wise, a loop per cell
                    # only where there are shared strings or numbers.
                    if any(indexes) or any(numbers):
                        yield number, _usual_values(inlines, indexes, numbers, styles, shared, dates, date1904,
                                                    filename)
                    else:
                        yield number, list(inlines)
                    continue
            found = _CELL.findall(piece, close + 1)
            if len(found) > MAX_COLUMNS:
                if any(f[5] for f in found):
                    raise _NotPlain
                raise _too_big(filename, f"工作表有 {len(found)} 列，上限为 {MAX_COLUMNS} 列")
            cells: list[Any] = []
            append = cells.append
            for ref, style, kind, v, inline, other in found:
                if other:
                    raise _NotPlain
                if kind == "inlineStr":
                    value: Any = inline
                elif not v:
                    value = ""  # no value, or an empty one
                elif kind == "s":
                    try:
                        value = shared[int(v)]
                    except (ValueError, IndexError):
                        raise UserError(f"无法读取Excel文件“{filename}”：单元格引用了不存在的共享文字，文件已损坏") from None
                else:
                    value = _value(kind or None, v, style or None, shared, dates, date1904, filename)
                if ref == _LETTERS[len(cells)]:
                    append(value)  # the next column, as nearly every cell
                else:
                    _put(cells, _column(ref, filename), value)
            yield number, cells
        if end >= 0:
            return
    raise _broken(filename)  # no end of the sheet's data


def _tree_rows(archive: zipfile.ZipFile, info: zipfile.ZipInfo, filename: str, shared: list[str],
               dates: frozenset[int], date1904: bool) -> Iterator[tuple[int, list[Any]]]:
    number = 0
    for ns, row in _pulled(archive, info, filename, "sheetData", "row"):
        r = row.get("r")
        number = int(r) if r and r.isdigit() else number + 1
        cells: list[Any] = []
        index = -1
        for c in row.iterfind(f"{ns}c"):
            ref = c.get("r")
            index = _column(ref.rstrip("0123456789"), filename) if ref else index + 1
            kind = c.get("t")
            if kind == "inlineStr":
                inline = c.find(f"{ns}is")
                value: Any = "" if inline is None else _rich(inline, ns)
            else:
                v = c.find(f"{ns}v")
                value = _value(kind, None if v is None else (v.text or ""), c.get("s"), shared, dates, date1904,
                               filename)
            _put(cells, index, value)
        yield number, cells


def _rows(archive: zipfile.ZipFile, info: zipfile.ZipInfo, filename: str, shared: list[str], dates: frozenset[int],
          date1904: bool) -> Iterator[list[Any]]:
    """Every row from row 1 on (a row the XML skips comes as a blank row), each within the
    limits; the fast reader first, ElementTree from the first row it cannot read."""
    given = 0

    def rows_from(source: Iterator[tuple[int, list[Any]]], resume: int) -> Iterator[list[Any]]:
        nonlocal given
        for number, cells in source:
            if number <= resume:
                continue  # given by the fast reader before it handed over
            if number <= given:
                raise _broken(filename)  # rows out of order
            if number > MAX_ROWS + 1:
                raise _too_big(filename, f"工作表有 {number} 行，上限为 {MAX_ROWS} 行数据（另加 1 行表头）")
            while given + 1 < number:
                given += 1
                yield []
            given = number
            yield cells

    try:
        yield from rows_from(_plain_rows(archive, info, filename, shared, dates, date1904), 0)
    except _NotPlain:
        yield from rows_from(_tree_rows(archive, info, filename, shared, dates, date1904), given)


