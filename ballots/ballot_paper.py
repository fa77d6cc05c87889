"""Ballot papers with a perforated receipt stub, streamed as two PDF pages per paper
(front and back, for long-edge duplex printing).

The front is the marked side: title, posts, candidates, boxes, instructions, seal place,
fingerprint, and the stub with the receipt code T (human code + QR). The back carries the
audit code A (QR only) in the upper half of the body, with two fold lines: folded as the
paper says (marked side in, then the QR side in), neither a photo of the marked side nor a
look at the folded paper in the box shows A (issue 15, docs/DECISIONS.md). Everything that
is the same on every paper is drawn once into two PDF form XObjects and reused; per paper
only T and A are drawn. T never appears on the body, A never appears as text.
"""
from __future__ import annotations

import math
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Sized
from contextlib import contextmanager
from dataclasses import dataclass
from typing import BinaryIO

from reportlab import rl_config
from reportlab.lib.pagesizes import A4, A5
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from ballots.ballot_spec import BallotSpec, PaperCodes, PostSection
from ballots.drawing import dashed_line, scissors, wrap
from ballots.fonts import draw_text, fit_size, font_name, require_glyphs
from ballots.pdf_stream import PageStreamer
from ballots.qr import draw_qr

_FORM = "juxuan-ballot-static"
_FORM_BACK = "juxuan-ballot-back"
_T_HUMAN_OK = re.compile(r"[0-9A-Za-z\- ]{4,64}")


class BallotLayoutError(ValueError):
    """The paper cannot be printed as specified (too many rows, bad field); message in Chinese."""


@dataclass(frozen=True)
class Box:
    """A rectangle in PDF points, origin bottom-left of the page."""

    x: float
    y: float
    w: float
    h: float


@dataclass(frozen=True)
class PaperLayout:
    """Where things are on every paper; tests and scanners crop by it."""

    width: float
    height: float
    margin: float
    cut_y: float  # the stub is everything below this dashed line
    stub_qr: Box
    # The audit QR, on the BACK page of the paper (page 2 of each paper), in back-page
    # coordinates: long-edge duplex mirrors x (a back x is width - x seen from the front).
    body_qr: Box
    t_text: tuple[float, float]  # baseline start of the human receipt code
    t_size: float
    row_height: float
    pairs_per_row: int
    fold_y: float = 0.0  # first fold (across the body's middle), same height on both sides
    fold_x: float = 0.0  # second fold (down the middle of the sheet)
    pages_per_paper: int = 2  # front (marked side), back (audit QR)
    # Four solid squares on the front, top-left, top-right, bottom-left, bottom-right, all
    # above the cut line (the stub is torn off before counting): a scanner finds the page by
    # them (ballots/mark_map.py, ballots/scan_reader.py).
    fiducials: tuple[Box, ...] = ()


def group_code(code: str, size: int = 4) -> str:
    """The human receipt code in groups (ABCD EFGH ...) unless the caller grouped it already."""
    if " " in code or "-" in code:
        return code
    return " ".join(code[i : i + size] for i in range(0, len(code), size))


def paper_layout(spec: BallotSpec) -> PaperLayout:
    """Compute the fixed geometry of ``spec``'s paper (raises BallotLayoutError if it cannot fit)."""
    small = spec.paper_size == "A5"
    width, height = A5 if small else A4
    margin = (8 if small else 12) * mm
    cut_y = (32 if small else 34) * mm
    stub_qr_size = (21 if small else 24) * mm
    # Kept >= 5 mm above the paper edge, inside what office printers can print.
    stub_qr = Box(width - margin - stub_qr_size, 5 * mm, stub_qr_size, stub_qr_size)
    body_qr_size = (15 if small else 18) * mm
    band = _band_box(width, margin, cut_y, small)
    fold_y = (cut_y + height) / 2
    fold_x = width / 2
    # On the back, in the upper half and right of the second fold, clear of both folds by a
    # quiet zone: after the two folds it lies inside the folded paper.
    body_qr = Box(fold_x + (width / 2 - body_qr_size) / 2, fold_y + (height - fold_y - body_qr_size) / 2,
                  body_qr_size, body_qr_size)
    t_size = 14 if small else 16
    t_text = (margin + 7 * mm, cut_y - (19 if small else 21) * mm)
    pairs = 3 if small else 4
    geometry = _Geometry(spec, width, height, margin, cut_y, band, pairs)
    return PaperLayout(width, height, margin, cut_y, stub_qr, body_qr, t_text, t_size, geometry.row_height, pairs,
                       fold_y, fold_x, fiducials=_fiducials(width, height, margin, cut_y, small))


