"""Reading a roll import file (.xlsx streamed by xlsx_rows, or .csv in UTF-8, UTF-8 with BOM
or GBK) into a header and rows streamed one at a time, within the limits of xlsx_limits, and
writing the downloadable import template (选民登记导入模板)."""
from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import UserError
from ..rules.roll_rows import COLUMNS, REQUIRED
from .xlsx_limits import MAX_CELL_CHARS, MAX_COLUMNS, MAX_ROWS, ZIP_ERRORS, check_xlsx
from .xlsx_rows import first_sheet_rows

TEMPLATE_EXAMPLE = (
    "张伟", "男", "110101199003071234", "0001", "12栋", "1单元", "101", "第一居民小组",
    "本社区户籍", "2015-03-01", "13800138000", "",
)


def _decode(content: bytes) -> str:
    # UTF-8 (with or without BOM) first: GBK would "decode" UTF-8 bytes into mojibake.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UserError("无法识别CSV文件的编码：请另存为UTF-8或GBK编码的CSV，或使用.xlsx模板")


def _csv_rows(text: str, filename: str) -> Iterator[list[str]]:
    """The rows of a CSV text; what the csv module cannot read (a field longer than its
    limit, a stray quote before a line break) is refused naming the line."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        yield from reader
    except csv.Error:
        raise UserError(f"文件“{filename}”第{reader.line_num}行无法按CSV格式读取（引号不成对或单元格过长）："
                        "整个文件未导入，选民名单未作任何改动。") from None


def _cell(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)  # a number typed into the ID or phone column
    return value


@dataclass
class Table:
    """An uploaded file's header, its number of data rows, and the rows as they are read
    (dicts keyed by header): a roll of 100,000 is never held as rows in memory."""

    header: list[str]
    total: int
    rows: Iterator[dict[str, Any]]


def _too_long(filename: str, number: int, column: str, limit: str) -> UserError:
    return UserError(f"文件“{filename}”第{number}行“{column}”：{limit}。整个文件未导入，选民名单未作任何改动。")


def _bounded(filename: str, header: list[str], values: Iterable[Sequence[Any]]) -> Iterator[dict[str, Any]]:
    """Rows as dicts, each checked against the cell-length limit as it is read."""
    named = [i for i, h in enumerate(header) if h]
    keys = [header[i] for i in named]
    every = len(named) == len(header)
    for number, row in enumerate(values, start=2):
        cells = list(row) if every else [row[i] if i < len(row) else "" for i in named]
        try:
            # All text (the usual row): the longest cell and the dict without a Python loop.
            longest = max(map(len, cells), default=0)
        except TypeError:  # a number, a date or an empty cell among them
            longest = max((len(v) for v in cells if isinstance(v, str)), default=0)
            cells = [_cell(v) for v in cells]
        if longest > MAX_CELL_CHARS:
            for h, v in zip(keys, cells):
                if isinstance(v, str) and len(v) > MAX_CELL_CHARS:
                    raise _too_long(filename, number, h, f"超过 {MAX_CELL_CHARS} 字")
        yield dict(zip(keys, cells))


def open_table(content: bytes, filename: str) -> Table:
    """The header and the data rows of an uploaded .xlsx (streamed by xlsx_rows once the file
    passed xlsx_limits) or .csv; too many rows or columns, or too long a cell, are
    refused with a Chinese message before they are held."""
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        rows_of = check_xlsx(content, filename)
        try:
            archive = zipfile.ZipFile(io.BytesIO(content))
        except ZIP_ERRORS:
            raise UserError(f"无法读取Excel文件“{filename}”：文件已损坏或不是.xlsx格式") from None
        part, values = first_sheet_rows(archive, filename)
        total = rows_of.get(part, 1) - 1
    elif name.endswith(".csv"):
        text = _decode(content)
        total = -1
        for number, row in enumerate(_csv_rows(text, filename), start=1):
            if number > MAX_ROWS + 1:
                raise UserError(f"文件“{filename}”超出导入限制：超过 {MAX_ROWS} 行数据（另加 1 行表头）")
            if len(row) > MAX_COLUMNS:
                raise UserError(f"文件“{filename}”超出导入限制：第{number}行有 {len(row)} 列，上限为 {MAX_COLUMNS} 列")
            total += 1
        values = _csv_rows(text, filename)
    else:
        raise UserError(f"文件“{filename}”的类型不受支持：请上传.xlsx或.csv文件")
    first = next(values, None)
    if first is None:
        raise UserError(f"文件“{filename}”是空的：第1行应为表头（{'、'.join(COLUMNS)}）")
    header = ["" if h is None else str(h).strip() for h in first]
    for h in header:
        if len(h) > MAX_CELL_CHARS:
            raise _too_long(filename, 1, h[:20], f"表头超过 {MAX_CELL_CHARS} 字")
    return Table(header, max(total, 0), _bounded(filename, header, values))


def read_table(content: bytes, filename: str) -> tuple[list[str], list[dict[str, Any]]]:
    """The header and every data row of an uploaded file, in memory (small files only)."""
    table = open_table(content, filename)
    return table.header, list(table.rows)


def template_xlsx() -> bytes:
    """The import template: the twelve columns, one example row, ID and phone as text."""
    from openpyxl import Workbook  # only here: a process that imports rolls never loads it

    book = Workbook()
    sheet = book.active
    sheet.title = "选民登记"
    sheet.append(list(COLUMNS))
    sheet.append(list(TEMPLATE_EXAMPLE))
    for index, column in enumerate(COLUMNS, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = 20 if column in ("公民身份号码", "居民小组", "备注") else 12
        if column in ("公民身份号码", "联系电话", "户号", "室号"):
            # Text format keeps 18-digit numbers and leading zeros intact in Excel.
            for row in range(1, 2001):
                sheet.cell(row=row, column=index).number_format = "@"
    notes = book.create_sheet("填写说明")
    notes.append(["必填列", "、".join(REQUIRED)])
    notes.append(["户籍类别", "本社区户籍 或 非户籍常住（非户籍常住须填居住起始日期）"])
    notes.append(["日期格式", "2020-03-01、2020/3/1 或 2020年3月1日"])
    notes.append(["其他列", "模板以外的列将被忽略"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rows_to_csv(rows: list[dict[str, str]]) -> bytes:
    """Rows (dicts keyed by the template columns) as a UTF-8 CSV with the template header."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")
