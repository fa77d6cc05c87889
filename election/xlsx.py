"""Excel workbooks (.xlsx) from plain rows: the one writer behind every 导出 Excel link.

A `Sheet` is a Chinese title, Chinese column headers and rows of plain values. The writer
makes the header row bold and frozen, sizes each column to its longest text (a CJK
character counts twice), writes dates and times as real Excel dates, and stores every
string as text, so a name or a complaint starting with "=" is never read as a formula.
"""
from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .clock import local

Value = str | int | float | bool | date | datetime | None

MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
MIN_WIDTH, MAX_WIDTH = 6, 60
_BAD_TITLE = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True)
class Sheet:
    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[object]]  # a value that is not a Value is written as its text


def display_width(value: object) -> int:
    """Columns of text the value takes in Excel: a CJK (wide) character counts as two."""
    if value is None:
        return 0
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    text = "是" if value is True else "否" if value is False else str(value)
    longest = max(text.split("\n"), key=len)
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in longest)


def sheet_title(title: str) -> str:
    """Excel's rules for a sheet name: at most 31 characters, none of []:*?/\\ ."""
    return _BAD_TITLE.sub("·", title).strip()[:31] or "Sheet"


def _cell(sheet, value: object) -> WriteOnlyCell:
    if value is not None and not isinstance(value, (str, int, float, date)):
        value = str(value)
    if isinstance(value, bool):
        value = "是" if value else "否"
    elif isinstance(value, datetime):
        # Excel has no time zones: the time is written as the pages show it, in local time.
        value = local(value).replace(tzinfo=None)
    cell = WriteOnlyCell(sheet, value)
    if isinstance(value, datetime):
        cell.number_format = DATETIME_FORMAT
    elif isinstance(value, date):
        cell.number_format = DATE_FORMAT
    elif isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever the text starts with
    return cell


def workbook_bytes(*sheets: Sheet) -> bytes:
    """The workbook with one worksheet per `Sheet`, as the bytes of an .xlsx file."""
    book = Workbook(write_only=True)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="E8EBEF")
    middle = Alignment(vertical="center")
    for spec in sheets:
        sheet = book.create_sheet(sheet_title(spec.title))
        sheet.freeze_panes = "A2"
        for index, header in enumerate(spec.headers, start=1):
            widest = max([display_width(header)] + [display_width(row[index - 1]) for row in spec.rows])
            sheet.column_dimensions[get_column_letter(index)].width = min(MAX_WIDTH, max(MIN_WIDTH, widest + 2))
        header_cells = []
        for header in spec.headers:
            cell = _cell(sheet, header)
            cell.font, cell.fill, cell.alignment = bold, fill, middle
            header_cells.append(cell)
        sheet.append(header_cells)
        for row in spec.rows:
            sheet.append([_cell(sheet, value) for value in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
