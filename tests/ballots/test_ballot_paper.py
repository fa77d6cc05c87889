"""Ballot papers: Chinese text, embedded fonts, receipt stub and the two unlinked codes.

Protocol rules checked: DESIGN.md "The ledger protocol" (T on the stub only, A in a QR on the
body only); RULES.md Voting "marks" and Validity "overvote" (instruction text); RULES.md
Nomination "ballot order" (names printed in the order given).
"""
from __future__ import annotations

import base64
import io
import secrets

import pytest
from pypdf import PdfReader

from ballots.ballot_paper import BallotLayoutError, group_code, paper_layout, render_ballots
from ballots.ballot_spec import BallotSpec, PaperCodes, PostSection
from ballots.fonts import MissingGlyphError
from tests.ballots.pdfcheck import crop_points, fonts_of, pieces, qr_payloads, render_page

SECTIONS = (
    PostSection("居民委员会", "主任", 1, ("王建国", "李秀英")),
    PostSection("居民委员会", "副主任", 2, ("刘䶮", "张伟", "陈静")),
    PostSection("居民委员会", "委员", 5, ("马丽", "王芳", "李娜", "杨洋", "赵磊", "黄敏", "阿不都热合曼·艾买提")),
    PostSection("居务监督委员会", "主任", 1, ("周强", "吴刚")),
    PostSection("居务监督委员会", "委员", 3, ("孙丽", "郑涛", "冯雪", "钱坤")),
)


def make_spec(**changes: object) -> BallotSpec:
    fields: dict[str, object] = dict(
        title="幸福里社区第十二届居民委员会和居务监督委员会成员选举选票",
        election="幸福里社区 2027 年换届选举",
        date="2027年3月15日",
        round="第一轮",
        sections=SECTIONS,
        key_fingerprint="3f9a1c0b7d2e4f5a6b7c8d9e0f1a2b3c",
        committee="幸福里社区居民选举委员会",
    )
    fields.update(changes)
    return BallotSpec(**fields)  # type: ignore[arg-type]


def b32() -> str:
    return base64.b32encode(secrets.token_bytes(16)).decode().rstrip("=")


def make_codes(n: int) -> list[PaperCodes]:
    out = []
    for _ in range(n):
        t = b32()
        out.append(PaperCodes(t[:16], "https://jx.example.cn/r/" + t, "A:" + b32()))
    return out


def render(spec: BallotSpec, codes: list[PaperCodes]) -> bytes:
    buf = io.BytesIO()
    assert render_ballots(spec, iter(codes), buf) == len(codes)
    return buf.getvalue()


@pytest.fixture(scope="module")
def printed() -> tuple[BallotSpec, list[PaperCodes], bytes]:
    spec = make_spec()
    codes = make_codes(3)
    return spec, codes, render(spec, codes)


def test_two_pages_per_paper_and_names_in_given_order(printed: tuple[BallotSpec, list[PaperCodes], bytes]) -> None:
    """RULES.md Nomination "ballot order": the caller's (stroke) order is kept on the paper;
    each paper is a front and a back page (duplex)."""
    spec, codes, pdf = printed
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 2 * len(codes)
    text = reader.pages[0].extract_text()
    position = 0
    for section in spec.sections:
        heading = f"{section.heading}（应选 {section.seats} 名）"
        position = text.index(heading, position)
        for name in section.candidates:
            position = text.index(name, position)
        assert text.count("另选他人", position) >= section.write_ins
    for wanted in ("第一轮", "2027年3月15日", "印章", "3f9a 1c0b 7d2e 4f5a", "幸福里社区居民选举委员会"):
        assert wanted in text


def test_marking_instructions_and_overvote_variant() -> None:
    """RULES.md Voting "marks" (○ 赞成, × 反对, no mark 弃权) and Validity "overvote" variants."""
    codes = make_codes(1)
    default = PdfReader(io.BytesIO(render(make_spec(), codes))).pages[0].extract_text()
    assert "赞成的划“○”，反对的划“×”，弃权的不划任何符号" in default
    assert "另选他人" in default and "并在其后的符号栏内划“○”" in default
    assert "该职务的选票无效" in default and "整张选票无效" not in default
    beijing = PdfReader(io.BytesIO(render(make_spec(overvote_voids_paper=True), codes))).pages[0].extract_text()
    assert "整张选票无效" in beijing and "该职务的选票无效" not in beijing


def test_paper_says_how_to_fold_it() -> None:
    """Issue 15: the front says to fold the marked side in and then the back's QR in; the back
    carries the two numbered fold lines and says not to mark or photograph it."""
    reader = PdfReader(io.BytesIO(render(make_spec(), make_codes(1))))
    front = reader.pages[0].extract_text().replace("\n", "")
    back = reader.pages[1].extract_text().replace("\n", "")
    assert "划票面向里对折" in front and "使背面的二维码折在里面" in front
    assert "① 沿此线对折，划票面向里" in back and "② 再沿此线对折" in back and "请勿涂画、拍照" in back
    assert "候选人" not in back and "王建国" not in back  # nothing to mark on the back