def _fiducials(width: float, height: float, margin: float, cut_y: float, small: bool) -> tuple[Box, ...]:
    """The four corner squares, in the side margins, clear of everything else printed: larger
    than a QR finder's solid centre, smaller than a filled mark box, so a reader cannot take
    one for the other (the reader also checks the four form the expected rectangle)."""
    size = (4 if small else 5) * mm
    inset = (3.5 if small else 5) * mm
    top = height - inset - size
    bottom = cut_y + 3 * mm  # above the perforation and the scissors mark
    left, right = inset, width - inset - size
    return (Box(left, top, size, size), Box(right, top, size, size), Box(left, bottom, size, size),
            Box(right, bottom, size, size))


def _band_box(width: float, margin: float, cut_y: float, small: bool) -> Box:
    """The front's bottom band: committee, key fingerprint, where the audit code is. With no
    QR on the front it is lower than the QR it replaced, so the marking instructions fit."""
    height = (12 if small else 14) * mm
    return Box(margin, cut_y + 4 * mm, width - 2 * margin, height)


class _Geometry:
    """Vertical budget of the body: header, instructions, sections, bottom band."""

    def __init__(
        self, spec: BallotSpec, width: float, height: float, margin: float, cut_y: float, body_qr: Box, pairs: int
    ) -> None:
        small = spec.paper_size == "A5"
        self.small = small
        self.approve_mark = spec.approve_mark
        self.oppose_mark = spec.oppose_mark
        self.question = spec.question
        self.answers = spec.answers
        self.seal_d = (24 if small else 30) * mm
        self.header_bottom = height - margin - self.seal_d - 2 * mm
        self.instr_size = 8 if small else 9
        self.instr_lines = wrap("\n".join(instructions(spec)), self.instr_size, width - 2 * margin - 6 * mm)
        self.instr_top = self.header_bottom
        self.instr_bottom = self.instr_top - (len(self.instr_lines) * self.instr_size * 1.35 + 4 * mm + self.instr_size * 1.6)
        self.band_top = body_qr.y + body_qr.h + 4 * mm
        self.section_heading = 6.5 * mm
        self.section_gap = 2.5 * mm
        rows = sum(_rows(section, pairs) for section in spec.sections)
        available = self.instr_bottom - 3 * mm - self.band_top
        fixed = len(spec.sections) * (self.section_heading + self.section_gap)
        min_row, max_row = 8 * mm, (11 if small else 12) * mm
        row = (available - fixed) / rows if rows else max_row
        if row < min_row:
            raise BallotLayoutError(
                f"选票内容过多，{spec.paper_size} 纸一页放不下：{len(spec.sections)} 个职务共 {rows} 行"
                f"（每行 {pairs} 人），每行只剩 {row / mm:.1f} 毫米，至少需要 {min_row / mm:.0f} 毫米；"
                f"请改用 A4 纸，或按组织（居民委员会、居务监督委员会）分开印制选票。"
            )
        self.row_height = min(row, max_row)


def _rows(section: PostSection, pairs: int) -> int:
    return math.ceil((len(section.candidates) + section.write_ins) / pairs)


