"""Reading a roll import file (.xlsx or .csv in UTF-8, UTF-8 with BOM or GBK) into a header
and rows, and writing the downloadable import template (选民登记导入模板)."""
from __future__ import annotations

import csv
import io
import zipfile
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from ..errors import UserError
from ..rules.roll_rows import COLUMNS, REQUIRED

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


def _cell(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)  # a number typed into the ID or phone column
    return value


def read_table(content: bytes, filename: str) -> tuple[list[str], list[dict[str, Any]]]:
    """The header and the data rows (dicts keyed by header) of an uploaded file."""
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        try:
            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
            raise UserError(f"无法读取Excel文件“{filename}”：文件已损坏或不是.xlsx格式") from None
        try:
            raw = list(book.active.iter_rows(values_only=True))
        finally:
            book.close()
    elif name.endswith(".csv"):
        raw = list(csv.reader(io.StringIO(_decode(content))))
    else:
        raise UserError(f"文件“{filename}”的类型不受支持：请上传.xlsx或.csv文件")
    if not raw:
        raise UserError(f"文件“{filename}”是空的：第1行应为表头（{'、'.join(COLUMNS)}）")
    header = ["" if h is None else str(h).strip() for h in raw[0]]
    rows = []
    for values in raw[1:]:
        rows.append({h: _cell(v) for h, v in zip(header, values) if h})
    return header, rows


def template_xlsx() -> bytes:
    """The import template: the twelve columns, one example row, ID and phone as text."""
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