def test_fonts_are_embedded_truetype(printed: tuple[BallotSpec, list[PaperCodes], bytes]) -> None:
    """NOTES.md "Chinese text in PDFs": every font used is embedded (/FontFile2), none by name only."""
    _, _, pdf = printed
    fonts = fonts_of(PdfReader(io.BytesIO(pdf)))
    used = {f["/BaseFont"]: f for f in fonts.values()}
    assert any("WenQuanYiMicroHei" in name for name in used)
    assert any("DroidSansFallback" in name for name in used), "刘䶮 needs the fallback font"
    for name, font in used.items():
        if name == "/Helvetica":
            continue  # reportlab's initial page font, never used for any glyph here
        descriptor = font["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor, f"{name} is not embedded"


def test_receipt_code_on_stub_only_and_static_part_shared(printed: tuple[BallotSpec, list[PaperCodes], bytes]) -> None:
    """DESIGN.md ledger protocol: T (human form) is printed below the cut line and nowhere above."""
    spec, codes, pdf = printed
    reader = PdfReader(io.BytesIO(pdf))
    cut = paper_layout(spec).cut_y
    stub_texts = []
    for index, code in enumerate(codes):
        found = pieces(reader, 2 * index)
        grouped = group_code(code.t_human)
        hits = [p for p in found if grouped in p.text]
        assert hits and all(p.y < cut for p in hits)
        body = "".join(p.text for p in found if p.y > cut).replace(" ", "")
        assert code.t_human not in body
        stub_texts.append("".join(p.text for p in found if p.y < cut).replace(grouped, "<T>"))
        for other in codes:
            if other is not code:
                assert group_code(other.t_human) not in " ".join(p.text for p in found)
    # Nothing but T differs between stubs: the stub identifies no paper otherwise.
    assert len(set(stub_texts)) == 1
    assert "凭此存根查询您的选票已计入" in stub_texts[0]
    # The static part is one form XObject shared by all pages (drawn once).
    fronts = reader.pages[0::2]
    forms = {page["/Resources"]["/XObject"].raw_get("/FormXob.juxuan-ballot-static").idnum for page in fronts}
    assert len(forms) == 1


def test_audit_code_never_in_text_or_content(printed: tuple[BallotSpec, list[PaperCodes], bytes]) -> None:
    """DESIGN.md ledger protocol: A exists only as a QR on the body, never in human-readable form."""
    _, codes, pdf = printed
    reader = PdfReader(io.BytesIO(pdf))
    streams = b""
    for page in reader.pages:
        streams += page.get_contents().get_data()
    for index, code in enumerate(codes):
        for side in (2 * index, 2 * index + 1):
            assert code.a_qr.split(":")[1] not in reader.pages[side].extract_text()
        assert code.a_qr.encode() not in streams and code.a_qr.split(":")[1].encode() not in streams
        assert code.t_qr.encode() not in streams


@pytest.mark.parametrize("paper_size", ["A4", "A5"])
def test_qr_codes_decode_from_their_regions(paper_size: str) -> None:
    """DESIGN.md ledger protocol: the stub's QR gives T's URL, the back's QR gives A, unmixed;
    issue 15: the marked side (front) shows no A at all."""
    sections = SECTIONS[:3] if paper_size == "A5" else SECTIONS
    spec = make_spec(paper_size=paper_size, sections=sections)
    codes = make_codes(2)
    pdf = render(spec, codes)
    layout = paper_layout(spec)
    for index, code in enumerate(codes):
        front = render_page(pdf, 2 * index)
        stub = crop_points(front, layout.height, 0, 0, layout.width, layout.cut_y - 1)
        body = crop_points(front, layout.height, 0, layout.cut_y + 1, layout.width, layout.height)
        assert qr_payloads(stub) == [code.t_qr]
        assert qr_payloads(body) == []
        back = render_page(pdf, 2 * index + 1)
        assert qr_payloads(back) == [code.a_qr]
        qr = layout.body_qr
        assert qr_payloads(crop_points(back, layout.height, qr.x - 5, qr.y - 5, qr.x + qr.w + 5, qr.y + qr.h + 5)) == [code.a_qr]


def test_missing_glyph_refused_before_printing() -> None:
    """NOTES.md: a 生僻字 outside the fonts is refused, naming the candidate, never printed blank."""
    sections = (PostSection("居民委员会", "主任", 1, ("王建国", "𠮷祥")),)
    with pytest.raises(MissingGlyphError) as caught:
        render(make_spec(sections=sections), make_codes(1))
    message = str(caught.value)
    assert "居民委员会主任候选人" in message and "𠮷祥" in message and "U+20BB7" in message


def test_too_many_rows_for_a5_is_refused_in_chinese() -> None:
    """A paper that cannot fit one page is refused with advice, not printed cut off."""
    big = tuple(PostSection("居民委员会", "委员", 7, tuple(f"候选人{n:02d}" for n in range(12))) for _ in range(3))
    with pytest.raises(BallotLayoutError, match="A5 纸一页放不下"):
        render(make_spec(paper_size="A5", sections=big), make_codes(1))


def test_spec_problems_named_in_chinese() -> None:
    spec = make_spec(round="第三轮", sections=(PostSection("居民委员会", "委员", 0, ("张三", "张三")),))
    with pytest.raises(BallotLayoutError) as caught:
        render(spec, make_codes(1))
    message = str(caught.value)
    assert "选票轮次“第三轮”无效" in message
    assert "居民委员会委员）的应选人数为 0" in message
    assert "候选人“张三”重复出现" in message


def test_round_label_printed() -> None:
    text = PdfReader(io.BytesIO(render(make_spec(round="另行选举"), make_codes(1)))).pages[0].extract_text()
    assert "另行选举" in text and "第一轮" not in text


def test_progress_and_count() -> None:
    calls: list[tuple[int, int]] = []
    buf = io.BytesIO()
    n = render_ballots(make_spec(), make_codes(5), buf, lambda done, total: calls.append((done, total)), progress_every=2)
    assert n == 5
    assert calls == [(2, 5), (4, 5), (5, 5)]
    assert buf.getvalue().startswith(b"%PDF")


def test_bad_receipt_code_refused_without_echoing_it() -> None:
    bad = PaperCodes("秘密<码>", "https://x/r/1", "A:1")
    with pytest.raises(BallotLayoutError) as caught:
        render(make_spec(), [bad])
    assert "第 1 张选票的查询码格式不对" in str(caught.value) and "秘密" not in str(caught.value)


def test_no_codes_no_pdf() -> None:
    with pytest.raises(BallotLayoutError, match="没有提供任何选票编码"):
        render_ballots(make_spec(), iter(()), io.BytesIO())


def test_pages_are_compressed() -> None:
    """pageCompression: content streams are Flate-compressed (a 5,000-paper PDF stays small)."""
    reader = PdfReader(io.BytesIO(render(make_spec(), make_codes(1))))
    contents = reader.pages[0]["/Contents"].get_object()
    assert list(contents["/Filter"]) == ["/FlateDecode"]


def test_one_paper_per_body_when_the_committee_splits() -> None:
    from ballots.ballot_spec import split_by_body

    titles = {"居民委员会": "居民委员会成员选举选票", "居务监督委员会": "居务监督委员会成员选举选票"}
    committee, supervisory = split_by_body(make_spec(), titles)
    assert [s.post for s in committee.sections] == ["主任", "副主任", "委员"]
    assert [s.post for s in supervisory.sections] == ["主任", "委员"]
    text = PdfReader(io.BytesIO(render(supervisory, make_codes(1)))).pages[0].extract_text()
    assert "居务监督委员会成员选举选票" in text and "王建国" not in text and "周强" in text
    with pytest.raises(ValueError, match="缺少以下组织的选票标题：居务监督委员会"):
        split_by_body(make_spec(), {"居民委员会": "x"})


def test_pages_streamed_to_the_file_keep_a_cross_reference_table_that_points_at_every_object(
        printed: tuple[BallotSpec, list[PaperCodes], bytes]) -> None:
    # The page contents are written as the papers are drawn (ballots.pdf_stream), the rest by
    # reportlab at the end: every offset of the table must still land on its own object.
    _spec, codes, pdf = printed
    start = pdf.rindex(b"startxref")
    xref = int(pdf[start:].split()[1])
    assert pdf[xref:xref + 4] == b"xref"
    lines = pdf[xref:pdf.index(b"trailer", xref)].split(b"\n")
    first, count = map(int, lines[1].split())
    entries = [line for line in lines[2:] if line.strip()]
    assert first == 0 and len(entries) == count
    in_use = [(number, int(line[:10])) for number, line in enumerate(entries) if line.rstrip().endswith(b"n")]
    for number, offset in in_use:
        assert pdf[offset:].startswith(f"{number} 0 obj".encode()), number
    # The content streams come first in the file, before the pages that use them.
    reader = PdfReader(io.BytesIO(pdf))
    pages = reader.pages
    assert len(pages) == 2 * len(codes)
    offsets = dict(in_use)
    for page in pages:
        contents = page.get("/Contents")
        assert contents is not None and offsets[contents.idnum] < offsets[page.indirect_reference.idnum]