def instructions(spec: BallotSpec) -> list[str]:
    """The marking instructions printed on the paper (RULES.md Voting: marks; Validity: overvote)."""
    void = "整张选票无效" if spec.overvote_voids_paper else "该职务的选票无效"
    yes, no = spec.approve_mark, spec.oppose_mark
    if spec.question:
        agree, disagree = spec.answers
        return [
            f"一、本票就“{spec.question}”进行表决：在{'姓名' if agree == '同意' else '表决事项'}右侧的符号栏内，"
            f"{agree}的划“{yes}”，{disagree}的划“{no}”，"
            "弃权的不划任何符号。",
            f"二、同时划“{yes}”和“{no}”或无法辨认的，本票无效；不得另写他人姓名。",
            "三、请用蓝色或黑色笔填写，符号和字迹须清楚可辨；本票须加盖选举委员会印章方为有效。",
            FOLD_INSTRUCTION.replace("五、", "四、"),
            *spec.extra_instructions,
        ]
    return [
        f"一、在候选人姓名右侧的符号栏内：赞成的划“{yes}”，反对的划“{no}”，弃权的不划任何符号。",
        f"二、另选他人的，在“另选他人”栏内写上其姓名，并在其后的符号栏内划“{yes}”。",
        f"三、每一职务划“{yes}”的人数（含另选他人）不得多于该职务应选人数，多于应选人数的，{void}。",
        "四、请用蓝色或黑色笔填写，符号和字迹须清楚可辨；本选票须加盖选举委员会印章方为有效。",
        FOLD_INSTRUCTION,
        *spec.extra_instructions,
    ]


FOLD_INSTRUCTION = "五、划好后，沿背面①线将划票面向里对折，再沿②线对折，使背面的二维码折在里面，然后投入票箱。"


def check_spec(spec: BallotSpec) -> None:
    """Refuse a spec with problems or with characters the fonts cannot print (Chinese message)."""
    problems = spec.problems()
    if problems:
        raise BallotLayoutError("选票不能印制：" + "".join(problems))
    require_glyphs("选票标题", spec.title)
    require_glyphs("选举名称", spec.election)
    require_glyphs("投票日期", spec.date)
    require_glyphs("选举委员会名称", spec.committee)
    require_glyphs("公钥指纹", spec.key_fingerprint)
    require_glyphs("查询网址说明", spec.verify_hint)
    require_glyphs("表决事项", spec.question)
    for line in spec.extra_instructions:
        require_glyphs("补充说明", line)
    for section in spec.sections:
        require_glyphs("职务名称", section.heading)
        for name in section.candidates:
            require_glyphs(f"{section.heading}候选人", name)


def draw_static_page(canvas: Canvas, spec: BallotSpec, layout: PaperLayout) -> None:
    """Draw everything that is identical on every paper of ``spec`` (no codes)."""
    font_name()
    band = _band_box(layout.width, layout.margin, layout.cut_y, spec.paper_size == "A5")
    geometry = _Geometry(spec, layout.width, layout.height, layout.margin, layout.cut_y, band, layout.pairs_per_row)
    _draw_header(canvas, spec, layout, geometry)
    _draw_instructions(canvas, layout, geometry)
    for section, cells, heading_y in _section_cells(spec, layout, geometry):
        _draw_section(canvas, section, layout, geometry, cells, heading_y)
    _draw_band(canvas, spec, layout)
    _draw_stub(canvas, spec, layout)
    _draw_fiducials(canvas, layout)


def _draw_fiducials(canvas: Canvas, layout: PaperLayout) -> None:
    canvas.saveState()
    canvas.setFillColorRGB(0, 0, 0)
    for box in layout.fiducials:
        canvas.rect(box.x, box.y, box.w, box.h, stroke=0, fill=1)
    canvas.restoreState()


def _draw_header(canvas: Canvas, spec: BallotSpec, layout: PaperLayout, g: _Geometry) -> None:
    w, top, m = layout.width, layout.height - layout.margin, layout.margin
    # The round, boxed at top left, so a 另行选举 paper is never mistaken for the first round.
    size = 10 if g.small else 11
    label = spec.round
    lw = draw_text(canvas, m + 2 * mm, top - 6 * mm, label, size)
    canvas.setLineWidth(0.8)
    canvas.rect(m, top - 8 * mm, lw + 4 * mm, 6.5 * mm)
    # The seal place: the committee stamps every paper before issue.
    canvas.saveState()
    canvas.setDash(2, 2)
    canvas.setLineWidth(0.5)
    canvas.setStrokeColorRGB(0.45, 0.45, 0.45)
    canvas.setFillColorRGB(0.45, 0.45, 0.45)
    cx, cy, r = w - m - g.seal_d / 2, top - g.seal_d / 2, g.seal_d / 2
    canvas.circle(cx, cy, r)
    draw_text(canvas, cx, cy + 1 * mm, "选举委员会", 7, "centre")
    draw_text(canvas, cx, cy - 3.5 * mm, "印章", 7, "centre")
    canvas.restoreState()
    avail = w - 2 * m - 2 * g.seal_d - 4 * mm
    title_size = fit_size(spec.title, 15 if g.small else 18, avail, 9)
    y = top - (8 if g.small else 10) * mm
    for line in wrap(spec.title, title_size, avail)[:2]:
        draw_text(canvas, w / 2, y, line, title_size, "centre")
        y -= title_size * 1.3
    sub = 9 if g.small else 10.5
    for line in (spec.election, f"投票日期：{spec.date}"):
        if line.strip():
            draw_text(canvas, w / 2, y - 1 * mm, line, fit_size(line, sub, avail), "centre")
            y -= sub * 1.45


