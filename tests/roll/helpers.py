"""Builders for roll tests: rows of the import template as CSV or .xlsx bytes (valid ID
numbers come from tests.factories.make_id)."""
from __future__ import annotations

import io

from openpyxl import Workbook

from election.roll.files import rows_to_csv
from election.rules.roll_rows import COLUMNS


def row(name: str, id_number: str, sex: str = "男", household: str = "0001", group: str = "第一居民小组",
        category: str = "本社区户籍", since: str = "", phone: str = "", **extra) -> dict[str, str]:
    values = {"姓名": name, "性别": sex, "公民身份号码": id_number, "户号": household, "楼栋": "1栋",
              "单元": "1单元", "室号": "101", "居民小组": group, "户籍类别": category, "居住起始日期": since,
              "联系电话": phone, "备注": ""}
    values.update(extra)
    return values


def csv_bytes(rows: list[dict[str, str]]) -> bytes:
    return rows_to_csv(rows)


def xlsx_bytes(rows: list[dict[str, str]], extra_header: tuple[str, ...] = ()) -> bytes:
    book = Workbook()
    sheet = book.active
    header = list(COLUMNS) + list(extra_header)
    sheet.append(header)
    for r in rows:
        sheet.append([r.get(h, "") for h in header])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
