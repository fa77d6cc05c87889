"""The streamed .xlsx reader (election.roll.xlsx_rows) gives the rows python-calamine gives
for the same file: plain XML by the fast reader, anything else by ElementTree (which takes
over mid-sheet without losing or repeating a row); broken input is a Chinese UserError."""
from __future__ import annotations

import io
import zipfile
from datetime import date, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from python_calamine import CalamineWorkbook

from election.errors import UserError
from election.roll import xlsx_rows
from election.roll.files import open_table
from tests.roll.hostile import header_row, xlsx


def calamine_rows(content: bytes) -> list[list]:
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0)
    return trimmed(sheet.iter_rows())


def trimmed(rows) -> list[list]:
    """Rows without trailing empty cells, and without trailing empty rows (calamine pads
    every row to the sheet's width)."""
    out = []
    for r in rows:
        r = list(r)
        while r and r[-1] == "":
            r.pop()
        out.append(r)
    while out and not out[-1]:
        out.pop()
    return out


def streamed_rows(content: bytes) -> list[list]:
    archive = zipfile.ZipFile(io.BytesIO(content))
    return trimmed(xlsx_rows.first_sheet_rows(archive, "t.xlsx")[1])


def test_a_workbook_saved_by_openpyxl_reads_as_calamine_reads_it():
    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "性别", "x&y", "<tag>", "备注"])
    sheet["A3"], sheet["B3"], sheet["C3"], sheet["D3"] = "李四", 101, date(2020, 3, 1), True
    sheet["A5"], sheet["B5"], sheet["C5"], sheet["D5"] = 1.5, datetime(2020, 1, 2, 3, 4, 5), "  空格 ", "a&b"
    sheet["F7"] = 110101199003071234
    sheet["B8"] = "第三居民小组"
    out = io.BytesIO()
    book.save(out)
    content = out.getvalue()
    assert streamed_rows(content) == calamine_rows(content)
    table = open_table(content, "t.xlsx")
    assert table.header == ["姓名", "性别", "x&y", "<tag>", "备注"] and table.total == 7
    rows = list(table.rows)
    assert rows[1]["姓名"] == "李四" and rows[1]["x&y"] == date(2020, 3, 1) and rows[3]["<tag>"] == "a&b"


def test_rich_text_phonetic_guides_and_prefixed_xml_read_as_calamine_reads_them():
    shared = [b"<si><t>plain</t></si>",
              b"<si><r><rPr><b/></rPr><t>\xe5\xbc\xa0</t></r><r><t>\xe4\xb8\x89</t></r><rPh sb=\"0\" eb=\"1\"><t>zhang</t></rPh></si>",
              b"<si><t xml:space=\"preserve\"> a &amp; b </t></si>"]
    body = [header_row(), b'<row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2" t="s"><v>1</v></c>'
                          b'<c r="C2" t="s"><v>2</v></c><c r="D2" s="0"><v>7</v></c></row>']
    content = xlsx(body, shared=shared)
    assert streamed_rows(content) == calamine_rows(content)
    assert streamed_rows(content)[1][:3] == ["plain", "张三", " a & b "]
    prefixed = _rezip(content, lambda xml: xml.replace(b"<worksheet xmlns=", b"<x:worksheet xmlns:x=")
                      .replace(b"</worksheet>", b"</x:worksheet>").replace(b"<sheetData>", b"<x:sheetData>")
                      .replace(b"</sheetData>", b"</x:sheetData>").replace(b"<row", b"<x:row")
                      .replace(b"</row>", b"</x:row>").replace(b"<c ", b"<x:c ").replace(b"</c>", b"</x:c>")
                      .replace(b"<v>", b"<x:v>").replace(b"</v>", b"</x:v>").replace(b"<is>", b"<x:is>")
                      .replace(b"</is>", b"</x:is>").replace(b"<t>", b"<x:t>").replace(b"</t>", b"</x:t>"))
    assert streamed_rows(prefixed) == calamine_rows(content)


def _rezip(content: bytes, change) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in source.infolist():
            data = source.read(info)
            z.writestr(info.filename, change(data) if info.filename.endswith("sheet1.xml") else data)
    return out.getvalue()


def test_elementtree_takes_over_mid_sheet_without_losing_or_repeating_a_row():
    plain = [f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>居民{r}</t></is></c></row>'.encode() for r in range(2, 3000)]
    odd = b'<row r="3000"><c r="A3000" t="str"><f>CONCAT("a","b")</f><v>ab</v></c></row>'
    later = [f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>居民{r}</t></is></c></row>'.encode() for r in range(3002, 3100)]
    rows = streamed_rows(xlsx([header_row(), *plain, odd, *later]))
    assert [(r or [""])[0] for r in rows[1:]] == [f"居民{r}" for r in range(2, 3000)] + ["ab", ""] + [
        f"居民{r}" for r in range(3002, 3100)]


def test_too_many_shared_strings_are_refused(monkeypatch):
    monkeypatch.setattr(xlsx_rows, "MAX_SHARED_STRINGS", 10)
    content = xlsx([header_row()], shared=[f"<si><t>{i}</t></si>".encode() for i in range(11)])
    with pytest.raises(UserError) as caught:
        streamed_rows(content)
    assert "共享文字超过 10 条" in caught.value.messages[0]


SMALL = xlsx([header_row(), '<row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2" s="1"><v>43891</v></c>'
              '<c r="C2" t="inlineStr"><is><t>甲</t></is></c></row>'.encode()],
             shared=["<si><t>张三</t></si>".encode()])
SHEET = zipfile.ZipFile(io.BytesIO(SMALL)).read("xl/worksheets/sheet1.xml")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, len(SHEET) - 1), st.binary(max_size=6)), min_size=1, max_size=4),
       st.integers(0, len(SHEET)))
def test_damaged_sheet_xml_is_rows_or_a_chinese_refusal_never_a_traceback(edits, cut):
    xml = SHEET
    for at, insert in edits:
        xml = xml[:at] + insert + xml[at + len(insert):]
    xml = xml[:cut] if cut < len(xml) // 2 else xml
    content = _rezip(SMALL, lambda _: xml)
    try:
        table = open_table(content, "坏.xlsx")
        for _ in table.rows:
            pass
    except UserError as error:
        assert "坏.xlsx" in error.messages[0] or "Excel" in error.messages[0]