def _draw_instructions(canvas: Canvas, layout: PaperLayout, g: _Geometry) -> None:
    m, w = layout.margin, layout.width
    size = g.instr_size
    canvas.setLineWidth(0.6)
    canvas.rect(m, g.instr_bottom, w - 2 * m, g.instr_top - g.instr_bottom)
    y = g.instr_top - 2 * mm - size
    draw_text(canvas, m + 3 * mm, y, "划票说明", size + 1)
    y -= size * 1.6
    for line in g.instr_lines:
        draw_text(canvas, m + 3 * mm, y, line, size)
        y -= size * 1.35


@dataclass(frozen=True)
class Cell:
    """One candidate's (or one 另选他人 line's) place on the paper: the name cell and the mark box."""

    name: str | None  # None for a write-in line
    name_box: Box
    mark_box: Box


def _section_cells(spec: BallotSpec, layout: PaperLayout, g: _Geometry) -> list[tuple[PostSection, list[Cell], float]]:
    """Each section with its cells (candidates in order, then the write-in lines) and its heading's
    baseline: the one place the positions are computed, for drawing and for the scanner's map."""
    m, w = layout.margin, layout.width
    pairs = layout.pairs_per_row
    pair_w = (w - 2 * m) / pairs
    mark_w = min(layout.row_height - 2 * mm, (10 if g.small else 11) * mm)
    name_w = pair_w - mark_w - 2 * mm
    rh = layout.row_height
    out = []
    top = g.instr_bottom - 3 * mm
    for section in spec.sections:
        y = top - g.section_heading
        names: list[str | None] = [*section.candidates, *([None] * section.write_ins)]
        cells = []
        for i, name in enumerate(names):
            row, col = divmod(i, pairs)
            x = m + col * pair_w
            cell_y = y - (row + 1) * rh
            cells.append(Cell(name, Box(x, cell_y, name_w, rh), Box(x + name_w, cell_y + (rh - mark_w) / 2, mark_w, mark_w)))
        out.append((section, cells, y + 2 * mm))
        top = y - _rows(section, pairs) * rh - g.section_gap
    return out


def section_cells(spec: BallotSpec) -> list[tuple[PostSection, list[Cell]]]:
    """Where each section's names and mark boxes are on ``spec``'s paper (PDF points)."""
    layout = paper_layout(spec)
    band = _band_box(layout.width, layout.margin, layout.cut_y, spec.paper_size == "A5")
    geometry = _Geometry(spec, layout.width, layout.height, layout.margin, layout.cut_y, band, layout.pairs_per_row)
    return [(section, cells) for section, cells, _ in _section_cells(spec, layout, geometry)]


def _draw_section(canvas: Canvas, section: PostSection, layout: PaperLayout, g: _Geometry, cells: list[Cell],
                  heading_y: float) -> None:
    m, w = layout.margin, layout.width
    size = 10.5 if g.small else 12
    if g.question:
        draw_text(canvas, m, heading_y, g.question, size)
        agree, disagree = g.answers
        draw_text(canvas, w - m, heading_y, f"{agree}划“{g.approve_mark}”，{disagree}划“{g.oppose_mark}”", size - 3, "right")
    else:
        draw_text(canvas, m, heading_y, f"{section.heading}（应选 {section.seats} 名）", size)
        draw_text(canvas, w - m, heading_y, f"划“{g.approve_mark}”不得超过 {section.seats} 人", size - 3, "right")
    canvas.setLineWidth(0.6)
    for cell in cells:
        nb, mb = cell.name_box, cell.mark_box
        canvas.rect(nb.x, nb.y, nb.w, nb.h)
        # The mark box is a separate square so a mark is never mistaken for part of a name.
        canvas.setLineWidth(1.0)
        canvas.rect(mb.x, mb.y, mb.w, mb.h)
        canvas.setLineWidth(0.6)
        if cell.name is None:
            canvas.saveState()
            canvas.setFillColorRGB(0.4, 0.4, 0.4)
            draw_text(canvas, nb.x + 1 * mm, nb.y + nb.h - 2.6 * mm, "另选他人", 6)
            canvas.restoreState()
        else:
            ns = fit_size(cell.name, 13 if g.small else 14, nb.w - 3 * mm, 6)
            draw_text(canvas, nb.x + nb.w / 2, nb.y + (nb.h - ns * 0.8) / 2, cell.name, ns, "centre")


