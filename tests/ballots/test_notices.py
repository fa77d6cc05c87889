"""Public notices: Chinese text read back, grouping, repeated headers, page numbers, QR."""
from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from ballots.fonts import MissingGlyphError
from ballots.notices import NoticeGroup, notice_bytes, render_notice
from tests.ballots.pdfcheck import qr_payloads, render_page

HEADERS = ["序号", "姓名", "性别", "身份证号（部分隐藏）", "住址"]


def voters(group: str, n: int) -> list[list[str]]:
    return [[str(i), f"{group}选民{i:03d}", "女" if i % 2 else "男", f"3201**********{i:04d}", f"幸福里{group}号楼"] for i in range(1, n + 1)]


def build(rows: object, **kwargs: object) -> tuple[int, PdfReader, bytes]:
    buf = io.BytesIO()
    pages = render_notice(
        "幸福里社区选民名单公告",
        ["现将本社区选民名单公布如下，如有异议，请于公布之日起5日内提出。"],
        HEADERS,
        rows,  # type: ignore[arg-type]
        ["幸福里社区居民选举委员会", "2027年2月20日"],
        buf,
        **kwargs,  # type: ignore[arg-type]
    )
    return pages, PdfReader(io.BytesIO(buf.getvalue())), buf.getvalue()


def test_grouped_roll_runs_over_pages_with_headers_and_page_numbers() -> None:
    """RULES.md Voter roll "roll published": the 选民名单公告 grouped by 居民小组, every row printed once."""
    groups = [NoticeGroup(f"第{g}居民小组", voters(g, 60)) for g in "一二三"]
    pages, reader, _ = build(groups)
    assert pages == len(reader.pages) and pages >= 4
    texts = [page.extract_text() for page in reader.pages]
    for number, text in enumerate(texts, start=1):
        assert f"第 {number} 页 共 {pages} 页" in text
        # Every page that holds table rows repeats the header row.
        if re.search(r"选民\d{3}", text):
            assert "身份证号（部分隐藏）" in text
    everything = "\n".join(texts)
    for g in "一二三":
        names = re.findall(rf"{g}选民\d{{3}}", everything)
        assert names == [f"{g}选民{i:03d}" for i in range(1, 61)]  # all, once, in order
    # A group running onto a new page carries its heading there too.
    for text in texts[1:]:
        first = re.search(r"(.)选民\d{3}", text)
        if first:
            assert f"第{first.group(1)}居民小组" in text
    assert everything.index("第一居民小组") < everything.index("第二居民小组") < everything.index("第三居民小组")
    assert "幸福里社区居民选举委员会" in texts[-1] and "2027年2月20日" in texts[-1]


def test_plain_rows_and_chain_head_qr_decodes() -> None:
    """DESIGN.md Publication: the signed chain head is printed for the notice board with a QR."""
    payload = "https://jx.example.cn/e/17/head/9c1e5d"
    pages, reader, pdf = build(voters("一", 3), qr_payload=payload, qr_caption="扫码核对链头")
    assert pages == 1
    assert "扫码核对链头" in reader.pages[0].extract_text()
    assert qr_payloads(render_page(pdf, 0)) == [payload]


def test_row_with_wrong_number_of_cells_is_named() -> None:
    rows = voters("一", 3)
    rows[1] = rows[1][:3]
    with pytest.raises(ValueError, match="第 2 行有 3 栏，表头有 5 栏"):
        build([NoticeGroup("第一居民小组", rows)])


def test_missing_glyph_in_a_cell_is_refused_naming_row_and_column() -> None:
    rows = voters("一", 3)
    rows[2][1] = "𠮷祥"
    with pytest.raises(MissingGlyphError, match="第一居民小组第 3 行“姓名”栏"):
        build([NoticeGroup("第一居民小组", rows)])


def test_notice_bytes_is_the_same_notice_in_memory() -> None:
    rows = voters("一", 40)
    pages, reader, _ = build(rows, qr_payload="JXH:test", qr_caption="扫码")
    data = notice_bytes("幸福里社区选民名单公告", ["现将本社区选民名单公布如下，如有异议，请于公布之日起5日内提出。"], HEADERS, rows,
                        ["幸福里社区居民选举委员会", "2027年2月20日"], qr_payload="JXH:test", qr_caption="扫码")
    again = PdfReader(io.BytesIO(data))
    assert data[:4] == b"%PDF" and len(again.pages) == pages
    assert [p.extract_text() for p in again.pages] == [p.extract_text() for p in reader.pages]