def _draw_band(canvas: Canvas, spec: BallotSpec, layout: PaperLayout) -> None:
    m = layout.margin
    band = _band_box(layout.width, m, layout.cut_y, spec.paper_size == "A5")
    avail = layout.width - 2 * m
    fp = group_code(spec.key_fingerprint)
    y = band.y + band.h - 3 * mm
    draw_text(canvas, m, y, spec.committee, 9)
    y -= 4.5 * mm
    for line in wrap(f"选举公钥指纹：{fp}", 7, avail)[:2]:
        draw_text(canvas, m, y, line, 7)
        y -= 3.2 * mm
    draw_text(canvas, m, band.y, "本选票背面印有计票二维码，供计票扫描使用，请勿涂画。", 6.5)


def _draw_stub(canvas: Canvas, spec: BallotSpec, layout: PaperLayout) -> None:
    w, m, cut = layout.width, layout.margin, layout.cut_y
    dashed_line(canvas, 3 * mm, cut, w - 3 * mm, cut)
    scissors(canvas, m, cut)
    draw_text(canvas, w - m, cut + 1.3 * mm, "投票时由监票人扫描存根，沿虚线撕下，存根由选民带回保存", 6.5, "right")
    x = layout.t_text[0]
    y = cut - 5.5 * mm
    draw_text(canvas, x, y, "选票回执存根", 10)
    y -= 4.8 * mm
    draw_text(canvas, x, y, "凭此存根查询您的选票已计入", 10)
    draw_text(canvas, x, layout.t_text[1] + layout.t_size * 0.85 + 1 * mm, "查询码", 7)
    hint = "扫描右侧二维码或在查询网站输入查询码；只显示选票已计入，不显示选票内容。"
    avail = layout.stub_qr.x - 5 * mm - x
    y = layout.t_text[1] - 4.5 * mm
    lines = wrap(hint, 6.5, avail)
    if spec.verify_hint:
        # The address on a line of its own, so a voter without a QR reader can type it.
        lines = [*lines[:1], f"查询网站：{spec.verify_hint}"]
    for line in lines[:2]:
        draw_text(canvas, x, y, line, fit_size(line, 6.5, avail))
        y -= 3 * mm


def draw_back_page(canvas: Canvas, layout: PaperLayout) -> None:
    """The back of every paper: the two fold lines and what they are for (no codes)."""
    w, h, m = layout.width, layout.height, layout.margin
    qr = layout.body_qr
    canvas.saveState()
    canvas.setStrokeColorRGB(0.35, 0.35, 0.35)
    canvas.setFillColorRGB(0.35, 0.35, 0.35)
    canvas.setDash(6, 3)
    canvas.setLineWidth(0.5)
    canvas.line(3 * mm, layout.fold_y, w - 3 * mm, layout.fold_y)
    canvas.line(layout.fold_x, layout.fold_y, layout.fold_x, h - 3 * mm)
    canvas.restoreState()
    draw_text(canvas, m, layout.fold_y + 1.5 * mm, "① 沿此线对折，划票面向里", 8)
    draw_text(canvas, layout.fold_x - 2 * mm, h - m - 4 * mm, "② 再沿此线对折，", 8, "right")
    draw_text(canvas, layout.fold_x - 2 * mm, h - m - 8 * mm, "使右侧二维码折在里面", 8, "right")
    draw_text(canvas, qr.x + qr.w / 2, qr.y - 5 * mm, "计票扫描用，请勿涂画、拍照", 7, "centre")
    draw_text(canvas, w / 2, layout.cut_y + 6 * mm, "选票背面 · 不在此面划票", 9, "centre")
    # The stub's back: the perforation, so the tear line is seen from both sides.
    dashed_line(canvas, 3 * mm, layout.cut_y, w - 3 * mm, layout.cut_y)


def draw_codes(canvas: Canvas, layout: PaperLayout, codes: PaperCodes) -> None:
    """Draw the front's per-paper part: T (human code and QR) on the stub."""
    t_human, t_qr, _a_qr = codes
    draw_text(canvas, layout.t_text[0], layout.t_text[1], group_code(t_human), layout.t_size)
    draw_qr(canvas, t_qr, layout.stub_qr.x, layout.stub_qr.y, layout.stub_qr.w)


def draw_back_codes(canvas: Canvas, layout: PaperLayout, codes: PaperCodes) -> None:
    """Draw the back's per-paper part: A (QR only), never as text."""
    draw_qr(canvas, codes.a_qr, layout.body_qr.x, layout.body_qr.y, layout.body_qr.w)


_a85_lock = threading.Lock()


@contextmanager
def _binary_streams() -> Iterator[None]:
    # ASCII85 wrapping of the compressed page streams costs ~25 % of the printing time and
    # buys nothing in a binary file. reportlab only offers a process-wide switch; each
    # stream records its own filters when created, so other PDFs made meanwhile stay valid.
    with _a85_lock:
        saved = rl_config.useA85
        rl_config.useA85 = 0
        try:
            yield
        finally:
            rl_config.useA85 = saved


def render_ballots(
    spec: BallotSpec,
    codes: Iterable[PaperCodes | tuple[str, str, str]],
    out: BinaryIO,
    progress: Callable[[int, int], None] | None = None,
    *,
    total: int | None = None,
    progress_every: int = 100,
) -> int:
    """Write two PDF pages (front, back) per paper of ``spec`` to ``out``, one paper per item
    of ``codes``; print them duplex, flipped on the long edge.

    Returns the number of papers. ``progress(done, total)`` is called every ``progress_every``
    papers and at the end; ``total`` is ``len(codes)`` when it has one, else 0 (unknown).
    The codes are drawn and dropped: nothing here logs or keeps them.
    """
    check_spec(spec)
    layout = paper_layout(spec)
    if total is None:
        total = len(codes) if isinstance(codes, Sized) else 0
    with _binary_streams():
        return _render(spec, layout, codes, out, progress, total, progress_every)


def _render(
    spec: BallotSpec,
    layout: PaperLayout,
    codes: Iterable[PaperCodes | tuple[str, str, str]],
    out: BinaryIO,
    progress: Callable[[int, int], None] | None,
    total: int,
    progress_every: int,
) -> int:
    canvas = Canvas(out, pagesize=(layout.width, layout.height), pageCompression=1, invariant=1)
    canvas.setTitle(spec.title)
    canvas.setCreator("Juxuan 居选")
    canvas.beginForm(_FORM)
    draw_static_page(canvas, spec, layout)
    canvas.endForm()
    canvas.beginForm(_FORM_BACK)
    draw_back_page(canvas, layout)
    canvas.endForm()
    # Each paper's pages go to the file once shown: memory stays flat however many papers.
    streamer = PageStreamer(canvas, out)
    done = 0
    for item in codes:
        t_human = item[0]
        if not _T_HUMAN_OK.fullmatch(t_human):
            # The message must not repeat the code: nothing here may log a receipt code.
            raise BallotLayoutError(f"第 {done + 1} 张选票的查询码格式不对（只能含字母、数字、空格和连字符，4 至 64 位）。")
        paper = PaperCodes(*item)
        canvas.doForm(_FORM)
        draw_codes(canvas, layout, paper)
        canvas.showPage()
        canvas.doForm(_FORM_BACK)
        draw_back_codes(canvas, layout, paper)
        canvas.showPage()
        streamer.flush()
        done += 1
        if progress is not None and done % progress_every == 0:
            progress(done, total)
    if done == 0:
        raise BallotLayoutError("没有提供任何选票编码，未印制选票。")
    canvas.save()
    if progress is not None and done % progress_every != 0:
        progress(done, total)
    return done
